package web_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/store"
)

// lowRiskReferral is the example referral with one incident, so that
// nothing but a re-assessment can put it in the MARAC queue.
func lowRiskReferral() map[string]any {
	m := exampleReferral()
	m["incidents"] = map[string]any{"count": 1, "first": "2026-11-20", "last": "2026-11-20"}
	return m
}

type fieldsError struct {
	Error struct {
		Code   string
		Fields map[string]string
	}
}

// A re-assessment is refused without a reason, with a DASH score of 14 or
// more below high, and for anyone but the force; none of that saves anything.
func TestReassessRiskRefusesBadInput(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, lowRiskReferral())
	path := "/api/v1/referrals/" + r.ID + "/risk"
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no reason", map[string]any{"tool": "dash", "score": 16, "level": "high", "assessed_on": "2026-11-25"}, "reason"},
		{"blank reason", map[string]any{"tool": "dash", "score": 16, "level": "high", "reason": "  "}, "reason"},
		{"dash 15 medium", map[string]any{"tool": "dash", "score": 15, "level": "medium", "reason": "new incidents"}, "risk.level"},
		{"dash 14 standard", map[string]any{"tool": "dash", "score": 14, "level": "standard", "reason": "new incidents"}, "risk.level"},
		{"no level", map[string]any{"tool": "dash", "score": 3, "reason": "x"}, "risk.level"},
		{"unknown tool", map[string]any{"tool": "dice", "level": "high", "reason": "x"}, "risk.tool"},
		{"future date", map[string]any{"tool": "dash", "score": 3, "level": "standard", "assessed_on": "2099-01-01", "reason": "x"}, "risk.assessed_on"},
		{"unknown field", map[string]any{"tool": "dash", "score": 3, "level": "standard", "reason": "x", "mood": "calm"}, "mood"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := h.Do("POST", path, "officer", c.body)
			var e fieldsError
			res.JSON(t, &e)
			if res.Status != 422 || e.Error.Fields[c.field] == "" {
				t.Fatalf("%d %s: want 422 naming %s", res.Status, res.Body, c.field)
			}
		})
	}
	ok := map[string]any{"tool": "dash", "score": 16, "level": "high", "reason": "new incidents"}
	if res := h.Do("POST", path, "housing", ok); res.Status != 403 {
		t.Fatalf("agency staff re-assessing: %d", res.Status)
	}
	if res := h.Do("POST", "/api/v1/referrals/r-nothing/risk", "officer", ok); res.Status != 404 {
		t.Fatalf("re-assessing a referral that does not exist: %d", res.Status)
	}
	var got released
	h.Do("GET", "/api/v1/referrals/"+r.ID, "officer", nil).JSON(t, &got)
	if !strings.Contains(string(got.Sections["risk"]), `"level":"medium"`) {
		t.Fatalf("a refused re-assessment changed the risk: %s", got.Sections["risk"])
	}
}

// The officer re-assesses to high: the referral's risk is the latest, the
// history has both, housing's clock shortens, the case enters the MARAC
// queue, and each receiving agency gets a notice and a referral.risk_changed
// event; an agency that may not see the risk category sees no history.
func TestReassessRiskToHigh(t *testing.T) {
	h := apptest.Start(t, nil)
	body := lowRiskReferral()
	// Victim Support is sent the referral but the victim agreed to share
	// nothing of the risk with it.
	body["consent"].(map[string]any)["categories"] = []any{"identity", "contact", "safe_contact", "needs"}
	r := createReferral(t, h, body)
	dueBefore := dueOf(t, h, r.ID, "housing")

	var q struct{ Referrals []struct{ Referral string } }
	h.Do("GET", "/api/v1/marac/queue", "coordinator", nil).JSON(t, &q)
	if slices.ContainsFunc(q.Referrals, func(e struct{ Referral string }) bool { return e.Referral == r.ID }) {
		t.Fatal("the referral is in the MARAC queue before any re-assessment")
	}

	res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/risk", "officer",
		map[string]any{"tool": "dash", "score": 16, "level": "high", "assessed_on": "2026-11-25", "reason": "two new incidents at her workplace"})
	if res.Status != http.StatusCreated {
		t.Fatalf("re-assess: %d %s", res.Status, res.Body)
	}
	var out struct {
		Risk        string `json:"risk_level"`
		Sections    struct{ Risk map[string]any }
		RiskHistory []struct {
			Tool, Level, AssessedOn, By, Reason string
			Score                               int
		} `json:"risk_history"`
	}
	res.JSON(t, &out)
	if out.Risk != "high" || out.Sections.Risk["level"] != "high" || out.Sections.Risk["history"] != nil {
		t.Fatalf("the referral's risk is not the latest: %s", res.Body)
	}
	if len(out.RiskHistory) != 2 || out.RiskHistory[0].Level != "medium" || out.RiskHistory[1].Level != "high" ||
		out.RiskHistory[1].Reason != "two new incidents at her workplace" || out.RiskHistory[1].By == "" || out.RiskHistory[0].By == "" {
		t.Fatalf("risk history %+v", out.RiskHistory)
	}

	var housing struct {
		Risk        string `json:"risk_level"`
		RiskHistory []any  `json:"risk_history"`
	}
	h.Do("GET", "/api/v1/referrals/"+r.ID, "housing", nil).JSON(t, &housing)
	if housing.Risk != "high" || len(housing.RiskHistory) != 2 {
		t.Fatalf("housing sees risk %q and history %v", housing.Risk, housing.RiskHistory)
	}
	if after := dueOf(t, h, r.ID, "housing"); !after.Before(dueBefore) {
		t.Fatalf("housing's answer time did not shorten: %s then %s", dueBefore, after)
	}
	vs := h.Do("GET", "/api/v1/referrals/"+r.ID, "victim-support", nil)
	if strings.Contains(string(vs.Body), "risk_history") || strings.Contains(string(vs.Body), "workplace") {
		t.Fatalf("victim support, which may not see the risk, sees its history: %s", vs.Body)
	}

	h.Do("GET", "/api/v1/marac/queue", "coordinator", nil).JSON(t, &q)
	if !slices.ContainsFunc(q.Referrals, func(e struct{ Referral string }) bool { return e.Referral == r.ID }) {
		t.Fatal("the re-assessment to high did not put the case in the MARAC queue")
	}

	ns, err := h.App.DB.Outbox(context.Background(), store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var told []string
	for _, n := range ns {
		if n.Kind == notify.RiskChanged {
			told = append(told, strings.SplitN(n.To, ".", 2)[0])
			if strings.Contains(n.To+n.Link+n.Reference, "Rowena") {
				t.Fatal("personal data in a notice")
			}
		}
	}
	slices.Sort(told)
	if len(told) != 2 {
		t.Fatalf("risk notices went to %v, want housing and Victim Support", told)
	}
	var feed struct {
		Events []struct{ Type, Referral, Status string }
	}
	h.Do("GET", "/api/v1/events", "housing", nil).JSON(t, &feed)
	if !slices.ContainsFunc(feed.Events, func(e struct{ Type, Referral, Status string }) bool {
		return e.Type == "referral.risk_changed" && e.Referral == r.ID && e.Status == "high"
	}) {
		t.Fatalf("housing's feed lacks referral.risk_changed: %+v", feed.Events)
	}
	events, err := h.App.DB.Events(context.Background(), r.ID, "housing")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(events, func(e store.Event) bool {
		return e.Kind == "risk_reassessed" && !strings.Contains(e.Detail, "workplace")
	}) {
		t.Fatalf("no re-assessment on housing's timeline: %+v", events)
	}
}

func dueOf(t *testing.T, h *apptest.Hub, id, agency string) time.Time {
	t.Helper()
	var r struct {
		Shares []struct {
			Agency string
			DueAt  time.Time `json:"due_at"`
		}
	}
	h.Do("GET", "/api/v1/referrals/"+id, "officer", nil).JSON(t, &r)
	for _, s := range r.Shares {
		if s.Agency == agency {
			return s.DueAt
		}
	}
	t.Fatalf("no share for %s", agency)
	return time.Time{}
}

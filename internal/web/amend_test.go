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
	"github.com/stalking-hub/hub/internal/referral"
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
	if !slices.ContainsFunc(events, func(e referral.Event) bool {
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

func amend(h *apptest.Hub, id, persona string, body any, headers ...string) apptest.Response {
	return h.Do("PATCH", "/api/v1/referrals/"+id, persona, body, headers...)
}

// An update needs If-Match (428), a current one (412), a reason (422), and
// only the fields of a referral as created that an update may change.
func TestAmendRefusesBadInput(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, lowRiskReferral())
	read := h.Do("GET", "/api/v1/referrals/"+r.ID, "officer", nil)
	etag := read.Header.Get("ETag")
	change := map[string]any{"summary": "Followed to work three times.", "reason": "a new incident"}
	if res := amend(h, r.ID, "officer", change); res.Status != http.StatusPreconditionRequired {
		t.Fatalf("without If-Match: %d %s", res.Status, res.Body)
	}
	if res := amend(h, r.ID, "officer", change, "If-Match", `"99"`); res.Status != http.StatusPreconditionFailed {
		t.Fatalf("with a stale If-Match: %d %s", res.Status, res.Body)
	}
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no reason", map[string]any{"summary": "x"}, "reason"},
		{"blank reason", map[string]any{"summary": "x", "reason": " "}, "reason"},
		{"risk", map[string]any{"risk": map[string]any{"level": "high"}, "reason": "x"}, "risk"},
		{"agencies", map[string]any{"agencies": []any{}, "reason": "x"}, "agencies"},
		{"unknown field", map[string]any{"mood": "calm", "reason": "x"}, "mood"},
		{"unknown nested field", map[string]any{"victim": map[string]any{"eye_colour": "blue"}, "reason": "x"}, "eye_colour"},
		{"victim name removed", map[string]any{"victim": map[string]any{"name": nil}, "reason": "x"}, "victim.name"},
		{"bad date", map[string]any{"incidents": map[string]any{"last": "2099-01-01"}, "reason": "x"}, "incidents.last"},
		{"summary removed", map[string]any{"summary": nil, "reason": "x"}, "summary"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := amend(h, r.ID, "officer", c.body, "If-Match", etag)
			var e fieldsError
			res.JSON(t, &e)
			if res.Status != 422 || e.Error.Fields[c.field] == "" {
				t.Fatalf("%d %s: want 422 naming %s", res.Status, res.Body, c.field)
			}
		})
	}
	if res := amend(h, r.ID, "housing", change, "If-Match", etag); res.Status != 403 {
		t.Fatalf("agency staff updating: %d", res.Status)
	}
	if res := amend(h, "r-nothing", "officer", change, "If-Match", etag); res.Status != 404 {
		t.Fatalf("updating a referral that does not exist: %d", res.Status)
	}
	if res := h.Do("GET", "/api/v1/referrals/"+r.ID, "officer", nil); res.Header.Get("ETag") != etag || strings.Contains(string(res.Body), "three times") {
		t.Fatalf("a refused update changed the referral: ETag %s", res.Header.Get("ETag"))
	}
	// A re-assessment makes a new version: the ETag read before it is stale.
	h.Do("POST", "/api/v1/referrals/"+r.ID+"/risk", "officer", map[string]any{"tool": "dash", "score": 10, "level": "medium", "reason": "reviewed"})
	if res := amend(h, r.ID, "officer", change, "If-Match", etag); res.Status != http.StatusPreconditionFailed {
		t.Fatalf("If-Match from before a re-assessment: %d %s", res.Status, res.Body)
	}
}

// The officer updates the incidents, the children and the victim's health:
// a new version with a new ETag; housing, which may see the children but
// neither the offence nor the health, reads the new school and finds the
// other changes nowhere (not in its read or its timeline); Victim Support
// reads the new incidents; the force's timeline names every category; a
// later change of the health alone reaches no agency.
func TestAmendReferral(t *testing.T) {
	h := apptest.Start(t, nil)
	body := lowRiskReferral()
	body["consent"].(map[string]any)["categories"] = []any{"identity", "contact", "safe_contact", "needs", "risk", "offence", "children"}
	r := createReferral(t, h, body)
	var before released
	read := h.Do("GET", "/api/v1/referrals/"+r.ID, "housing", nil)
	read.JSON(t, &before)
	if !before.has("children") || before.has("offence") || before.has("health") {
		t.Fatalf("housing sees %v: the test needs children shown, offence and health withheld", before.shown())
	}
	etag := h.Do("GET", "/api/v1/referrals/"+r.ID, "officer", nil).Header.Get("ETag")
	res := amend(h, r.ID, "officer", map[string]any{
		"incidents": map[string]any{"count": 3, "last": "2026-11-24"},
		"victim":    map[string]any{"health": "panic attacks since the last incident"},
		"children":  []any{map[string]any{"name": "Kit Testperson", "date_of_birth": "2018-06-01", "school": "Park Secondary", "lives_with_victim": true}},
		"reason":    "two further incidents reported",
	}, "If-Match", etag)
	if res.Status != http.StatusOK {
		t.Fatalf("update: %d %s", res.Status, res.Body)
	}
	if got := res.Header.Get("ETag"); got == "" || got == etag {
		t.Fatalf("the update's ETag %q, before %q", got, etag)
	}
	if !strings.Contains(string(res.Body), `"count":3`) || !strings.Contains(string(res.Body), "panic attacks") || !strings.Contains(string(res.Body), "Rowena Testperson") {
		t.Fatalf("the officer's answer lacks the change or lost what was not patched: %s", res.Body)
	}

	housing := h.Do("GET", "/api/v1/referrals/"+r.ID, "housing", nil)
	if !strings.Contains(string(housing.Body), "Park Secondary") {
		t.Fatalf("housing does not see the children's new school: %s", housing.Body)
	}
	if strings.Contains(string(housing.Body), "panic") || strings.Contains(string(housing.Body), `"count":3`) {
		t.Fatal("housing sees the health or the incidents it may not see")
	}
	vs := h.Do("GET", "/api/v1/referrals/"+r.ID, "victim-support", nil)
	if !strings.Contains(string(vs.Body), `"count":3`) || !strings.Contains(string(vs.Body), `"last":"2026-11-24"`) {
		t.Fatalf("Victim Support does not see the new incidents: %s", vs.Body)
	}
	events, err := h.App.DB.Events(context.Background(), r.ID, "housing")
	if err != nil {
		t.Fatal(err)
	}
	var forHousing []string
	for _, e := range events {
		if e.Kind == "referral_updated" {
			forHousing = append(forHousing, e.Detail)
		}
	}
	if len(forHousing) != 1 || forHousing[0] != "updated: children" {
		t.Fatalf("housing's timeline says %v, want only the children", forHousing)
	}
	all, err := h.App.DB.Events(context.Background(), r.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(all, func(e referral.Event) bool {
		return e.Kind == "referral_updated" && e.Agency == "police" && e.Detail == "updated: offence, health, children"
	}) {
		t.Fatalf("the force's timeline does not name both categories: %+v", all)
	}

	ns, err := h.App.DB.Outbox(context.Background(), store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	told := 0
	for _, n := range ns {
		if n.Kind == notify.ReferralChanged {
			told++
			if strings.Contains(n.To+n.Link+n.Reference, "panic") || strings.Contains(n.To+n.Link+n.Reference, "Rowena") {
				t.Fatal("personal data in a notice")
			}
		}
	}
	if told != 2 {
		t.Fatalf("%d change notices, want one each to housing and Victim Support", told)
	}
	var feed struct {
		Events []struct{ Type, Referral string }
	}
	h.Do("GET", "/api/v1/events", "housing", nil).JSON(t, &feed)
	if !slices.ContainsFunc(feed.Events, func(e struct{ Type, Referral string }) bool {
		return e.Type == "referral.updated" && e.Referral == r.ID
	}) {
		t.Fatalf("housing's feed lacks referral.updated: %+v", feed.Events)
	}

	// A change of the health alone: neither agency may see it, so neither
	// hears of it.
	etag = res.Header.Get("ETag")
	res = amend(h, r.ID, "officer", map[string]any{"victim": map[string]any{"health": "better"}, "reason": "update from the victim"}, "If-Match", etag)
	if res.Status != http.StatusOK {
		t.Fatalf("second update: %d %s", res.Status, res.Body)
	}
	ns, _ = h.App.DB.Outbox(context.Background(), store.OutboxFilter{})
	if n := slices.IndexFunc(ns, func(n notify.Notification) bool { return n.Kind == notify.ReferralChanged }); n < 0 ||
		len(slices.DeleteFunc(ns, func(n notify.Notification) bool { return n.Kind != notify.ReferralChanged })) != 2 {
		t.Fatal("agencies were told of a change of a category they may not see")
	}
	events, _ = h.App.DB.Events(context.Background(), r.ID, "housing")
	if slices.ContainsFunc(events, func(e referral.Event) bool { return strings.Contains(e.Detail, "health") }) {
		t.Fatalf("housing's timeline names the health: %+v", events)
	}
}

// An amendment replaces a referral's hate-crime strands and other
// safe-contact methods: the outcomes report counts the strands it has now.
func TestAmendReplacesStrandsAndOtherMethods(t *testing.T) {
	h := apptest.Start(t, nil)
	body := exampleReferral()
	body["aggravating_factors"] = []any{map[string]any{"factor": "hate_crime", "strand": "disability"}, map[string]any{"factor": "hate_crime", "strand": "race"}}
	r := createReferral(t, h, body)
	now := time.Now()
	// Each read asks for another period: the report caches its figures.
	strands := func(days int) map[string]int {
		t.Helper()
		res := h.Do("GET", "/api/v1/reports/outcomes?from="+now.AddDate(0, 0, -7).Format(time.DateOnly)+"&to="+now.AddDate(0, 0, days).Format(time.DateOnly), "supervisor", nil)
		var f struct {
			Referrals struct {
				ByStrand map[string]int `json:"by_hate_crime_strand"`
			}
		}
		res.JSON(t, &f)
		if res.Status != 200 {
			t.Fatalf("report: %d %s", res.Status, res.Body)
		}
		return f.Referrals.ByStrand
	}
	if s := strands(7); s["disability"] != 1 || s["race"] != 1 || s["religion"] != 0 {
		t.Fatalf("strands as created %v", s)
	}
	etag := h.Do("GET", "/api/v1/referrals/"+r.ID, "officer", nil).Header.Get("ETag")
	change := map[string]any{"aggravating_factors": []any{map[string]any{"factor": "hate_crime", "strand": "religion"}, map[string]any{"factor": "hate_crime", "strand": "other"}},
		"victim": map[string]any{"safe_contact": map[string]any{"other_methods": []any{"letter"}}}, "reason": "more strands found"}
	if res := amend(h, r.ID, "officer", change, "If-Match", etag); res.Status != 200 {
		t.Fatalf("amend: %d %s", res.Status, res.Body)
	}
	if s := strands(8); s["disability"] != 0 || s["race"] != 0 || s["religion"] != 1 || s["other"] != 1 {
		t.Fatalf("strands as amended %v", s)
	}
	if res := h.Do("GET", "/api/v1/referrals/"+r.ID, "officer", nil); !strings.Contains(string(res.Body), `"other_methods":["letter"]`) {
		t.Fatalf("other methods not amended: %s", res.Body)
	}
}

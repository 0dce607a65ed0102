package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
	"github.com/stalking-hub/hub/internal/store"
)

// maracHub starts a hub with the demo agencies, except that victim-support
// is no MARAC member: its agreement keeps the referral purpose and loses the
// marac one, so its staff stand for a non-member agency.
func maracHub(t *testing.T) *apptest.Hub {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join(apptest.Root(), "agencies", "*.toml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("agencies: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "victim-support.toml" {
			i := bytes.Index(b, []byte("[agreement.marac]"))
			if i < 0 {
				t.Fatal("victim-support.toml has no marac terms to take away")
			}
			b = b[:i]
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return apptest.Start(t, map[string]string{"HUB_SERVER_AGENCIES": dir})
}

// maracHighRiskReferral is the example referral at visible high risk (DASH 16),
// sent to the agencies named, with consent to share with them.
func maracHighRiskReferral(agencies ...string) map[string]any {
	m := exampleReferral()
	m["risk"] = map[string]any{"tool": "dash", "score": 16, "level": "high", "assessed_on": "2026-11-21"}
	var as []any
	for _, a := range agencies {
		as = append(as, map[string]any{"agency": a, "request": "safety planning"})
	}
	m["agencies"] = as
	m["consent"].(map[string]any)["agencies"] = agencies
	return m
}

// maracDay is the date n days from today, as the API writes dates.
func maracDay(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format(time.DateOnly) }

// maracCall is one request of a scenario and what its answer must and must not hold.
type maracCall struct {
	name                  string
	method, path, persona string
	body                  any
	headers               []string
	status                int
	want, not             []string
}

func maracRun(t *testing.T, h *apptest.Hub, calls []maracCall) {
	t.Helper()
	for _, c := range calls {
		res := h.Do(c.method, c.path, c.persona, c.body, c.headers...)
		if res.Status != c.status {
			t.Errorf("%s: %s %s as %q: status %d, want %d: %s", c.name, c.method, c.path, c.persona, res.Status, c.status, res.Body)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(string(res.Body), w) {
				t.Errorf("%s: the answer lacks %q: %s", c.name, w, res.Body)
			}
		}
		for _, n := range c.not {
			if strings.Contains(string(res.Body), n) {
				t.Errorf("%s: the answer holds %q: %s", c.name, n, res.Body)
			}
		}
	}
}

type maracCaseOut struct {
	ID        string   `json:"id"`
	Meeting   string   `json:"meeting"`
	Referral  string   `json:"referral"`
	Reference string   `json:"reference"`
	Criterion string   `json:"criterion"`
	Repeat    bool     `json:"repeat"`
	Released  released `json:"released"`
	Research  *struct {
		Agency         string `json:"agency"`
		Summary        string `json:"summary"`
		KnownToService bool   `json:"known_to_service"`
	} `json:"research"`
	ResearchStatus *struct {
		Submitted   []struct{ Agency string } `json:"submitted"`
		Outstanding []string                  `json:"outstanding"`
	} `json:"research_status"`
	Actions []maracActionOut `json:"actions"`
}

type maracActionOut struct {
	ID      string `json:"id"`
	Agency  string `json:"agency"`
	Status  string `json:"status"`
	Note    string `json:"note"`
	Due     string `json:"due"`
	Overdue bool   `json:"overdue"`
	ETag    string `json:"etag"`
}

type maracPapersOut struct {
	Marking   string   `json:"marking"`
	ID        string   `json:"id"`
	Attending []string `json:"attending"`
	Cases     []struct {
		ID       string    `json:"id"`
		Note     string    `json:"note"`
		Released *released `json:"released"`
		Research []struct {
			Agency  string `json:"agency"`
			Summary string `json:"summary"`
		} `json:"research"`
		Actions []maracActionOut `json:"actions"`
	} `json:"cases"`
	Review []maracActionOut `json:"review"`
}

// maracDecode reads an answer that must have the status.
func maracDecode[T any](t *testing.T, res apptest.Response, status int) T {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	var v T
	res.JSON(t, &v)
	return v
}

// The MARAC API end to end: a meeting is planned, cases are listed from the
// queue, member agencies research them, actions are agreed and carried out,
// and the papers open only to attendees who acknowledged confidentiality.
// Every refusal of ../shared/api.md is tried on the way.
func TestMARACAPI(t *testing.T) {
	h := maracHub(t)
	ctx := context.Background()

	r1 := createReferral(t, h, maracHighRiskReferral("housing", "idva"))
	r2 := createReferral(t, h, maracHighRiskReferral("housing", "idva"))
	low := exampleReferral()
	low["incidents"] = map[string]any{"count": 1, "first": "2026-11-20", "last": "2026-11-20"}
	r3 := createReferral(t, h, low)

	// The queue: the two high-risk referrals wait, the single-incident
	// medium one does not.
	queue := maracDecode[struct {
		Panel     string `json:"panel"`
		Referrals []struct {
			Referral string   `json:"referral"`
			Criteria []string `json:"criteria"`
		} `json:"referrals"`
	}](t, h.Do("GET", "/api/v1/marac/queue", "coordinator", nil), http.StatusOK)
	var queued []string
	for _, e := range queue.Referrals {
		queued = append(queued, e.Referral)
		if e.Referral == r1.ID && !slices.Contains(e.Criteria, "visible_high_risk") {
			t.Errorf("r1 waits with criteria %v", e.Criteria)
		}
	}
	if !slices.Contains(queued, r1.ID) || !slices.Contains(queued, r2.ID) || slices.Contains(queued, r3.ID) {
		t.Errorf("queue %v; want r1 and r2, not r3", queued)
	}

	meeting := maracDecode[struct {
		ID    string `json:"id"`
		Date  string `json:"date"`
		Panel string `json:"panel"`
	}](t, h.Do("POST", "/api/v1/marac/meetings", "coordinator", map[string]any{"date": maracDay(7), "panel": "north"}), http.StatusCreated)
	if meeting.ID == "" || meeting.Date != maracDay(7) || meeting.Panel != "north" {
		t.Fatalf("meeting %+v", meeting)
	}
	mpath := "/api/v1/marac/meetings/" + meeting.ID

	maracRun(t, h, []maracCall{
		{name: "queue: officer", method: "GET", path: "/api/v1/marac/queue", persona: "officer", status: 403},
		{name: "queue: unknown panel", method: "GET", path: "/api/v1/marac/queue?panel=south", persona: "coordinator", status: 422, want: []string{`"panel"`}},
		{name: "meeting: no token", method: "POST", path: "/api/v1/marac/meetings", body: map[string]any{"date": maracDay(7), "panel": "north"}, status: 401},
		{name: "meeting: agency staff", method: "POST", path: "/api/v1/marac/meetings", persona: "housing", body: map[string]any{"date": maracDay(7), "panel": "north"}, status: 403},
		{name: "meeting: officer", method: "POST", path: "/api/v1/marac/meetings", persona: "officer", body: map[string]any{"date": maracDay(7), "panel": "north"}, status: 403},
		{name: "meeting: in the past", method: "POST", path: "/api/v1/marac/meetings", persona: "coordinator", body: map[string]any{"date": maracDay(-1), "panel": "north"}, status: 422, want: []string{`"date"`}},
		{name: "meeting: not a date", method: "POST", path: "/api/v1/marac/meetings", persona: "coordinator", body: map[string]any{"date": "next week", "panel": "north"}, status: 422, want: []string{`"date"`}},
		{name: "meeting: unknown panel", method: "POST", path: "/api/v1/marac/meetings", persona: "coordinator", body: map[string]any{"date": maracDay(7), "panel": "south"}, status: 422, want: []string{`"panel"`}},
		{name: "meeting: empty", method: "POST", path: "/api/v1/marac/meetings", persona: "coordinator", body: map[string]any{}, status: 422, want: []string{`"date"`, `"panel"`}},
		{name: "meeting: unknown field", method: "POST", path: "/api/v1/marac/meetings", persona: "coordinator", body: map[string]any{"date": maracDay(7), "panel": "north", "room": "B"}, status: 422, want: []string{`"room"`}},
		{name: "meeting: wrong type", method: "POST", path: "/api/v1/marac/meetings", persona: "coordinator", body: `{"date": 20261203, "panel": "north"}`, status: 422, want: []string{`"date"`}},
		{name: "meeting: not JSON", method: "POST", path: "/api/v1/marac/meetings", persona: "coordinator", body: `{"date":`, status: 400},

		{name: "case: added", method: "POST", path: mpath + "/cases", persona: "coordinator", body: map[string]any{"referral": r1.ID, "criterion": "visible_high_risk", "note": "Suspect released on bail last week"}, status: 201,
			want: []string{r1.Reference, `"criterion":"visible_high_risk"`, `"repeat":false`}, not: []string{"released on bail"}},
		{name: "case: the second", method: "POST", path: mpath + "/cases", persona: "coordinator", body: map[string]any{"referral": r2.ID, "criterion": "professional_judgement", "note": "Threats escalating"}, status: 201},
		{name: "case: twice on one agenda", method: "POST", path: mpath + "/cases", persona: "coordinator", body: map[string]any{"referral": r1.ID, "criterion": "visible_high_risk"}, status: 409},
		{name: "case: professional judgement needs the concern", method: "POST", path: mpath + "/cases", persona: "coordinator", body: map[string]any{"referral": r3.ID, "criterion": "professional_judgement"}, status: 422, want: []string{`"note"`}},
		{name: "case: unknown criterion", method: "POST", path: mpath + "/cases", persona: "coordinator", body: map[string]any{"referral": r3.ID, "criterion": "high"}, status: 422, want: []string{`"criterion"`}},
		{name: "case: unknown referral", method: "POST", path: mpath + "/cases", persona: "coordinator", body: map[string]any{"referral": "no-such", "criterion": "repeat"}, status: 422, want: []string{`"referral"`}},
		{name: "case: unknown field", method: "POST", path: mpath + "/cases", persona: "coordinator", body: map[string]any{"referral": r3.ID, "criterion": "repeat", "victim": "x"}, status: 422, want: []string{`"victim"`}},
		{name: "case: unknown meeting", method: "POST", path: "/api/v1/marac/meetings/mm-none/cases", persona: "coordinator", body: map[string]any{"referral": r3.ID, "criterion": "repeat"}, status: 404},
		{name: "case: agency staff", method: "POST", path: mpath + "/cases", persona: "housing", body: map[string]any{"referral": r3.ID, "criterion": "repeat"}, status: 403},

		{name: "meeting: coordinator reads the agenda", method: "GET", path: mpath, persona: "coordinator", status: 200, want: []string{r1.Reference, r2.Reference}, not: []string{"released on bail", "Threats escalating"}},
		{name: "meeting: a member agency reads the agenda", method: "GET", path: mpath, persona: "housing", status: 200, want: []string{r1.Reference}},
		{name: "meeting: a non-member agency is told it does not exist", method: "GET", path: mpath, persona: "victim-support", status: 404, not: []string{r1.Reference}},
		{name: "meeting: an auditor has no MARAC role", method: "GET", path: mpath, persona: "auditor", status: 403},
		{name: "meeting: unknown", method: "GET", path: "/api/v1/marac/meetings/mm-none", persona: "coordinator", status: 404},
		{name: "meetings: listed", method: "GET", path: "/api/v1/marac/meetings", persona: "idva", status: 200, want: []string{meeting.ID}},
		{name: "meetings: none for a non-member", method: "GET", path: "/api/v1/marac/meetings", persona: "victim-support", status: 200, not: []string{meeting.ID}},
	})

	agenda := maracDecode[struct {
		Cases []maracCaseOut `json:"cases"`
	}](t, h.Do("GET", mpath, "coordinator", nil), http.StatusOK)
	if len(agenda.Cases) != 2 || agenda.Cases[0].Referral != r1.ID || agenda.Cases[1].Referral != r2.ID {
		t.Fatalf("agenda %+v", agenda.Cases)
	}
	case1, case2 := agenda.Cases[0].ID, agenda.Cases[1].ID
	cpath := "/api/v1/marac/cases/" + case1

	// The case through sharing.Release with the marac purpose.
	hc := maracDecode[maracCaseOut](t, h.Do("GET", cpath, "housing", nil), http.StatusOK)
	if !hc.Released.has("identity") || !hc.Released.has("suspect") || hc.Released.has("health") {
		t.Errorf("housing is shown %v", hc.Released.shown())
	}
	if hc.Research != nil || hc.ResearchStatus != nil {
		t.Errorf("housing sees research %+v status %+v before giving any", hc.Research, hc.ResearchStatus)
	}
	cc := maracDecode[maracCaseOut](t, h.Do("GET", cpath, "coordinator", nil), http.StatusOK)
	// The coordinator reads the case under its own agreement
	// (agencies/marac-coordinator.toml): what a chair needs, not the
	// victim's contact details or health.
	if !cc.Released.has("identity") || !cc.Released.has("risk") || cc.Released.has("contact") || cc.Released.has("health") {
		t.Errorf("the coordinator is shown %v", cc.Released.shown())
	}
	if cc.ResearchStatus == nil || !slices.Contains(cc.ResearchStatus.Outstanding, "housing") || slices.Contains(cc.ResearchStatus.Outstanding, "victim-support") {
		t.Errorf("research status %+v", cc.ResearchStatus)
	}

	research := map[string]any{"summary": "Tenant since 2019; sanctuary scheme assessed", "known_to_service": true, "open_case": false}
	maracRun(t, h, []maracCall{
		{name: "case: the officer's force sees it whole", method: "GET", path: cpath, persona: "officer", status: 200, want: []string{"Rowena Testperson", "anxiety"}},
		{name: "case: a non-member agency is told it does not exist", method: "GET", path: cpath, persona: "victim-support", status: 404, not: []string{"Rowena", r1.Reference}},
		{name: "case: unknown", method: "GET", path: "/api/v1/marac/cases/mc-none", persona: "housing", status: 404},
		{name: "case: an auditor has no MARAC role", method: "GET", path: cpath, persona: "auditor", status: 403},

		{name: "research: housing", method: "POST", path: cpath + "/research", persona: "housing", body: research, status: 200, want: []string{`"agency":"housing"`, "sanctuary scheme assessed"}},
		{name: "research: idva", method: "POST", path: cpath + "/research", persona: "idva", body: map[string]any{"known_to_service": false, "open_case": false}, status: 200},
		{name: "research: a non-member agency", method: "POST", path: cpath + "/research", persona: "victim-support", body: research, status: 404},
		{name: "research: the coordinator does not research", method: "POST", path: cpath + "/research", persona: "coordinator", body: research, status: 403},
		{name: "research: answers missing", method: "POST", path: cpath + "/research", persona: "health", body: map[string]any{"known_to_service": true}, status: 422, want: []string{`"open_case"`, `"summary"`}},
		{name: "research: an open case of someone unknown", method: "POST", path: cpath + "/research", persona: "health", body: map[string]any{"known_to_service": false, "open_case": true}, status: 422, want: []string{`"open_case"`}},
		{name: "research: unknown field", method: "POST", path: cpath + "/research", persona: "health", body: map[string]any{"known_to_service": false, "open_case": false, "gp": "x"}, status: 422, want: []string{`"gp"`}},
		{name: "research: a string for a yes or no", method: "POST", path: cpath + "/research", persona: "health", body: map[string]any{"known_to_service": "yes", "open_case": false}, status: 422, want: []string{`"known_to_service"`}},
		{name: "research: unknown case", method: "POST", path: "/api/v1/marac/cases/mc-none/research", persona: "health", body: research, status: 404},
		{name: "research: housing reads its own", method: "GET", path: cpath, persona: "housing", status: 200, want: []string{"sanctuary scheme assessed"}},
		{name: "research: the coordinator sees who, not what", method: "GET", path: cpath, persona: "coordinator", status: 200, want: []string{`"agency":"housing"`, `"agency":"idva"`}, not: []string{"sanctuary scheme assessed"}},
		{name: "research: idva does not read housing's on the case", method: "GET", path: cpath, persona: "idva", status: 200, not: []string{"sanctuary scheme assessed"}},
	})
	cc = maracDecode[maracCaseOut](t, h.Do("GET", cpath, "coordinator", nil), http.StatusOK)
	if slices.Contains(cc.ResearchStatus.Outstanding, "housing") || slices.Contains(cc.ResearchStatus.Outstanding, "idva") || !slices.Contains(cc.ResearchStatus.Outstanding, "health") {
		t.Errorf("after research, outstanding %v", cc.ResearchStatus.Outstanding)
	}

	// Actions.
	housingAction := maracDecode[maracActionOut](t, h.Do("POST", cpath+"/actions", "coordinator",
		map[string]any{"agency": "housing", "description": "Fit sanctuary locks", "due": maracDay(14)}), http.StatusCreated)
	if housingAction.Status != "open" || housingAction.Due != maracDay(14) || housingAction.ETag != `"1"` || housingAction.Overdue {
		t.Fatalf("action %+v", housingAction)
	}
	coordinator := identity.Principal{Subject: "test|coordinator", Roles: []identity.Role{identity.MARACCoordinator}}
	late, err := h.App.DB.AddAction(ctx, case1, marac.Action{Agency: "idva", Description: sealed.NewText("", category.Risk, "marac-coordinator", "Call the victim about the safety plan"),
		Due: time.Now().UTC().AddDate(0, 0, -2).Truncate(24 * time.Hour)}, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	apath := "/api/v1/marac/actions/" + housingAction.ID
	lpath := "/api/v1/marac/actions/" + late.ID
	maracRun(t, h, []maracCall{
		{name: "action: not a member", method: "POST", path: cpath + "/actions", persona: "coordinator", body: map[string]any{"agency": "victim-support", "description": "x", "due": maracDay(14)}, status: 422, want: []string{`"agency"`}},
		{name: "action: due in the past", method: "POST", path: cpath + "/actions", persona: "coordinator", body: map[string]any{"agency": "housing", "description": "x", "due": maracDay(-1)}, status: 422, want: []string{`"due"`}},
		{name: "action: empty", method: "POST", path: cpath + "/actions", persona: "coordinator", body: map[string]any{}, status: 422, want: []string{`"agency"`, `"description"`, `"due"`}},
		{name: "action: unknown field", method: "POST", path: cpath + "/actions", persona: "coordinator", body: map[string]any{"agency": "housing", "description": "x", "due": maracDay(14), "owner": "x"}, status: 422, want: []string{`"owner"`}},
		{name: "action: unknown case", method: "POST", path: "/api/v1/marac/cases/mc-none/actions", persona: "coordinator", body: map[string]any{"agency": "housing", "description": "x", "due": maracDay(14)}, status: 404},
		{name: "action: agency staff do not agree actions", method: "POST", path: cpath + "/actions", persona: "housing", body: map[string]any{"agency": "housing", "description": "x", "due": maracDay(14)}, status: 403},

		{name: "actions: housing sees its own", method: "GET", path: "/api/v1/marac/actions", persona: "housing", status: 200, want: []string{housingAction.ID, "Fit sanctuary locks"}, not: []string{late.ID}},
		{name: "actions: housing asks for idva's", method: "GET", path: "/api/v1/marac/actions?agency=idva", persona: "housing", status: 200, not: []string{late.ID, housingAction.ID}},
		{name: "actions: the coordinator filters by agency", method: "GET", path: "/api/v1/marac/actions?agency=idva", persona: "coordinator", status: 200, want: []string{late.ID}, not: []string{housingAction.ID}},
		{name: "actions: overdue", method: "GET", path: "/api/v1/marac/actions?overdue=true", persona: "coordinator", status: 200, want: []string{late.ID, `"overdue":true`}, not: []string{housingAction.ID}},
		{name: "actions: by status", method: "GET", path: "/api/v1/marac/actions?status=done", persona: "coordinator", status: 200, not: []string{late.ID, housingAction.ID}},
		{name: "actions: bad status", method: "GET", path: "/api/v1/marac/actions?status=finished", persona: "coordinator", status: 422, want: []string{`"status"`}},
		{name: "actions: bad overdue", method: "GET", path: "/api/v1/marac/actions?overdue=maybe", persona: "coordinator", status: 422, want: []string{`"overdue"`}},
		{name: "actions: an officer", method: "GET", path: "/api/v1/marac/actions", persona: "officer", status: 200},
		{name: "action: idva cannot see housing's", method: "GET", path: apath, persona: "idva", status: 404},

		{name: "update: another agency is told it does not exist", method: "PATCH", path: apath, persona: "idva", body: map[string]any{"status": "done"}, status: 404},
		{name: "update: an officer", method: "PATCH", path: apath, persona: "officer", body: map[string]any{"status": "done"}, status: 404},
		{name: "update: unknown status", method: "PATCH", path: apath, persona: "housing", body: map[string]any{"status": "finished"}, status: 422, want: []string{`"status"`}},
		{name: "update: unknown field", method: "PATCH", path: apath, persona: "housing", body: map[string]any{"status": "done", "when": "today"}, status: 422, want: []string{`"when"`}},
		{name: "update: stale If-Match", method: "PATCH", path: apath, persona: "housing", body: map[string]any{"status": "done"}, headers: []string{"If-Match", `"7"`}, status: 412},
		{name: "update: not possible needs what changed", method: "PATCH", path: lpath, persona: "idva", body: map[string]any{"status": "not_possible"}, status: 422, want: []string{`"note"`}},
		{name: "update: housing's is done", method: "PATCH", path: apath, persona: "housing", body: map[string]any{"status": "done", "note": "Locks fitted"}, headers: []string{"If-Match", `"1"`}, status: 200,
			want: []string{`"status":"done"`, `"etag":"\"2\""`}},
		{name: "update: done twice", method: "PATCH", path: apath, persona: "housing", body: map[string]any{"status": "done"}, status: 409},
		{name: "update: the owner cannot reopen", method: "PATCH", path: apath, persona: "housing", body: map[string]any{"status": "open"}, status: 403},
		{name: "update: unknown action", method: "PATCH", path: "/api/v1/marac/actions/ma-none", persona: "coordinator", body: map[string]any{"status": "done"}, status: 404},
	})
	done := h.Do("GET", apath, "housing", nil)
	if done.Header.Get("ETag") != `"2"` || !strings.Contains(string(done.Body), "Locks fitted") {
		t.Errorf("after the update: %s %s", done.Header.Get("ETag"), done.Body)
	}

	// The papers: only to attendees who acknowledged confidentiality.
	ppath := mpath + "/papers"
	ack := map[string]any{"acknowledged": true}
	maracRun(t, h, []maracCall{
		{name: "papers: before attending", method: "GET", path: ppath, persona: "housing", status: 403, not: []string{"released on bail"}},
		{name: "acknowledge: an agency not recorded as attending", method: "POST", path: mpath + "/acknowledgement", persona: "housing", body: ack, status: 403},
		{name: "attendance: not an attender", method: "POST", path: mpath + "/attendance", persona: "coordinator", body: map[string]any{"agency": "victim-support"}, status: 422, want: []string{`"agency"`}},
		{name: "attendance: unknown field", method: "POST", path: mpath + "/attendance", persona: "coordinator", body: map[string]any{"agency": "housing", "person": "x"}, status: 422},
		{name: "attendance: agency staff", method: "POST", path: mpath + "/attendance", persona: "housing", body: map[string]any{"agency": "housing"}, status: 403},
		{name: "attendance: unknown meeting", method: "POST", path: "/api/v1/marac/meetings/mm-none/attendance", persona: "coordinator", body: map[string]any{"agency": "housing"}, status: 404},
		{name: "attendance: housing attends", method: "POST", path: mpath + "/attendance", persona: "coordinator", body: map[string]any{"agency": "housing"}, status: 200, want: []string{`"attending":["housing"]`}},
		{name: "papers: an attendee who has not acknowledged", method: "GET", path: ppath, persona: "housing", status: 403, not: []string{"released on bail"}},
		{name: "acknowledge: without saying so", method: "POST", path: mpath + "/acknowledgement", persona: "housing", body: map[string]any{"acknowledged": false}, status: 422, want: []string{`"acknowledged"`}},
		{name: "acknowledge: empty", method: "POST", path: mpath + "/acknowledgement", persona: "housing", body: map[string]any{}, status: 422},
		{name: "acknowledge: housing", method: "POST", path: mpath + "/acknowledgement", persona: "housing", body: ack, status: 200, want: []string{`"agency":"housing"`, "Tom Hendry"}},
		{name: "papers: a member agency not attending", method: "GET", path: ppath, persona: "idva", status: 403, not: []string{"released on bail"}},
		{name: "acknowledge: a member agency not attending", method: "POST", path: mpath + "/acknowledgement", persona: "idva", body: ack, status: 403},
		{name: "papers: a non-member agency", method: "GET", path: ppath, persona: "victim-support", status: 404, not: []string{"released on bail"}},
		{name: "acknowledge: a non-member agency", method: "POST", path: mpath + "/acknowledgement", persona: "victim-support", body: ack, status: 404},
		{name: "papers: the police do not attend", method: "GET", path: ppath, persona: "officer", status: 403},
		{name: "papers: an auditor", method: "GET", path: ppath, persona: "auditor", status: 403},
		{name: "papers: unknown meeting", method: "GET", path: "/api/v1/marac/meetings/mm-none/papers", persona: "coordinator", status: 404},
		{name: "papers: the coordinator", method: "GET", path: ppath, persona: "coordinator", status: 200, want: []string{"RESTRICTED — MARAC", "released on bail", "Threats escalating", "Rowena"}, not: []string{"07700900123", "anxiety, on medication"}},
	})
	papers := maracDecode[maracPapersOut](t, h.Do("GET", ppath, "housing", nil), http.StatusOK)
	if papers.Marking != "RESTRICTED — MARAC" || len(papers.Cases) != 2 || papers.Cases[0].ID != case1 || papers.Cases[1].ID != case2 {
		t.Fatalf("papers %+v", papers)
	}
	c1 := papers.Cases[0]
	if c1.Note != "Suspect released on bail last week" || c1.Released == nil || !c1.Released.has("identity") || c1.Released.has("health") {
		t.Errorf("case 1 of the papers: note %q, released %+v", c1.Note, c1.Released)
	}
	var researchers []string
	for _, r := range c1.Research {
		researchers = append(researchers, r.Agency)
	}
	if !slices.Equal(researchers, []string{"housing", "idva"}) || len(c1.Actions) != 2 {
		t.Errorf("case 1: research from %v, actions %+v", researchers, c1.Actions)
	}

	// The papers were written to the audit log before they were answered,
	// and each case was released through sharing.Release with the marac purpose.
	entries, err := h.App.DB.AuditEntries(ctx, store.AuditFilter{Record: meeting.ID})
	if err != nil {
		t.Fatal(err)
	}
	papersRead := 0
	for _, e := range entries {
		if e.Action == audit.MARACPapers && e.ActorAgency == "housing" {
			papersRead++
		}
	}
	if papersRead != 1 {
		t.Errorf("%d papers entries for housing, want 1", papersRead)
	}
	entries, err = h.App.DB.AuditEntries(ctx, store.AuditFilter{Record: r1.ID})
	if err != nil {
		t.Fatal(err)
	}
	releases := 0
	for _, e := range entries {
		if e.Action == audit.Release && e.Purpose == "marac" && e.ActorAgency == "housing" {
			releases++
			if slices.Contains(e.Shown, "health") {
				t.Errorf("a marac release to housing shows health: %+v", e)
			}
		}
	}
	if releases < 3 {
		t.Errorf("%d marac releases of r1 to housing audited, want one per read (3)", releases)
	}
}

// A case heard again within 12 months of the same victim's and suspect's
// last MARAC is a repeat; past the meeting, research is refused and the case
// no longer goes to member agencies once its actions are closed.
func TestMARACRepeatAndAfterTheMeeting(t *testing.T) {
	h := maracHub(t)
	ctx := context.Background()
	first := createReferral(t, h, maracHighRiskReferral("housing"))
	again := createReferral(t, h, maracHighRiskReferral("housing"))
	coordinator := identity.Principal{Subject: "test|coordinator", Roles: []identity.Role{identity.MARACCoordinator}}

	// A meeting held last month, written through the store: the API takes
	// no meeting in the past.
	held, err := h.App.DB.CreateMeeting(ctx, marac.Meeting{Panel: "north", Date: time.Now().UTC().AddDate(0, -1, 0).Truncate(24 * time.Hour)}, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	h.App.DB.Now = func() time.Time { return held.Date.Add(-48 * time.Hour) }
	old, err := h.App.DB.AddCase(ctx, held.ID, marac.Case{ReferralID: first.ID, Criterion: marac.VisibleHighRisk}, coordinator)
	h.App.DB.Now = time.Now
	if err != nil {
		t.Fatal(err)
	}

	next := maracDecode[struct{ ID string }](t, h.Do("POST", "/api/v1/marac/meetings", "coordinator", map[string]any{"date": maracDay(3), "panel": "north"}), http.StatusCreated)
	added := maracDecode[maracCaseOut](t, h.Do("POST", "/api/v1/marac/meetings/"+next.ID+"/cases", "coordinator",
		map[string]any{"referral": again.ID, "criterion": "repeat"}), http.StatusCreated)
	if !added.Repeat {
		t.Errorf("the same victim and suspect within 12 months is not marked repeat: %+v", added)
	}

	maracRun(t, h, []maracCall{
		{name: "research after the meeting", method: "POST", path: "/api/v1/marac/cases/" + old.ID + "/research", persona: "housing",
			body: map[string]any{"known_to_service": false, "open_case": false}, status: 409},
		{name: "a case after its meeting with no open action", method: "GET", path: "/api/v1/marac/cases/" + old.ID, persona: "housing", status: 404},
		{name: "a case after the meeting on a held meeting", method: "POST", path: "/api/v1/marac/meetings/" + held.ID + "/cases", persona: "coordinator",
			body: map[string]any{"referral": again.ID, "criterion": "repeat"}, status: 409},
	})
}

// Every MARAC route of the API is in the OpenAPI document, with its method.
func TestMARACRoutesInOpenAPI(t *testing.T) {
	h := apptest.Start(t, nil)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	maracDecodeInto(t, h.Do("GET", "/api/v1/openapi.json", "", nil), &doc)
	n := 0
	for _, r := range h.App.Web.Routes() {
		path, ok := strings.CutPrefix(r.Path, "/api/v1")
		if !ok || !strings.HasPrefix(path, "/marac/") {
			continue
		}
		n++
		path = strings.ReplaceAll(path, ":id", "{id}")
		if _, ok := doc.Paths[path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s %s is not in openapi.json", r.Method, path)
		}
	}
	if n < 14 {
		t.Errorf("%d MARAC API routes, want 14", n)
	}
}

func maracDecodeInto(t *testing.T, res apptest.Response, v any) {
	t.Helper()
	if res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	res.JSON(t, v)
}

// Real answers of the MARAC API match the response schemas of the OpenAPI
// document (checked with openapi_test.go's conform).
func TestMARACOpenAPIDescribesRealAnswers(t *testing.T) {
	doc := openapiDoc(t)
	h := maracHub(t)
	r := createReferral(t, h, maracHighRiskReferral("housing", "idva"))
	var m, cs, a struct{ ID string }
	check := func(method, path, persona string, body any, status int, into any, headers ...string) {
		t.Helper()
		res := h.Do(method, path, persona, body, headers...)
		if res.Status != status {
			t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.Status, status, res.Body)
		}
		if into != nil {
			res.JSON(t, into)
		}
		route, _, _ := strings.Cut(strings.TrimPrefix(path, "/api/v1"), "?")
		var op map[string]any
		for p, item := range jsonAt(doc, "paths") {
			pattern := "^" + regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(regexp.QuoteMeta(p), "[^/]+") + "$"
			if regexp.MustCompile(pattern).MatchString(route) {
				op = jsonAt(item, strings.ToLower(method))
			}
		}
		resp, err := resolveRef(doc, jsonAt(op, "responses", strconv.Itoa(status)))
		if err != nil || resp == nil {
			t.Fatalf("%s %s: the document gives no %d answer", method, route, status)
		}
		schema := jsonAt(resp, "content", "application/json", "schema")
		if schema == nil {
			t.Fatalf("%s %s: the %d answer has no schema", method, route, status)
		}
		var v any
		if err := json.Unmarshal(res.Body, &v); err != nil {
			t.Fatalf("not JSON: %s", res.Body)
		}
		for _, p := range conform(doc, schema, v, method+" "+route+" body") {
			t.Error(p)
		}
	}
	check("GET", "/api/v1/marac/queue", "coordinator", nil, 200, nil)
	check("POST", "/api/v1/marac/meetings", "coordinator", map[string]any{"date": maracDay(5), "panel": "north"}, 201, &m)
	check("POST", "/api/v1/marac/meetings", "coordinator", map[string]any{"date": maracDay(-5), "panel": "north"}, 422, nil)
	check("GET", "/api/v1/marac/meetings", "housing", nil, 200, nil)
	check("POST", "/api/v1/marac/meetings/"+m.ID+"/cases", "coordinator", map[string]any{"referral": r.ID, "criterion": "visible_high_risk", "note": "n"}, 201, &cs)
	check("POST", "/api/v1/marac/meetings/"+m.ID+"/cases", "coordinator", map[string]any{"referral": r.ID, "criterion": "visible_high_risk"}, 409, nil)
	check("POST", "/api/v1/marac/meetings/"+m.ID+"/attendance", "coordinator", map[string]any{"agency": "housing"}, 200, nil)
	check("GET", "/api/v1/marac/meetings/"+m.ID, "idva", nil, 200, nil)
	check("POST", "/api/v1/marac/meetings/"+m.ID+"/acknowledgement", "housing", map[string]any{"acknowledged": true}, 200, nil)
	check("POST", "/api/v1/marac/meetings/"+m.ID+"/acknowledgement", "idva", map[string]any{"acknowledged": true}, 403, nil)
	check("POST", "/api/v1/marac/cases/"+cs.ID+"/research", "housing", map[string]any{"summary": "s", "known_to_service": true, "open_case": true}, 200, nil)
	check("GET", "/api/v1/marac/cases/"+cs.ID, "housing", nil, 200, nil)
	check("GET", "/api/v1/marac/cases/"+cs.ID, "coordinator", nil, 200, nil)
	check("GET", "/api/v1/marac/cases/"+cs.ID, "victim-support", nil, 404, nil)
	check("POST", "/api/v1/marac/cases/"+cs.ID+"/actions", "coordinator", map[string]any{"agency": "housing", "description": "d", "due": maracDay(9)}, 201, &a)
	check("GET", "/api/v1/marac/actions?status=open", "housing", nil, 200, nil)
	check("GET", "/api/v1/marac/actions/"+a.ID, "housing", nil, 200, nil)
	check("PATCH", "/api/v1/marac/actions/"+a.ID, "housing", map[string]any{"status": "done"}, 412, nil, "If-Match", `"9"`)
	check("PATCH", "/api/v1/marac/actions/"+a.ID, "housing", map[string]any{"status": "not_done", "note": "No capacity"}, 200, nil)
	check("GET", "/api/v1/marac/meetings/"+m.ID+"/papers", "housing", nil, 200, nil)
	check("GET", "/api/v1/marac/meetings/"+m.ID+"/papers", "coordinator", nil, 200, nil)
	check("GET", "/api/v1/marac/meetings/"+m.ID+"/papers", "idva", nil, 403, nil)
	check("PUT", "/api/v1/marac/cases/"+cs.ID+"/minutes", "coordinator", map[string]any{}, 422, nil)
	check("PUT", "/api/v1/marac/cases/"+cs.ID+"/minutes", "coordinator", map[string]any{"risks": "r", "decisions": "d", "actions": "a"}, 200, nil)
	check("PUT", "/api/v1/marac/meetings/"+m.ID+"/apologies", "coordinator", map[string]any{"agencies": []string{"idva"}}, 200, nil)
	check("GET", "/api/v1/marac/meetings/"+m.ID+"/papers", "coordinator", nil, 200, nil)
	check("GET", "/api/v1/marac/cases/"+cs.ID, "housing", nil, 200, nil)
	check("PATCH", "/api/v1/marac/cases/"+cs.ID, "coordinator", map[string]any{"criterion": "repeat", "reason": "r"}, 422, nil)
	check("PATCH", "/api/v1/marac/cases/"+cs.ID, "coordinator", map[string]any{"note": "A new note", "reason": "The panel asked"}, 200, nil)
	check("POST", "/api/v1/marac/cases/"+cs.ID+"/remove", "coordinator", map[string]any{"reason": "Heard elsewhere"}, 200, nil)
	check("POST", "/api/v1/marac/cases/"+cs.ID+"/remove", "coordinator", map[string]any{"reason": "Heard elsewhere"}, 409, nil)
	check("GET", "/api/v1/marac/cases/"+cs.ID, "coordinator", nil, 200, nil)
}

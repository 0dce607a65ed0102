package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/store"
)

// auditLen is the number of entries in the audit log.
func auditLen(t *testing.T, h *apptest.Hub) int {
	t.Helper()
	n, cursor := 0, int64(0)
	for {
		es, err := h.App.DB.AuditEntries(context.Background(), store.AuditFilter{Cursor: cursor, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		n += len(es)
		if len(es) < 1000 {
			return n
		}
		cursor = es[len(es)-1].Index + 1
	}
}

// readMoves reads path as persona and checks the answer and that the audit
// log grew by exactly want entries before it.
func readMoves(t *testing.T, h *apptest.Hub, persona, path string, want int) apptest.Response {
	t.Helper()
	before := auditLen(t, h)
	res := h.Do("GET", path, persona, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("%s reads %s: %d %s", persona, path, res.Status, res.Body)
	}
	if got := auditLen(t, h) - before; got != want {
		t.Errorf("%s reading %s wrote %d audit entries, want %d", persona, path, got, want)
	}
	return res
}

// Free text at MARAC goes only where its category may: housing's papers hold
// none of what health wrote as health research, but what the IDVA service
// filed as needs; once the case is no longer released to housing, the
// papers hold no research or note text at all, not even housing's own.
// Every read of a record about a person writes its audit entry first.
func TestMARACFreeTextAndReadsAudited(t *testing.T) {
	h := maracHub(t)
	r := createReferral(t, h, maracHighRiskReferral("housing", "health"))
	meeting := maracDecode[struct{ ID string }](t, h.Do("POST", "/api/v1/marac/meetings", "coordinator", map[string]any{"date": maracDay(7), "panel": "north"}), http.StatusCreated)
	mpath := "/api/v1/marac/meetings/" + meeting.ID
	cs := maracDecode[struct{ ID string }](t, h.Do("POST", mpath+"/cases", "coordinator",
		map[string]any{"referral": r.ID, "criterion": "visible_high_risk", "note": "NOTE-RISK suspect on bail"}), http.StatusCreated)
	cpath := "/api/v1/marac/cases/" + cs.ID
	for persona, body := range map[string]map[string]any{
		"health":  {"summary": "HEALTH-SECRET seen by the crisis team", "known_to_service": true, "open_case": true},
		"idva":    {"summary": "IDVA-NEEDS wants a refuge place", "known_to_service": true, "open_case": false, "category": "needs"},
		"housing": {"summary": "HOUSING-OWN tenant since 2019", "known_to_service": true, "open_case": false},
	} {
		if res := h.Do("POST", cpath+"/research", persona, body); res.Status != http.StatusOK {
			t.Fatalf("%s research: %d %s", persona, res.Status, res.Body)
		}
	}
	if res := h.Do("POST", cpath+"/research", "idva", map[string]any{"summary": "x", "known_to_service": true, "open_case": false, "category": "gossip"}); res.Status != 422 || !strings.Contains(string(res.Body), `"category"`) {
		t.Errorf("research with an unknown category: %d %s", res.Status, res.Body)
	}
	action := maracDecode[maracActionOut](t, h.Do("POST", cpath+"/actions", "coordinator",
		map[string]any{"agency": "housing", "description": "ACTION-DESC fit locks", "due": maracDay(14)}), http.StatusCreated)
	if res := h.Do("POST", mpath+"/attendance", "coordinator", map[string]any{"agency": "housing"}); res.Status != 200 {
		t.Fatalf("attendance: %d %s", res.Status, res.Body)
	}
	if res := h.Do("POST", mpath+"/acknowledgement", "housing", map[string]any{"acknowledged": true}); res.Status != 200 {
		t.Fatalf("acknowledge: %d %s", res.Status, res.Body)
	}

	// The papers: one entry for the papers, one release per case.
	papers := string(readMoves(t, h, "housing", mpath+"/papers", 2).Body)
	for _, want := range []string{"IDVA-NEEDS", "HOUSING-OWN", "NOTE-RISK", "ACTION-DESC", `"summary_withheld":"not in your agency's information-sharing agreement"`} {
		if !strings.Contains(papers, want) {
			t.Errorf("housing's papers lack %q: %s", want, papers)
		}
	}
	if strings.Contains(papers, "HEALTH-SECRET") || strings.Contains(papers, "crisis team") {
		t.Errorf("housing's papers hold health's research: %s", papers)
	}
	if !strings.Contains(papers, `"agency":"health","summary":"","summary_withheld"`) || strings.Contains(papers, `"known_to_service":true,"open_case":true`) {
		t.Errorf("health's answers are not withheld with its summary: %s", papers)
	}
	// The coordinator chairs with the research its agreement allows: not health's.
	coord := string(readMoves(t, h, "coordinator", mpath+"/papers", 2).Body)
	if !strings.Contains(coord, "IDVA-NEEDS") || strings.Contains(coord, "HEALTH-SECRET") {
		t.Errorf("the coordinator's papers: %s", coord)
	}

	// Each read of a record about a person: exactly one entry, first.
	readMoves(t, h, "housing", cpath, 1)
	one := string(readMoves(t, h, "housing", "/api/v1/marac/actions/"+action.ID, 1).Body)
	if !strings.Contains(one, "ACTION-DESC") {
		t.Errorf("housing's action: %s", one)
	}
	list := string(readMoves(t, h, "housing", "/api/v1/marac/actions", 1).Body)
	if !strings.Contains(list, "ACTION-DESC") {
		t.Errorf("housing's actions: %s", list)
	}
	// The first open also marks housing's share viewed, audited as a change.
	readMoves(t, h, "housing", "/api/v1/referrals/"+r.ID, 2)
	readMoves(t, h, "housing", "/api/v1/referrals/"+r.ID, 1)
	readMoves(t, h, "supervisor", "/api/v1/reports/outcomes?from=2026-01-01&to=2026-12-31", 1)
	readMoves(t, h, "auditor", "/api/v1/audit?referral="+r.ID, 1)
	readMoves(t, h, "auditor", "/api/v1/referrals/"+r.ID+"/audit", 1)

	// After the meeting, with its action done, the case is no longer
	// released to housing: the papers keep the agenda, not the text.
	if res := h.Do("PATCH", "/api/v1/marac/actions/"+action.ID, "housing", map[string]any{"status": "done", "note": "NOTE-DONE locks fitted"}); res.Status != 200 {
		t.Fatalf("done: %d %s", res.Status, res.Body)
	}
	later := func() time.Time { return time.Now().AddDate(0, 0, 9) }
	h.App.DB.Now, h.App.Web.Now = later, later
	defer func() { h.App.DB.Now, h.App.Web.Now = time.Now, time.Now }()
	after := maracDecode[maracPapersOut](t, h.Do("GET", mpath+"/papers", "housing", nil), http.StatusOK)
	if len(after.Cases) != 1 || after.Cases[0].Released != nil {
		t.Fatalf("papers after the meeting: %+v", after.Cases)
	}
	body := string(h.Do("GET", mpath+"/papers", "housing", nil).Body)
	for _, text := range []string{"IDVA-NEEDS", "HOUSING-OWN", "NOTE-RISK", "ACTION-DESC", "NOTE-DONE", "HEALTH-SECRET"} {
		if strings.Contains(body, text) {
			t.Errorf("a reader whose case is not released reads %q: %s", text, body)
		}
	}
}

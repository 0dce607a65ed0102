package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/store"
)

// The coordinator edits a case's criterion and note, and takes a case off
// the agenda, each with a reason: the criterion must still be one the case
// meets; the history is kept and audited; a removed case leaves the agenda
// and the papers but stays in the record, and its referral waits again.
func TestMARACEditAndRemoveCase(t *testing.T) {
	h := maracHub(t)
	r := createReferral(t, h, maracHighRiskReferral("housing", "idva"))
	meeting := maracDecode[struct {
		ID string `json:"id"`
	}](t, h.Do("POST", "/api/v1/marac/meetings", "coordinator", map[string]any{"date": maracDay(7), "panel": "north"}), http.StatusCreated)
	cs := maracDecode[struct {
		ID string `json:"id"`
	}](t, h.Do("POST", "/api/v1/marac/meetings/"+meeting.ID+"/cases", "coordinator", map[string]any{"referral": r.ID, "criterion": "visible_high_risk"}), http.StatusCreated)
	path := "/api/v1/marac/cases/" + cs.ID

	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"criterion": "professional_judgement", "note": "School reports threats"}, "reason"},
		{map[string]any{"criterion": "repeat", "reason": "Heard before"}, "criterion"},
		{map[string]any{"criterion": "professional_judgement", "reason": "Concern"}, "note"},
		{map[string]any{"criterion": "visible_high_risk", "reason": "No change"}, "criterion"},
		{map[string]any{"criterion": "sometimes", "reason": "x"}, "criterion"},
	} {
		res := h.Do("PATCH", path, "coordinator", bad.body)
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), `"`+bad.field+`"`) {
			t.Errorf("%v: %d %s", bad.body, res.Status, res.Body)
		}
	}
	if res := h.Do("PATCH", path, "housing", map[string]any{"criterion": "professional_judgement", "note": "n", "reason": "r"}); res.Status != http.StatusForbidden {
		t.Errorf("housing edits a case: %d", res.Status)
	}
	edited := maracDecode[struct {
		Criterion string `json:"criterion"`
	}](t, h.Do("PATCH", path, "coordinator", map[string]any{"criterion": "professional_judgement", "note": "Threats to the children reported by the school", "reason": "The panel asked for the concern"}), http.StatusOK)
	if edited.Criterion != "professional_judgement" {
		t.Errorf("edited criterion %q", edited.Criterion)
	}
	papers := h.Do("GET", "/api/v1/marac/meetings/"+meeting.ID+"/papers", "coordinator", nil)
	if !strings.Contains(string(papers.Body), "Threats to the children reported by the school") {
		t.Errorf("the new note is not in the papers: %s", papers.Body)
	}

	if res := h.Do("POST", path+"/remove", "coordinator", map[string]any{}); res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), `"reason"`) {
		t.Errorf("removal without a reason: %d %s", res.Status, res.Body)
	}
	removed := maracDecode[struct {
		RemovedAt string `json:"removed_at"`
	}](t, h.Do("POST", path+"/remove", "coordinator", map[string]any{"reason": "Heard at the neighbouring panel"}), http.StatusOK)
	if removed.RemovedAt == "" {
		t.Error("the removed case has no removed_at")
	}
	if res := h.Do("POST", path+"/remove", "coordinator", map[string]any{"reason": "again"}); res.Status != http.StatusConflict {
		t.Errorf("removing twice: %d", res.Status)
	}
	if res := h.Do("PATCH", path, "coordinator", map[string]any{"criterion": "visible_high_risk", "reason": "back"}); res.Status != http.StatusConflict {
		t.Errorf("editing a removed case: %d", res.Status)
	}
	if res := h.Do("POST", path+"/actions", "coordinator", map[string]any{"agency": "housing", "description": "d", "due": maracDay(9)}); res.Status != http.StatusConflict {
		t.Errorf("an action on a removed case: %d %s", res.Status, res.Body)
	}
	agenda := h.Do("GET", "/api/v1/marac/meetings/"+meeting.ID, "coordinator", nil)
	if strings.Contains(string(agenda.Body), cs.ID) {
		t.Errorf("the removed case is still on the agenda: %s", agenda.Body)
	}
	papers = h.Do("GET", "/api/v1/marac/meetings/"+meeting.ID+"/papers", "coordinator", nil)
	if strings.Contains(string(papers.Body), cs.ID) {
		t.Errorf("the removed case is still in the papers")
	}
	if res := h.Do("GET", path, "coordinator", nil); res.Status != http.StatusOK || !strings.Contains(string(res.Body), "removed_at") {
		t.Errorf("the removed case left the record: %d %s", res.Status, res.Body)
	}
	if q := h.Do("GET", "/api/v1/marac/queue", "coordinator", nil); !strings.Contains(string(q.Body), r.ID) {
		t.Errorf("the referral does not wait again: %s", q.Body)
	}
	entries, err := h.App.DB.AuditEntries(context.Background(), store.AuditFilter{Record: r.ID})
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, e := range entries {
		if e.Action == audit.MARACCaseChanged {
			details = append(details, e.Detail)
		}
	}
	if len(details) != 2 || !strings.HasPrefix(details[0], "edited criterion visible_high_risk to professional_judgement") || details[1] != "removed" {
		t.Errorf("the case's changes in the audit log: %q", details)
	}
}

package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// A case is heard under a criterion it meets, or under professional
// judgement with a note; a referral that waits for no criterion cannot be
// listed under one.
func TestMARACCriterionMustBeMet(t *testing.T) {
	h := maracHub(t)
	high := createReferral(t, h, maracHighRiskReferral("housing", "idva"))
	low := exampleReferral()
	low["incidents"] = map[string]any{"count": 1, "first": "2026-11-20", "last": "2026-11-20"}
	single := createReferral(t, h, low)
	meeting := maracDecode[struct {
		ID string `json:"id"`
	}](t, h.Do("POST", "/api/v1/marac/meetings", "coordinator", map[string]any{"date": maracDay(7), "panel": "north"}), http.StatusCreated)
	add := func(referral, criterion, note string) (int, string) {
		res := h.Do("POST", "/api/v1/marac/meetings/"+meeting.ID+"/cases", "coordinator", map[string]any{"referral": referral, "criterion": criterion, "note": note})
		return res.Status, string(res.Body)
	}
	if status, body := add(high.ID, "repeat", ""); status != http.StatusUnprocessableEntity || !strings.Contains(body, `"criterion"`) {
		t.Errorf("a first referral listed as a repeat: %d %s", status, body)
	}
	if status, body := add(single.ID, "potential_escalation", ""); status != http.StatusUnprocessableEntity || !strings.Contains(body, `"criterion"`) {
		t.Errorf("a single incident listed as escalation: %d %s", status, body)
	}
	if status, body := add(single.ID, "professional_judgement", ""); status != http.StatusUnprocessableEntity || !strings.Contains(body, `"note"`) {
		t.Errorf("professional judgement without a note: %d %s", status, body)
	}
	if status, body := add(high.ID, "visible_high_risk", ""); status != http.StatusCreated {
		t.Errorf("a criterion met: %d %s", status, body)
	}
	if status, body := add(single.ID, "professional_judgement", "Threats to the children reported by the school."); status != http.StatusCreated {
		t.Errorf("professional judgement with a note: %d %s", status, body)
	}
}

// The police can own an action: officers see and complete it, other
// agencies cannot see it. The coordinator chases an owner and gives an
// action more time, with a reason; bad extensions name their field.
func TestMARACPoliceActionChaseAndExtend(t *testing.T) {
	h := maracHub(t)
	r := createReferral(t, h, maracHighRiskReferral("housing", "idva"))
	meeting := maracDecode[struct {
		ID string `json:"id"`
	}](t, h.Do("POST", "/api/v1/marac/meetings", "coordinator", map[string]any{"date": maracDay(7), "panel": "north"}), http.StatusCreated)
	cs := maracDecode[struct {
		ID string `json:"id"`
	}](t, h.Do("POST", "/api/v1/marac/meetings/"+meeting.ID+"/cases", "coordinator", map[string]any{"referral": r.ID, "criterion": "visible_high_risk"}), http.StatusCreated)
	police := maracDecode[maracActionOut](t, h.Do("POST", "/api/v1/marac/cases/"+cs.ID+"/actions", "coordinator",
		map[string]any{"agency": "police", "description": "Serve the stalking protection order", "due": maracDay(9)}), http.StatusCreated)

	var mine struct{ Actions []maracActionOut }
	h.Do("GET", "/api/v1/marac/actions", "officer", nil).JSON(t, &mine)
	if len(mine.Actions) != 1 || mine.Actions[0].ID != police.ID {
		t.Fatalf("the officer's actions: %+v", mine.Actions)
	}
	if res := h.Do("GET", "/api/v1/marac/actions/"+police.ID, "housing", nil); res.Status != http.StatusNotFound {
		t.Errorf("housing reads the police's action: %d", res.Status)
	}

	if res := h.Do("POST", "/api/v1/marac/actions/"+police.ID+"/chase", "housing", nil); res.Status != http.StatusForbidden {
		t.Errorf("housing chases: %d", res.Status)
	}
	if res := h.Do("POST", "/api/v1/marac/actions/"+police.ID+"/chase", "coordinator", nil); res.Status != http.StatusOK {
		t.Errorf("chase: %d %s", res.Status, res.Body)
	}
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"due": maracDay(20)}, "reason"},
		{map[string]any{"due": maracDay(8), "reason": "The court date moved"}, "due"},
		{map[string]any{"due": "next week", "reason": "The court date moved"}, "due"},
	} {
		res := h.Do("POST", "/api/v1/marac/actions/"+police.ID+"/due", "coordinator", bad.body)
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), `"`+bad.field+`"`) {
			t.Errorf("%v: %d %s", bad.body, res.Status, res.Body)
		}
	}
	res := h.Do("POST", "/api/v1/marac/actions/"+police.ID+"/due", "coordinator", map[string]any{"due": maracDay(21), "reason": "The court date moved"})
	var moved maracActionOut
	res.JSON(t, &moved)
	if res.Status != http.StatusOK || moved.Due != maracDay(21) {
		t.Fatalf("extend: %d %s", res.Status, res.Body)
	}
	if res := h.Do("PATCH", "/api/v1/marac/actions/"+police.ID, "officer", map[string]any{"status": "done"}); res.Status != http.StatusOK {
		t.Errorf("the officer completes the police's action: %d %s", res.Status, res.Body)
	}
	if res := h.Do("POST", "/api/v1/marac/actions/"+police.ID+"/chase", "coordinator", nil); res.Status != http.StatusConflict {
		t.Errorf("chasing a done action: %d", res.Status)
	}
}

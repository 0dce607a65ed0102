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

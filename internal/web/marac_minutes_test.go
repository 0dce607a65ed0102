package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/store"
)

// The coordinator minutes a case (risks, decisions, actions agreed) and
// records the meeting's apologies; attendees who acknowledged read the
// minutes on the case and in the papers through their view, others do not;
// the minutes are audited with no text and are never stored in clear.
func TestMARACMinutesAndApologies(t *testing.T) {
	h := maracHub(t)
	r := createReferral(t, h, maracHighRiskReferral("housing", "idva"))
	meeting := maracDecode[struct {
		ID string `json:"id"`
	}](t, h.Do("POST", "/api/v1/marac/meetings", "coordinator", map[string]any{"date": maracDay(7), "panel": "north"}), http.StatusCreated)
	cs := maracDecode[struct {
		ID string `json:"id"`
	}](t, h.Do("POST", "/api/v1/marac/meetings/"+meeting.ID+"/cases", "coordinator", map[string]any{"referral": r.ID, "criterion": "visible_high_risk"}), http.StatusCreated)
	path := "/api/v1/marac/cases/" + cs.ID + "/minutes"
	if res := h.Do("PUT", path, "coordinator", map[string]any{}); res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), `"risks"`) {
		t.Errorf("empty minutes: %d %s", res.Status, res.Body)
	}
	if res := h.Do("PUT", path, "coordinator", map[string]any{"risks": "r", "category": "nonsense"}); res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), `"category"`) {
		t.Errorf("an unknown category: %d %s", res.Status, res.Body)
	}
	if res := h.Do("PUT", path, "housing", map[string]any{"risks": "r"}); res.Status != http.StatusForbidden {
		t.Errorf("housing writes minutes: %d", res.Status)
	}
	minutes := map[string]any{"risks": "Suspect seen near the school gates", "decisions": "Sanctuary scheme referral", "actions": "Housing to fit locks"}
	saved := maracDecode[struct{ Risks, Decisions, Actions string }](t, h.Do("PUT", path, "coordinator", minutes), http.StatusOK)
	if saved.Risks != "Suspect seen near the school gates" || saved.Actions != "Housing to fit locks" {
		t.Errorf("saved minutes: %+v", saved)
	}
	if res := h.Do("PUT", "/api/v1/marac/meetings/"+meeting.ID+"/apologies", "coordinator", map[string]any{"agencies": []string{"nowhere"}}); res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), `"agencies"`) {
		t.Errorf("apologies from an unknown agency: %d %s", res.Status, res.Body)
	}
	ap := maracDecode[struct{ Apologies []string }](t, h.Do("PUT", "/api/v1/marac/meetings/"+meeting.ID+"/apologies", "coordinator", map[string]any{"agencies": []string{"idva"}}), http.StatusOK)
	if len(ap.Apologies) != 1 || ap.Apologies[0] != "idva" {
		t.Errorf("apologies: %v", ap.Apologies)
	}

	// Housing attends; before acknowledging it reads the case without minutes.
	h.Do("POST", "/api/v1/marac/meetings/"+meeting.ID+"/attendance", "coordinator", map[string]any{"agency": "housing"})
	if res := h.Do("GET", "/api/v1/marac/cases/"+cs.ID, "housing", nil); res.Status != http.StatusOK || strings.Contains(string(res.Body), "school gates") {
		t.Errorf("housing reads minutes before acknowledging: %d %s", res.Status, res.Body)
	}
	h.Do("POST", "/api/v1/marac/meetings/"+meeting.ID+"/acknowledgement", "housing", map[string]any{"acknowledged": true})
	if res := h.Do("GET", "/api/v1/marac/cases/"+cs.ID, "housing", nil); !strings.Contains(string(res.Body), "school gates") {
		t.Errorf("housing, acknowledged, lacks the minutes: %s", res.Body)
	}
	papers := h.Do("GET", "/api/v1/marac/meetings/"+meeting.ID+"/papers", "housing", nil)
	if !strings.Contains(string(papers.Body), "Sanctuary scheme referral") || !strings.Contains(string(papers.Body), `"apologies":["idva"]`) {
		t.Errorf("the papers lack the minutes or apologies: %s", papers.Body)
	}
	entries, err := h.App.DB.AuditEntries(context.Background(), store.AuditFilter{Record: r.ID})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Action == audit.MARACCaseChanged && e.Detail == "minutes" {
			n++
		}
		if strings.Contains(e.Detail, "school") {
			t.Errorf("minutes text in the audit log: %q", e.Detail)
		}
	}
	if n != 1 {
		t.Errorf("%d minutes entries, want 1", n)
	}
}

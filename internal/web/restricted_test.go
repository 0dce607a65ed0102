package web_test

import (
	"context"
	"github.com/stalking-hub/hub/internal/category"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/store"
)

// A restricted referral through the API: force-wide until restricted; then
// only its officer, supervisors and named officers read it whole, any other
// officer reads it only on a reason, audited as break-glass and listed for
// supervisors, and may do nothing else with it. Agencies see no change.
func TestRestrictedReferralAndBreakGlass(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	path := "/api/v1/referrals/" + r.ID
	read := func(persona string) released {
		t.Helper()
		res := h.Do("GET", path, persona, nil)
		if res.Status != 200 {
			t.Fatalf("%s reads: %d %s", persona, res.Status, res.Body)
		}
		var got released
		res.JSON(t, &got)
		return got
	}
	restrict := func(persona string, body map[string]any) apptest.Response {
		return h.Do("PUT", path+"/restriction", persona, body)
	}
	if got := read("officer2"); len(got.Sections) != 9 {
		t.Fatalf("unrestricted, another officer reads %v", got.shown())
	}
	if res := restrict("officer2", map[string]any{"restricted": true}); res.Status != http.StatusForbidden {
		t.Fatalf("another officer restricts it: %d %s", res.Status, res.Body)
	}
	if res := restrict("officer", map[string]any{"officers": []string{}}); res.Status != 422 || !strings.Contains(string(res.Body), `"restricted"`) {
		t.Fatalf("restriction without saying whether: %d %s", res.Status, res.Body)
	}
	if res := restrict("officer", map[string]any{"restricted": true}); res.Status != 200 {
		t.Fatalf("the raising officer restricts it: %d %s", res.Status, res.Body)
	}

	got := read("officer2")
	if len(got.Sections) != 0 || len(got.Withheld) != int(category.Count) || !strings.Contains(got.Withheld[0].Reason, "restricted") {
		t.Fatalf("restricted, another officer reads %v, withheld %+v", got.shown(), got.Withheld)
	}
	if got := read("officer"); len(got.Sections) != 9 {
		t.Errorf("the raising officer reads %v", got.shown())
	}
	if got := read("supervisor"); len(got.Sections) != 9 {
		t.Errorf("a supervisor reads %v", got.shown())
	}
	if got := read("housing"); !got.has("identity") || got.has("health") {
		t.Errorf("the restriction changed what housing reads: %v", got.shown())
	}
	for _, call := range []struct{ method, path string }{
		{"POST", path + "/consent"}, {"POST", path + "/overrides"}, {"GET", path + "/links"},
	} {
		if res := h.Do(call.method, call.path, "officer2", map[string]any{}); res.Status != 404 {
			t.Errorf("another officer %s %s: %d, want 404", call.method, call.path, res.Status)
		}
	}

	if res := h.Do("POST", path+"/break-glass", "officer2", map[string]any{"reason": "  "}); res.Status != 422 || !strings.Contains(string(res.Body), `"reason"`) {
		t.Fatalf("break-glass without a reason: %d %s", res.Status, res.Body)
	}
	const reason = "Suspect arrested on my shift; checking the bail conditions"
	res := h.Do("POST", path+"/break-glass", "officer2", map[string]any{"reason": reason})
	if res.Status != 200 {
		t.Fatalf("break-glass: %d %s", res.Status, res.Body)
	}
	var whole released
	res.JSON(t, &whole)
	if len(whole.Sections) != 9 {
		t.Fatalf("break-glass reads %v", whole.shown())
	}
	entries, err := h.App.DB.AuditEntries(context.Background(), store.AuditFilter{Record: r.ID, Action: audit.Release})
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if !slices.Contains(last.Rules, "break_glass") || !strings.HasPrefix(last.Detail, "break_glass bg-") || len(last.Shown) != int(category.Count) {
		t.Errorf("the break-glass read is audited as %+v", last)
	}
	for _, e := range entries {
		if strings.Contains(e.Detail, "bail") {
			t.Errorf("the reason is in the audit log: %+v", e)
		}
	}
	if res := h.Do("GET", "/api/v1/break-glass", "officer", nil); res.Status != http.StatusForbidden {
		t.Errorf("an officer lists break-glass reads: %d", res.Status)
	}
	list := h.Do("GET", "/api/v1/break-glass", "supervisor", nil)
	if list.Status != 200 || !strings.Contains(string(list.Body), reason) || !strings.Contains(string(list.Body), "PC Marcus Oyelaran") || !strings.Contains(string(list.Body), r.Reference) {
		t.Errorf("supervisors' list: %d %s", list.Status, list.Body)
	}

	// Named, the other officer reads it whole without a reason.
	if res := restrict("officer", map[string]any{"restricted": true, "officers": []string{"Marcus.Oyelaran@police.example.gov.uk"}}); res.Status != 200 {
		t.Fatalf("naming an officer: %d %s", res.Status, res.Body)
	}
	if got := read("officer2"); len(got.Sections) != 9 {
		t.Errorf("a named officer reads %v", got.shown())
	}
}

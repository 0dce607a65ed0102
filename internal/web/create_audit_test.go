package web_test

import (
	"context"
	"testing"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/store"
)

// The answer to a create is the creator's release, recorded once, in the
// same transaction as the creation: the log holds the creation and then
// the release, with what the officer was shown.
func TestCreateAnswersTheReleaseItRecorded(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	entries, err := h.App.DB.AuditEntries(context.Background(), store.AuditFilter{Record: r.ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []audit.Action
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if len(entries) != 2 || actions[0] != audit.ReferralCreated || actions[1] != audit.Release {
		t.Fatalf("the referral's audit entries: %v, want its creation then one release", actions)
	}
	// A category shown but holding nothing (no orders yet) has no section.
	shown := map[string]bool{}
	for _, c := range entries[1].Shown {
		shown[c] = true
	}
	for _, c := range r.shown() {
		if !shown[c] {
			t.Errorf("the answer shows %s, which the release recorded does not", c)
		}
	}
	if len(entries[1].Withheld) != len(r.Withheld) || entries[1].Purpose != "referral" {
		t.Errorf("the release recorded shows %v, withholds %v for %q; the answer showed %v, withheld %v", entries[1].Shown, entries[1].Withheld, entries[1].Purpose, r.shown(), r.Withheld)
	}
}

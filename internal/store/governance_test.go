package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/sharing"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
	"github.com/stalking-hub/hub/internal/store"
	"github.com/stalking-hub/hub/internal/store/storetest"
)

func newReferral(t *testing.T, db *store.DB, officer identity.Principal) (id, reference string) {
	t.Helper()
	ctx := context.Background()
	var s referral.Submission
	s.Offence, s.Summary, s.Risk.Level = "stalking", "Followed to work repeatedly.", "medium"
	s.Victim.Name, s.Victim.SafeContact.Method = "Vera Victim", "phone"
	s.Agencies = []referral.Request{{Agency: "housing"}}
	now := db.Now()
	id, _, err := db.CreateReferral(ctx, referral.NewReferral{Submission: s, Officer: officer, Due: map[string]time.Time{"housing": now.Add(time.Hour)},
		Consent: consent.Consent{Decision: consent.Refused, RecordedBy: officer.Subject, RecordedAt: now}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := db.Referral(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return id, r.Reference
}

func TestPendingOverridesNameTheirReferral(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	officer := identity.Principal{Subject: "iss|officer", Roles: []identity.Role{identity.Officer}}
	supervisor := identity.Principal{Subject: "iss|supervisor", Roles: []identity.Role{identity.Supervisor}, AuthTime: time.Now().Unix()}
	first, firstRef := newReferral(t, db, officer)
	second, secondRef := newReferral(t, db, officer)
	ask := func(referralID string) consent.Override {
		o, err := db.RequestOverride(ctx, referralID, consent.Override{Basis: "vital_interests", Rationale: txt("Risk to life."), Agencies: []string{"housing"},
			Categories: category.SetOf(category.Identity), Until: time.Now().Add(48 * time.Hour)}, officer)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	a, b, decided := ask(first), ask(second), ask(second)
	if _, err := db.DecideOverride(ctx, decided.ID, func(o consent.Override) (consent.Override, error) {
		return consent.Decide(o, supervisor, true, "", time.Now(), time.Hour)
	}, supervisor); err != nil {
		t.Fatal(err)
	}
	pending, err := db.PendingOverrides(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 {
		t.Fatalf("%d pending requests, want 2 (the decided one is not pending)", len(pending))
	}
	want := map[string][2]string{a.ID: {first, firstRef}, b.ID: {second, secondRef}}
	for _, p := range pending {
		w, ok := want[p.ID]
		if !ok || p.ReferralID != w[0] || p.Reference != w[1] || p.Status != consent.OverridePending || opened(p.Rationale) != "Risk to life." {
			t.Errorf("pending %+v, want referral %v", p, w)
		}
	}
}

func TestReferralByReferenceAndReferences(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	officer := identity.Principal{Subject: "iss|officer", Roles: []identity.Role{identity.Officer}}
	id, ref := newReferral(t, db, officer)
	other, otherRef := newReferral(t, db, officer)
	for _, in := range []string{ref, " " + ref + " ", "sh" + ref[2:]} {
		got, err := db.ReferralIDByReference(ctx, in)
		if err != nil || got != id {
			t.Errorf("reference %q: %q %v, want %q", in, got, err, id)
		}
	}
	if _, err := db.ReferralIDByReference(ctx, "SH-1999-000001"); problem.CodeOf(err) != problem.NotFound {
		t.Errorf("an unknown reference: %v, want not found", err)
	}
	refs, err := db.References(ctx, []string{id, other, id, "case-1", ""})
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 2 || refs[id] != ref || refs[other] != otherRef {
		t.Errorf("references %v", refs)
	}
	if refs, err := db.References(ctx, nil); err != nil || len(refs) != 0 {
		t.Errorf("no ids: %v %v", refs, err)
	}
}

// txt is a rationale as an officer hands it to the store, holding the risk.
func txt(s string) sealed.Text { return sealed.NewText("", category.Risk, agency.Police, s) }

// opened is what the originating force reads of t, through sharing.Release.
func opened(t sealed.Text) string {
	v, err := sharing.Release(identity.Principal{Subject: "iss|officer", Roles: []identity.Role{identity.Officer}}, &referral.Referral{ID: t.Referral()}, agency.Referral, nil, time.Now())
	if err != nil {
		return "release refused: " + err.Error()
	}
	s, _ := v.Text(t)
	return s
}

package store

import (
	"context"
	"testing"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
)

// A decline's and a close's codes are written with the status and read back
// with the share, whole and in lists; a wrong code writes nothing.
func TestShareCodes(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	id, _ := create(t, db, submission("A", "high"), "", "")
	housing := identity.Principal{Subject: "iss|h", Roles: []identity.Role{identity.AgencyStaff}, Agency: "housing"}
	health := identity.Principal{Subject: "iss|g", Roles: []identity.Role{identity.AgencyStaff}, Agency: "health"}

	for _, c := range []struct {
		name  string
		c     referral.StatusChange
		field string
	}{
		{"an outcome's code on a decline", referral.StatusChange{To: referral.Declined, Reason: "x", ReasonCode: "rehoused_or_moved"}, "reason_code"},
		{"a reason code on an acceptance", referral.StatusChange{To: referral.Accepted, ReasonCode: "out_of_area"}, "reason_code"},
	} {
		c.c.ReferralID, c.c.Agency, c.c.Actor = id, "health", health
		_, err := db.ChangeShareStatus(ctx, c.c)
		if pe, ok := problem.As(err); !ok || pe.Fields[c.field] == "" {
			t.Fatalf("%s: %v, want a problem with %s", c.name, err, c.field)
		}
	}
	s, err := db.ChangeShareStatus(ctx, referral.StatusChange{ReferralID: id, Agency: "health", To: referral.Declined, Reason: "Registered with a practice in another county",
		ReasonCode: "out_of_area", Actor: health})
	if err != nil || s.ReasonCode != "out_of_area" || s.OutcomeCode != "" || s.Status != referral.Declined || s.Version != 2 {
		t.Fatalf("decline: %+v %v", s, err)
	}
	for _, to := range []referral.StatusChange{
		{To: referral.Accepted, ReasonCode: ""},
		{To: referral.Closed, Outcome: "New locks and a door camera", OutcomeCode: "safety_measures"},
	} {
		to.ReferralID, to.Agency, to.Actor = id, "housing", housing
		if _, err := db.ChangeShareStatus(ctx, to); err != nil {
			t.Fatalf("housing to %s: %v", to.To, err)
		}
	}

	r, err := db.Referral(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]string{}
	for _, sh := range r.Shares {
		got[sh.Agency] = [2]string{sh.ReasonCode, sh.OutcomeCode}
	}
	want := map[string][2]string{"health": {"out_of_area", ""}, "housing": {"", "safety_measures"}}
	if got["health"] != want["health"] || got["housing"] != want["housing"] {
		t.Fatalf("codes read back %v, want %v", got, want)
	}
	page, err := db.Referrals(ctx, ListFilter{Limit: 10, Now: db.Now()})
	if err != nil || len(page.Referrals) != 1 {
		t.Fatalf("list: %+v %v", page, err)
	}
	for _, sh := range page.Referrals[0].Shares {
		if [2]string{sh.ReasonCode, sh.OutcomeCode} != want[sh.Agency] {
			t.Errorf("the list's share of %s has codes %q %q, want %v", sh.Agency, sh.ReasonCode, sh.OutcomeCode, want[sh.Agency])
		}
	}
}

// An uncoded decline stays uncoded: the API's codes are optional.
func TestShareWithoutCode(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	id, _ := create(t, db, submission("A", "standard"), "", "")
	staff := identity.Principal{Subject: "iss|h", Roles: []identity.Role{identity.AgencyStaff}, Agency: "housing"}
	s, err := db.ChangeShareStatus(ctx, referral.StatusChange{ReferralID: id, Agency: "housing", To: referral.Declined, Reason: "Out of our area", Actor: staff})
	if err != nil || s.ReasonCode != "" || s.Reason != "Out of our area" {
		t.Fatalf("uncoded decline: %+v %v", s, err)
	}
}

package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
)

var officer2 = identity.Principal{Subject: "iss|officer2", Name: "PC Other", Roles: []identity.Role{identity.Officer}}

func TestDraftBelongsToItsOfficer(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	var sub referral.Submission
	sub.Victim.Name, sub.Victim.SafeContact.Instructions = "Ottoline Vexley-Prendergast", "never leave voicemail"
	id, err := db.SaveDraft(ctx, officer, "", sub)
	if err != nil || id == "" {
		t.Fatalf("create: %q %v", id, err)
	}
	sub.Offence = "stalking"
	if again, err := db.SaveDraft(ctx, officer, id, sub); err != nil || again != id {
		t.Fatalf("update: %q %v", again, err)
	}
	d, err := db.Draft(ctx, officer.Subject, id)
	if err != nil || d.Submission.Victim.Name != sub.Victim.Name || d.Submission.Offence != "stalking" || d.Officer != officer.Subject {
		t.Fatalf("open: %+v %v", d, err)
	}

	// Another officer can neither open, overwrite, list nor delete it, and
	// is told exactly what a missing draft tells.
	if _, err := db.Draft(ctx, officer2.Subject, id); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("other officer opens: %v", err)
	}
	if _, err := db.SaveDraft(ctx, officer2, id, referral.Submission{}); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("other officer saves: %v", err)
	}
	if err := db.DeleteDraft(ctx, officer2.Subject, id); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("other officer deletes: %v", err)
	}
	if ds, err := db.Drafts(ctx, officer2.Subject); err != nil || len(ds) != 0 {
		t.Fatalf("other officer lists %d drafts: %v", len(ds), err)
	}
	_, missing := db.Draft(ctx, officer.Subject, "d-missing")
	_, hidden := db.Draft(ctx, officer2.Subject, id)
	if missing.Error() != hidden.Error() {
		t.Fatalf("a hidden draft is told apart from a missing one: %v / %v", missing, hidden)
	}

	if ds, err := db.Drafts(ctx, officer.Subject); err != nil || len(ds) != 1 || ds[0].ID != id {
		t.Fatalf("own drafts: %+v %v", ds, err)
	}
	if err := db.DeleteDraft(ctx, officer.Subject, id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Draft(ctx, officer.Subject, id); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("deleted draft opens: %v", err)
	}
}

func TestDraftIsSealed(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	var sub referral.Submission
	sub.Victim.Name = "Ottoline Vexley-Prendergast"
	sub.Victim.SafeContact.Instructions = "never leave voicemail"
	if _, err := db.SaveDraft(ctx, officer, "", sub); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, f := range []string{db.Path(), db.Path() + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("Vexley")) || bytes.Contains(b, []byte("voicemail")) {
			t.Fatalf("%s holds the draft's personal data in clear text", filepath.Base(f))
		}
	}
}

// Sending from a draft deletes it in the same transaction: a referral sent
// once, and a failed send leaves the draft whole.
func TestSendFromDraft(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	sub := submission("Ottoline Vexley", "high")
	draft, err := db.SaveDraft(ctx, officer, "", sub)
	if err != nil {
		t.Fatal(err)
	}
	send := func(s referral.Submission, by identity.Principal) error {
		_, _, err := db.CreateReferral(ctx, referral.NewReferral{Submission: s, Officer: by, FromDraft: draft,
			Due:     map[string]time.Time{"housing": db.Now().Add(time.Hour), "health": db.Now().Add(time.Hour)},
			Consent: consent.Consent{Decision: consent.Refused, RecordedBy: by.Subject, RecordedAt: db.Now()}})
		return err
	}
	count := func() int {
		p, err := db.Referrals(ctx, ListFilter{Now: db.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Referrals)
	}

	// The same agency twice breaks the insert after the draft was deleted:
	// the whole transaction rolls back.
	broken := sub
	broken.Agencies = []referral.Request{{Agency: "housing"}, {Agency: "housing"}}
	if err := send(broken, officer); err == nil {
		t.Fatal("a broken send succeeded")
	}
	if _, err := db.Draft(ctx, officer.Subject, draft); err != nil {
		t.Fatalf("a failed send lost the draft: %v", err)
	}
	if err := send(sub, officer2); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("another officer sends the draft: %v", err)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d referrals after failed sends", n)
	}

	if err := send(sub, officer); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Draft(ctx, officer.Subject, draft); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("the draft outlived its send: %v", err)
	}
	if err := send(sub, officer); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("a second send of the same draft: %v", err)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d referrals, want 1", n)
	}
}

func TestCountAttention(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	base := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return base }
	declined, _ := create(t, db, submission("A", "high"), "", "")
	create(t, db, submission("B", "high"), "", "")
	staff := identity.Principal{Subject: "iss|h", Roles: []identity.Role{identity.AgencyStaff}, Agency: "housing"}
	if _, err := db.ChangeShareStatus(ctx, referral.StatusChange{ReferralID: declined, Agency: "housing", To: referral.Declined, Reason: "not our area", Actor: staff}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		officer string
		now     time.Time
		want    int
	}{
		{"declined only, in time", officer.Subject, base.Add(time.Hour), 1},
		{"housing's day has passed for the other", officer.Subject, base.Add(25 * time.Hour), 2},
		{"all officers", "", base.Add(25 * time.Hour), 2},
		{"another officer has none", officer2.Subject, base.Add(25 * time.Hour), 0},
	}
	for _, c := range cases {
		n, err := db.CountAttention(ctx, c.officer, c.now)
		if err != nil || n != c.want {
			t.Errorf("%s: %d %v, want %d", c.name, n, err, c.want)
		}
	}
}

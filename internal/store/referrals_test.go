package store

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/seal"
	"github.com/stalking-hub/hub/internal/sharing"
)

func openSealed(t *testing.T) *DB {
	t.Helper()
	db := open(t)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	k, err := seal.Load(filepath.Join(t.TempDir(), "keys"), true)
	if err != nil {
		t.Fatal(err)
	}
	db.SetKeyring(k)
	return db
}

var officer = identity.Principal{Subject: "iss|officer", Name: "PC Test", Roles: []identity.Role{identity.Officer}}

func submission(victim string, level string) referral.Submission {
	var s referral.Submission
	s.Offence, s.Summary = "stalking", "Followed to work repeatedly."
	s.Risk.Level = level
	s.Victim.Name, s.Victim.DateOfBirth, s.Victim.Address = victim, "1990-04-02", "1 Sample Street"
	s.Victim.SafeContact.Method = "phone"
	s.Agencies = []referral.Request{{Agency: "housing", Request: "sanctuary scheme"}, {Agency: "health"}}
	return s
}

func create(t *testing.T, db *DB, s referral.Submission, key, hash string) (string, bool) {
	t.Helper()
	now := db.Now()
	id, created, err := db.CreateReferral(context.Background(), referral.NewReferral{
		Submission: s, Officer: officer,
		Due:            map[string]time.Time{"housing": now.Add(24 * time.Hour), "health": now.Add(72 * time.Hour)},
		Consent:        consent.Consent{Decision: consent.Given, Agencies: []string{"housing"}, Categories: category.SetOf(category.Identity), RecordedBy: officer.Subject, RecordedAt: now},
		IdempotencyKey: key, BodyHash: hash,
	})
	if err != nil {
		t.Fatal(err)
	}
	return id, created
}

func TestReferralRoundTripSealed(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	id, _ := create(t, db, submission("Zelda Quintessa-Marlowe", "high"), "", "")
	r, err := db.Referral(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var ident referral.IdentitySection
	// The sections are sealed: the originating force's View opens them.
	v, err := sharing.Release(identity.Principal{Subject: "iss|officer", Roles: []identity.Role{identity.Officer}}, r, agency.Referral, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := v.Content(category.Identity)
	json.Unmarshal(b, &ident)
	if ident.Name != "Zelda Quintessa-Marlowe" || r.Risk != "high" || len(r.Shares) != 2 || len(r.Consents) != 1 {
		t.Fatalf("loaded %+v", r)
	}
	if r.Shares[1].Agency != "housing" || r.Shares[1].Request != "sanctuary scheme" || r.Reference == "" {
		t.Fatalf("shares %+v", r.Shares)
	}
	db.Close()
	for _, f := range []string{db.Path(), db.Path() + "-wal"} {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte("Zelda")) || bytes.Contains(b, []byte("Sample Street")) || bytes.Contains(b, []byte("sanctuary")) {
			t.Fatalf("%s holds personal data in clear text", filepath.Base(f))
		}
	}
}

func TestIdempotentCreate(t *testing.T) {
	db := openSealed(t)
	a, created := create(t, db, submission("A", "high"), "k1", "h1")
	b, again := create(t, db, submission("A", "high"), "k1", "h1")
	if a != b || !created || again {
		t.Fatalf("same key and body: %s %s %v %v", a, b, created, again)
	}
	_, _, err := db.CreateReferral(context.Background(), referral.NewReferral{Submission: submission("B", "high"), Officer: officer, IdempotencyKey: "k1", BodyHash: "h2"})
	if problem.CodeOf(err) != problem.Conflict {
		t.Fatalf("same key, other body: %v", err)
	}
}

func TestShareLifecycleAndIfMatch(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	id, _ := create(t, db, submission("A", "medium"), "", "")
	staff := identity.Principal{Subject: "iss|h", Roles: []identity.Role{identity.AgencyStaff}, Agency: "housing"}
	if err := db.MarkViewed(ctx, id, "housing", staff); err != nil {
		t.Fatal(err)
	}
	s, err := db.ChangeShareStatus(ctx, referral.StatusChange{ReferralID: id, Agency: "housing", To: referral.Accepted, IfMatch: 2, Actor: staff})
	if err != nil || s.Status != referral.Accepted || s.AcceptedAt.IsZero() || s.Version != 3 {
		t.Fatalf("accept: %+v %v", s, err)
	}
	if _, err := db.ChangeShareStatus(ctx, referral.StatusChange{ReferralID: id, Agency: "housing", To: referral.Closed, Outcome: "done", IfMatch: 2, Actor: staff}); problem.CodeOf(err) != problem.Stale {
		t.Fatalf("stale If-Match: %v", err)
	}
	if _, err := db.ChangeShareStatus(ctx, referral.StatusChange{ReferralID: id, Agency: "housing", To: referral.Declined, Reason: "x", Actor: staff}); problem.CodeOf(err) != problem.Conflict {
		t.Fatalf("accepted -> declined: %v", err)
	}
	s, err = db.ChangeShareStatus(ctx, referral.StatusChange{ReferralID: id, Agency: "housing", To: referral.Closed, Outcome: "Moved to a safe address", Actor: staff})
	if err != nil || s.Outcome != "Moved to a safe address" {
		t.Fatalf("close: %+v %v", s, err)
	}
	if _, err := db.ChangeShareStatus(ctx, referral.StatusChange{ReferralID: id, Agency: "probation", To: referral.Accepted, Actor: staff}); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("no such share: %v", err)
	}
	ev, _ := db.Events(ctx, id, "")
	if len(ev) != 4 {
		t.Fatalf("timeline has %d events, want created, viewed, accepted, closed", len(ev))
	}
}

func TestInboxOrderAndPaging(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	base := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	levels := []string{"standard", "high", "medium", "high", "standard"}
	for i, l := range levels {
		db.Now = func() time.Time { return base.Add(time.Duration(i) * time.Hour) }
		create(t, db, submission("V", l), "", "")
	}
	var got []string
	cursor := ""
	for {
		p, err := db.Referrals(ctx, ListFilter{Agency: "housing", Limit: 2, Cursor: cursor, Now: base})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Referrals {
			got = append(got, string(r.Risk)+"@"+r.Meta.SentAt.Format("15"))
			if len(r.Shares) != 1 || r.Shares[0].Agency != "housing" {
				t.Fatalf("inbox shows other agencies' shares: %+v", r.Shares)
			}
		}
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	want := []string{"high@10", "high@12", "medium@11", "standard@09", "standard@13"}
	if len(got) != len(want) {
		t.Fatalf("inbox %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("inbox %v, want %v", got, want)
		}
	}
	late := base.Add(48 * time.Hour)
	p, _ := db.Referrals(ctx, ListFilter{Agency: "housing", Overdue: true, Now: late})
	if len(p.Referrals) != 5 {
		t.Fatalf("overdue: %d", len(p.Referrals))
	}
	c, _ := db.CountInbox(ctx, "housing", late)
	if c.New != 5 || c.Overdue != 5 {
		t.Fatalf("counts %+v", c)
	}
	mine, _ := db.Referrals(ctx, ListFilter{Officer: officer.Subject, Now: base})
	if len(mine.Referrals) != 5 || mine.Referrals[0].Meta.CreatedAt.Before(mine.Referrals[4].Meta.CreatedAt) {
		t.Fatal("officer's list is not newest first")
	}
	for _, r := range mine.Referrals {
		if len(r.Shares) != 2 || r.Shares[0].Agency != "health" || r.Shares[1].Agency != "housing" || r.Reference == "" || r.Meta.Offence == "" {
			t.Fatalf("a police list line: %+v", r)
		}
	}
}

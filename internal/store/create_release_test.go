package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/referral"
)

// The creator's release is recorded in the create's transaction: when it
// cannot be recorded, nothing of the referral is saved; when it can, the
// log holds the creation and the release of the referral as stored.
func TestCreateAndItsReleaseCommitTogether(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	now := db.Now()
	newReferral := func(release func(*referral.Referral) (audit.Entry, error)) referral.NewReferral {
		return referral.NewReferral{
			Submission: submission("Ada Atomic", "high"), Officer: officer,
			Due:            map[string]time.Time{"housing": now.Add(24 * time.Hour), "health": now.Add(72 * time.Hour)},
			Consent:        consent.Consent{Decision: consent.Given, Agencies: []string{"housing"}, Categories: category.SetOf(category.Identity), RecordedBy: officer.Subject, RecordedAt: now},
			IdempotencyKey: "k", BodyHash: "h", Release: release,
		}
	}
	count := func(table string) int {
		var n int
		if err := db.r.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	tables := []string{"referrals", "referral_sections", "shares", "consents", "outbox", "idempotency_keys", "audit_entries"}

	failed := errors.New("the audit entry cannot be written")
	for _, release := range []func(*referral.Referral) (audit.Entry, error){
		func(*referral.Referral) (audit.Entry, error) { return audit.Entry{}, failed },
		// An entry the log refuses fails the create as well.
		func(*referral.Referral) (audit.Entry, error) { return audit.Entry{Actor: officer.Subject}, nil },
	} {
		if _, _, err := db.CreateReferral(ctx, newReferral(release)); err == nil {
			t.Fatal("created although its release could not be recorded")
		}
		for _, table := range tables {
			if n := count(table); n != 0 {
				t.Errorf("after a failed create, %s holds %d rows", table, n)
			}
		}
	}

	var seen *referral.Referral
	id, created, err := db.CreateReferral(ctx, newReferral(func(r *referral.Referral) (audit.Entry, error) {
		seen = r
		return audit.Entry{Actor: officer.Subject, Action: audit.Release, Record: r.ID, Shown: []string{"identity"}}, nil
	}))
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if seen == nil || seen.ID != id || len(seen.Shares) != 2 || seen.Sections[category.Identity].Empty() {
		t.Fatalf("the release saw %+v, want the referral as stored", seen)
	}
	rows, err := db.r.Query(`SELECT action, record FROM audit_entries ORDER BY idx`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var action, record string
		rows.Scan(&action, &record)
		if record == id {
			got = append(got, action)
		}
	}
	if len(got) != 2 || got[0] != string(audit.ReferralCreated) || got[1] != string(audit.Release) {
		t.Fatalf("audit entries of the referral: %v, want its creation then its release", got)
	}
}

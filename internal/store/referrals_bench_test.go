package store_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/store"
	"github.com/stalking-hub/hub/internal/store/storetest"
)

func benchReferral(now time.Time) referral.NewReferral {
	officer := identity.Principal{Subject: "bench|officer", Name: "PC Bench", Roles: []identity.Role{identity.Officer}}
	var s referral.Submission
	s.Offence, s.Summary = "stalking", "Followed to work repeatedly; messages every night."
	s.Risk.Level, s.Risk.Tool = "medium", "dash"
	s.Victim = referral.Victim{Name: "Bench Person", DateOfBirth: "1990-04-02", Address: "1 Sample Street", Phone: "07700900000",
		SafeContact: referral.SafeContact{Method: "phone", Times: "weekdays 10-12"}, Needs: "move house", Views: "wants the messages to stop"}
	s.Suspect = referral.Suspect{Name: "Bench Suspect", DateOfBirth: "1980-01-01", Relationship: "ex_partner"}
	s.Agencies = []referral.Request{{Agency: "housing", Request: "sanctuary scheme"}, {Agency: "victim-support", Request: "ISVA"}}
	return referral.NewReferral{Submission: s, Officer: officer,
		Due:     map[string]time.Time{"housing": now.Add(24 * time.Hour), "victim-support": now.Add(72 * time.Hour)},
		Consent: consent.Consent{Decision: consent.Given, Agencies: []string{"housing", "victim-support"}, Categories: category.SetOf(category.Identity, category.Contact), RecordedBy: officer.Subject, RecordedAt: now}}
}

// BenchmarkCreateReferral measures one referral written in its own
// transaction: sealed sections, two shares, consent, timeline and audit.
func BenchmarkCreateReferral(b *testing.B) {
	db := storetest.Open(b)
	ctx := context.Background()
	n := benchReferral(db.Now())
	done := cpuPerOp(b)
	for b.Loop() {
		if _, _, err := db.CreateReferral(ctx, n); err != nil {
			b.Fatal(err)
		}
	}
	done()
}

// cpuPerOp reports the process's CPU time (user and system) per operation
// beside the wall time, which on a shared machine says more of the code.
func cpuPerOp(b *testing.B) func() {
	var start syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &start)
	return func() {
		var end syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &end)
		used := time.Duration(end.Utime.Nano()+end.Stime.Nano()-start.Utime.Nano()-start.Stime.Nano()) * time.Nanosecond
		b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/op")
	}
}

// BenchmarkReferralLoad measures loading a referral whole, as the release
// path does on every read: metadata, nine opened sections, shares with their
// texts, consents and overrides.
func BenchmarkReferralLoad(b *testing.B) {
	db := storetest.Open(b)
	ctx := context.Background()
	id, _, err := db.CreateReferral(ctx, benchReferral(db.Now()))
	if err != nil {
		b.Fatal(err)
	}
	done := cpuPerOp(b)
	for b.Loop() {
		if _, err := db.Referral(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	done()
}

// BenchmarkInboxPage measures an agency's first inbox page of 50.
func BenchmarkInboxPage(b *testing.B) {
	db := storetest.Open(b)
	ctx := context.Background()
	err := db.Batch(ctx, func() error {
		for range 200 {
			if _, _, err := db.CreateReferral(ctx, benchReferral(db.Now())); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	done := cpuPerOp(b)
	for b.Loop() {
		p, err := db.Referrals(ctx, store.ListFilter{Agency: "housing", Limit: 50, Now: time.Now()})
		if err != nil || len(p.Referrals) != 50 {
			b.Fatal(len(p.Referrals), err)
		}
	}
	done()
}

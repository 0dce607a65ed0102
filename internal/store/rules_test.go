package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/report"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
	"github.com/stalking-hub/hub/internal/store"
	"github.com/stalking-hub/hub/internal/store/storetest"
)

// The business rules the store's SQL computes are each written once in Go;
// these tests hold the store's methods (lists, counts, the report) to the
// Go rule at the rule's edges, on whichever backend storetest opens, so
// that each dialect's queries are held to the same rule.

var (
	ruleOfficer = identity.Principal{Subject: "iss|rules-officer", Name: "PC Rule", Roles: []identity.Role{identity.Officer}}
	ruleHousing = identity.Principal{Subject: "iss|rules-housing", Name: "Housing Officer", Roles: []identity.Role{identity.AgencyStaff}, Agency: "housing"}
	ruleCoord   = identity.Principal{Subject: "iss|rules-coord", Name: "Coordinator", Roles: []identity.Role{identity.MARACCoordinator}}
)

// ruleReferral creates a sent referral to housing, due at due, about victim
// (born on born), at the store's clock.
func ruleReferral(t *testing.T, db *store.DB, victim, born string, due time.Time) string {
	t.Helper()
	var s referral.Submission
	s.Offence, s.Summary, s.Risk.Level = "stalking", "Followed to work repeatedly.", "medium"
	s.Victim.Name, s.Victim.DateOfBirth, s.Victim.SafeContact.Method = victim, born, "phone"
	s.Agencies = []referral.Request{{Agency: "housing"}}
	now := db.Now()
	id, _, err := db.CreateReferral(context.Background(), referral.NewReferral{Submission: s, Officer: ruleOfficer,
		Due:     map[string]time.Time{"housing": due},
		Consent: consent.Consent{Decision: consent.Given, Agencies: []string{"housing"}, Categories: category.SetOf(category.Identity), RecordedBy: ruleOfficer.Subject, RecordedAt: now}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func clockAt(db *store.DB, at time.Time) { db.SetClock(func() time.Time { return at }) }

// TestOverdueSharesFollowTheGoRule holds the lists' overdue filter, the
// agency's count and the police's attention to referral.Share.Overdue: sent
// or viewed, and the due time passed (not reached: at the due time itself
// the share is not yet overdue).
func TestOverdueSharesFollowTheGoRule(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	base := time.Date(2026, 11, 16, 12, 0, 0, 0, time.UTC)
	clockAt(db, base.Add(-48*time.Hour))
	var ids []string
	for i, off := range []time.Duration{-time.Hour, -time.Second, 0, time.Second, time.Hour} {
		for _, to := range []referral.ShareStatus{referral.Sent, referral.Viewed, referral.Accepted, referral.Declined} {
			id := ruleReferral(t, db, fmt.Sprintf("Victim %d %s", i, to), "1990-04-02", base.Add(off))
			if to != referral.Sent {
				if err := db.MarkViewed(ctx, id, "housing", ruleHousing); err != nil {
					t.Fatal(err)
				}
			}
			if to == referral.Accepted || to == referral.Declined {
				if _, err := db.ChangeShareStatus(ctx, referral.StatusChange{ReferralID: id, Agency: "housing", To: to, Reason: "Not our area", Actor: ruleHousing}); err != nil {
					t.Fatal(err)
				}
			}
			ids = append(ids, id)
		}
	}
	for _, now := range []time.Time{base.Add(-2 * time.Hour), base, base.Add(time.Second), base.Add(2 * time.Hour)} {
		var want []string
		for _, id := range ids {
			r, err := db.Referral(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if r.Shares[0].Overdue(now) {
				want = append(want, id)
			}
		}
		slices.Sort(want)
		for _, f := range []store.ListFilter{{Agency: "housing"}, {Officer: ruleOfficer.Subject}, {}} {
			f.Overdue, f.Now, f.Limit = true, now, 100
			p, err := db.Referrals(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range p.Referrals {
				got = append(got, s.ID)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("at %s, list %+v: %d overdue, the Go rule %d", now.Format(time.RFC3339), f, len(got), len(want))
			}
		}
		c, err := db.CountInbox(ctx, "housing", now)
		if err != nil || c.Overdue != len(want) {
			t.Errorf("at %s, housing's count of overdue is %d (%v), the Go rule %d", now.Format(time.RFC3339), c.Overdue, err, len(want))
		}
		// Attention is overdue, declined or an unread message (none here).
		attention := len(want)
		for _, id := range ids {
			r, _ := db.Referral(ctx, id)
			if r.Shares[0].Status == referral.Declined {
				attention++
			}
		}
		if n, err := db.CountAttention(ctx, ruleOfficer.Subject, now); err != nil || n != attention {
			t.Errorf("at %s, the officer's attention count is %d (%v), the Go rule %d", now.Format(time.RFC3339), n, err, attention)
		}
	}
}

// TestOverdueActionsFollowTheGoRule holds the actions' overdue filter and
// the agency's count to marac.ActionOverdue: open, and its due day (a UTC
// date) over.
func TestOverdueActionsFollowTheGoRule(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	clockAt(db, day("2026-11-10").Add(12*time.Hour))
	m, err := db.CreateMeeting(ctx, marac.Meeting{Panel: "north", Date: day("2026-11-10")}, ruleCoord)
	if err != nil {
		t.Fatal(err)
	}
	id := ruleReferral(t, db, "Ann Avery", "1990-04-02", day("2026-11-12"))
	c, err := db.AddCase(ctx, m.ID, marac.Case{ReferralID: id, Criterion: marac.ProfessionalJudgement}, ruleCoord)
	if err != nil {
		t.Fatal(err)
	}
	for _, due := range []string{"2026-11-14", "2026-11-15", "2026-11-16", "2026-11-17"} {
		for _, done := range []bool{false, true} {
			a, err := db.AddAction(ctx, c.ID, marac.Action{Agency: "housing", Description: sealed.NewText("", category.Risk, "marac-coordinator", "Fit a lock"), Due: day(due)}, ruleCoord)
			if err != nil {
				t.Fatal(err)
			}
			if done {
				if _, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: a.ID, Status: "done", By: ruleHousing}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for _, now := range []time.Time{
		time.Date(2026, 11, 15, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 16, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 17, 0, 30, 0, 0, time.FixedZone("UTC+1", 3600)), // still 16 November in UTC
		time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC),
	} {
		all, err := db.Actions(ctx, store.ActionFilter{CaseID: c.ID, Now: now})
		if err != nil || len(all) != 8 {
			t.Fatalf("the case's actions: %d %v", len(all), err)
		}
		var want []string
		for _, a := range all {
			if marac.ActionOverdue(a, now) {
				want = append(want, a.ID)
			}
		}
		overdue, err := db.Actions(ctx, store.ActionFilter{CaseID: c.ID, Overdue: true, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range overdue {
			got = append(got, a.ID)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("at %s: %d overdue listed, the Go rule %d", now.Format(time.RFC3339), len(got), len(want))
		}
		n, err := db.CountActions(ctx, "housing", now)
		if err != nil || n.Overdue != len(want) || n.Open != 4 {
			t.Errorf("at %s: housing's counts %+v (%v), the Go rule %d overdue of 4 open", now.Format(time.RFC3339), n, err, len(want))
		}
	}
}

// TestResponseTimesFollowTheGoRule holds the outcomes report's counts of
// shares answered and accepted within their response time, and of shares
// overdue, to referral.Share's AnsweredInTime, AcceptedInTime and Overdue:
// an answer at the due time itself is in time.
func TestResponseTimesFollowTheGoRule(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	due := time.Date(2026, 11, 16, 12, 0, 0, 0, time.UTC)
	var ids []string
	for i, off := range []time.Duration{-time.Second, 0, time.Second, time.Hour} {
		for _, to := range []referral.ShareStatus{referral.Sent, referral.Viewed, referral.Accepted, referral.Declined} {
			clockAt(db, due.Add(-48*time.Hour))
			id := ruleReferral(t, db, fmt.Sprintf("Answered %d %s", i, to), "1991-05-03", due)
			clockAt(db, due.Add(off))
			if to != referral.Sent {
				if err := db.MarkViewed(ctx, id, "housing", ruleHousing); err != nil {
					t.Fatal(err)
				}
			}
			if to == referral.Accepted || to == referral.Declined {
				if _, err := db.ChangeShareStatus(ctx, referral.StatusChange{ReferralID: id, Agency: "housing", To: to, Reason: "Not our area", Actor: ruleHousing}); err != nil {
					t.Fatal(err)
				}
			}
			ids = append(ids, id)
		}
	}
	for _, now := range []time.Time{due, due.Add(2 * time.Hour)} {
		var answered, accepted, overdue int
		for _, id := range ids {
			r, err := db.Referral(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			sh := r.Shares[0]
			if sh.AnsweredInTime() {
				answered++
			}
			if sh.AcceptedInTime() {
				accepted++
			}
			if sh.Overdue(now) {
				overdue++
			}
		}
		if answered == 0 || accepted == 0 || answered == len(ids) {
			t.Fatalf("the cases do not reach both sides of the rule: %d answered in time, %d accepted in time", answered, accepted)
		}
		f, err := db.Outcomes(ctx, report.DefaultPeriod(now), "housing", now)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Agencies) != 1 {
			t.Fatalf("agencies in the report: %+v", f.Agencies)
		}
		a := f.Agencies[0]
		if a.WithinResponseTime != answered || a.AcceptedWithinResponseTime != accepted || a.Overdue != overdue {
			t.Errorf("at %s the report has %d answered in time, %d accepted in time, %d overdue; the Go rules %d, %d, %d",
				now.Format(time.RFC3339), a.WithinResponseTime, a.AcceptedWithinResponseTime, a.Overdue, answered, accepted, overdue)
		}
	}
}

package store_test

import (
	"context"
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/demo"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/justice"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/report"
	"github.com/stalking-hub/hub/internal/report/reporttest"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/store"
	"github.com/stalking-hub/hub/internal/store/storetest"
)

// sameFigures holds the figures read from the counters to those worked out
// in full: every count equal; each median and 90th percentile within the
// histogram's precision (a bucket spans at most 2.2% of its times, and
// holds their mean), and equal when the buckets hold one time each, as in
// the hand-worked fixture.
func sameFigures(t *testing.T, what string, got, want report.Figures) {
	t.Helper()
	near := func(name string, g, w report.Durations) {
		t.Helper()
		if g.Count != w.Count || (g.MedianHours == nil) != (w.MedianHours == nil) {
			t.Errorf("%s: %s %+v, in full %+v", what, name, g, w)
			return
		}
		if g.MedianHours == nil {
			return
		}
		for _, p := range [][2]float64{{*g.MedianHours, *w.MedianHours}, {*g.P90Hours, *w.P90Hours}} {
			if math.Abs(p[0]-p[1]) > 0.022*p[1]+0.01 {
				t.Errorf("%s: %s %.2f h, in full %.2f h", what, name, p[0], p[1])
			}
		}
	}
	if len(got.Agencies) == len(want.Agencies) {
		for i := range got.Agencies {
			g, w := &got.Agencies[i], &want.Agencies[i]
			near(g.Agency+" first response", g.FirstResponse, w.FirstResponse)
			near(g.Agency+" acceptance", g.Acceptance, w.Acceptance)
			g.FirstResponse, g.Acceptance, w.FirstResponse, w.Acceptance = report.Durations{}, report.Durations{}, report.Durations{}, report.Durations{}
		}
	}
	near("referral to outcome", got.CriminalJustice.ToOutcome, want.CriminalJustice.ToOutcome)
	got.CriminalJustice.ToOutcome, want.CriminalJustice.ToOutcome = report.Durations{}, report.Durations{}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("%s:\ncounters %s\nin full  %s", what, g, w)
	}
}

// compareAll compares the counters with the full figures for each period,
// for all agencies and for each agency alone.
func compareAll(t *testing.T, db *store.DB, agencies []string, periods []report.Period, now time.Time) {
	t.Helper()
	ctx := context.Background()
	for _, p := range periods {
		for _, a := range append([]string{""}, agencies...) {
			got, err := db.Outcomes(ctx, p, a, now)
			if err != nil {
				t.Fatal(err)
			}
			want, err := db.FullOutcomes(ctx, p, a, now)
			if err != nil {
				t.Fatal(err)
			}
			sameFigures(t, p.String()+" agency "+a, got, want)
		}
	}
}

func period(from, to string) report.Period {
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	return report.Period{From: f, To: t}
}

// The counters give the figures worked out in full from every referral
// and share: over a year of varied demo history (repeats, links, consent
// changes, overrides, answers, outcomes, equality details), for periods of
// whole months, parts of months and single days, for all agencies and each
// alone; and again, at once, after status changes, a withdrawn consent, a
// late-added share, a withdrawn share, a re-assessment, an outcome and a
// link, and Victims' Code updates owed and told, on time and late, due
// yesterday, today and after today. Filling the counters afresh, as
// migrations 0036 and 0039 do, gives the counters the changes kept.
func TestCountersGiveTheFullFigures(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	dir, err := agency.Load("../../agencies", config.Defaults().Sharing.LawfulBases)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	if err := demo.Seed(ctx, db, dir, 300, demo.Options{Issuer: "http://127.0.0.1:8080/devidp", Now: now, Seed: 11}, nil); err != nil {
		t.Fatal(err)
	}
	fixture := reporttest.Build(t, db)
	var agencies []string
	for _, a := range dir.All() {
		if a.ID != agency.Police {
			agencies = append(agencies, a.ID)
		}
	}
	periods := []report.Period{
		report.DefaultPeriod(now),
		period("2026-01-01", "2026-03-31"),             // the fixture's, whole months
		period("2026-01-05", "2026-02-14"),             // parts of months at both ends
		period("2026-03-31", "2026-04-01"),             // a month's last day and the next's first
		period("2026-02-28", "2026-02-28"),             // one day
		period("2025-12-15", now.Format("2006-01-02")), // up to today, in part
		period("2026-11-19", "2026-11-30"),             // yesterday to after today: updates overdue only yesterday
		period("2026-03-01", "2026-03-25"),             // a month less its last days
		period("2026-05-03", "2026-05-28"),             // a month less days at both ends
		period("2026-06-16", "2026-06-16"),             // the middle of a month alone
	}
	compareAll(t, db, agencies, periods, now)

	// Changes after the fact, each read back at once.
	staff := func(a string) identity.Principal {
		return identity.Principal{Subject: "test|" + a, Name: "Test " + a, Roles: []identity.Role{identity.AgencyStaff}, Agency: a}
	}
	officer := identity.Principal{Subject: "test|officer", Name: "Test Officer", Roles: []identity.Role{identity.Officer}}
	r := fixture.Referrals
	db.Now = func() time.Time { return now.Add(-time.Hour) }
	cal, err := justice.EnglandAndWales()
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	var owed, dueMonday justice.Update
	steps := []struct {
		name, watch string        // watch: the agency whose figures must move ("" all)
		in          report.Period // the period whose figures must move (zero: the fixture's)
		do          func() error
	}{
		{"a waiting share accepted", "", report.Period{}, func() error {
			_, err := db.ChangeShareStatus(ctx, referral.StatusChange{ReferralID: r[6], Agency: "housing", To: referral.Accepted, Actor: staff("housing")})
			return err
		}},
		{"a share declined", "", report.Period{}, func() error {
			_, err := db.ChangeShareStatus(ctx, referral.StatusChange{ReferralID: r[8], Agency: "health", To: referral.Declined, Reason: "not ours", ReasonCode: "out_of_area", Actor: staff("health")})
			return err
		}},
		{"consent withdrawn", "", report.Period{}, func() error {
			_, err := db.AddConsent(ctx, r[1], consent.Consent{Decision: consent.Withdrawn, Method: consent.Verbal, ObtainedOn: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}, officer)
			return err
		}},
		{"a share added late", "idva", report.Period{}, func() error {
			_, err := db.AddShare(ctx, referral.AddedShare{ReferralID: r[3], Agency: "idva", Request: "please contact",
				Due: func(risk.Level) time.Time { return db.Now().Add(48 * time.Hour) }, Actor: officer})
			return err
		}},
		{"a share withdrawn", "", report.Period{}, func() error {
			_, err := db.WithdrawShare(ctx, r[4], "health", "sent in error", officer)
			return err
		}},
		{"risk re-assessed", "", report.Period{}, func() error {
			_, err := db.ReassessRisk(ctx, referral.Reassessment{ReferralID: r[2], Assessment: referral.RiskAssessment{Tool: "professional_judgement", Level: "high"},
				Reason: "escalation", Actor: officer, ResponseTime: func(string, risk.Level) time.Duration { return time.Hour }})
			return err
		}},
		{"an outcome recorded", "", report.Period{}, func() error {
			return db.SetOutcome(ctx, r[5], "charged", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), officer)
		}},
		{"a link confirmed", "", report.Period{}, func() error {
			return db.DecideLink(ctx, r[8], r[9], referral.ViaVictim, true, officer)
		}},
		{"a Victims' Code update owed, overdue", "idva", report.Period{}, func() error {
			owed, err = db.AddVictimUpdate(ctx, justice.Update{ReferralID: r[3], Event: "charged", EventOn: day("2026-02-10")}, cal, officer)
			return err
		}},
		{"the victim told late", "idva", report.Period{}, func() error {
			_, err := db.TellVictimUpdate(ctx, justice.Update{ID: owed.ID, ToldOn: day("2026-03-20"), Method: "phone"}, 0, officer)
			return err
		}},
		{"an update due yesterday, overdue today", "", periods[6], func() error {
			if err := db.SetEnhanced(ctx, r[0], true, officer); err != nil {
				return err
			}
			u, err := db.AddVictimUpdate(ctx, justice.Update{ReferralID: r[0], Event: "arrest", EventOn: day("2026-11-18")}, cal, officer)
			if err == nil && dateOnly(u.DueBy) != "2026-11-19" {
				t.Fatalf("due by %s, want the day before today", dateOnly(u.DueBy))
			}
			return err
		}},
		{"an update due today, not overdue yet", "", periods[6], func() error {
			u, err := db.AddVictimUpdate(ctx, justice.Update{ReferralID: r[0], Event: "interview", EventOn: day("2026-11-19")}, cal, officer)
			if err == nil && dateOnly(u.DueBy) != "2026-11-20" {
				t.Fatalf("due by %s, want today", dateOnly(u.DueBy))
			}
			return err
		}},
		{"an update due after today, not overdue", "", periods[6], func() error {
			dueMonday, err = db.AddVictimUpdate(ctx, justice.Update{ReferralID: r[0], Event: "arrest", EventOn: day("2026-11-20")}, cal, officer)
			if err == nil && dateOnly(dueMonday.DueBy) != "2026-11-23" {
				t.Fatalf("due by %s, want the Monday after today", dateOnly(dueMonday.DueBy))
			}
			return err
		}},
		{"the victim told on time", "", periods[6], func() error {
			_, err := db.TellVictimUpdate(ctx, justice.Update{ID: dueMonday.ID, ToldOn: day("2026-11-20"), Method: "phone"}, 0, officer)
			return err
		}},
	}
	for _, s := range steps {
		if s.in.From.IsZero() {
			s.in = periods[1]
		}
		before, err := db.Outcomes(ctx, s.in, s.watch, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		after, err := db.Outcomes(ctx, s.in, s.watch, now)
		if err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(before, after) {
			t.Errorf("%s: the figures did not move", s.name)
		}
		compareAll(t, db, agencies, periods, now)
	}

	kept, keptParts, err := db.CountedRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RefillCounts(ctx); err != nil {
		t.Fatal(err)
	}
	filled, filledParts, err := db.CountedRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(kept, filled) || !reflect.DeepEqual(keptParts, filledParts) {
		t.Errorf("filled afresh: %d counters and %d referrals, kept %d and %d", len(filled), len(filledParts), len(kept), len(keptParts))
		for k, v := range kept {
			if filled[k] != v {
				t.Errorf("%s: kept %s, filled %s", k, v, filled[k])
			}
		}
	}
}

func dateOnly(t time.Time) string { return t.Format(time.DateOnly) }

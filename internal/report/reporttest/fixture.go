// Package reporttest builds the outcomes report's fixture: referrals,
// shares, consent, overrides, links and MARAC actions whose every figure was
// worked out by hand, written through the real store.
package reporttest

import (
	"context"
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
)

// The report the fixture is worked out for: the first quarter of 2026, read
// on 10 April 2026 at noon.
var (
	Period = report.Period{From: day("2026-01-01"), To: day("2026-03-31")}
	Now    = day("2026-04-10").Add(12 * time.Hour)
)

// The people who act in the fixture.
var (
	officer     = identity.Principal{Subject: "fixture|officer", Name: "Fixture Officer", Roles: []identity.Role{identity.Officer}}
	supervisor  = identity.Principal{Subject: "fixture|supervisor", Name: "Fixture Supervisor", Roles: []identity.Role{identity.Supervisor}}
	coordinator = identity.Principal{Subject: "fixture|coordinator", Name: "Fixture Coordinator", Roles: []identity.Role{identity.MARACCoordinator}}
)

func staff(agencyID string) identity.Principal {
	return identity.Principal{Subject: "fixture|" + agencyID, Name: "Fixture " + agencyID, Roles: []identity.Role{identity.AgencyStaff}, Agency: agencyID}
}

// responseTime is each agency's time to answer in the fixture, whatever the risk.
var responseTime = map[string]time.Duration{"housing": 48 * time.Hour, "victim-support": 48 * time.Hour, "health": 240 * time.Hour}

// person is a made-up victim or suspect; the fingerprint of name and date of
// birth is what makes a repeat.
type person struct{ name, born string }

var (
	vera  = person{"Vera Alpha", "1990-01-01"}
	wendy = person{"Wendy Beta", "1985-05-05"}
	xena  = person{"Xena Gamma", "1970-07-07"}
	yara  = person{"Yara Delta", "2000-12-12"}
	zoe   = person{"Zoe Epsilon", "1995-09-09"}
	ann   = person{"Ann Zeta", "1960-06-06"}
	sam   = person{"Sam One", "1980-01-01"}
	tom   = person{"Tom Two", "1975-02-02"}
	uri   = person{"Uri Three", "1990-03-03"}
	vic   = person{"Vic Four", "1988-08-08"}
)

// step is one thing that happens to a share, some hours after it was sent.
type step struct {
	after  time.Duration
	status referral.ShareStatus // "viewed" opens it; others change its status
	code   string               // a decline's reason code or a close's outcome code; "" uncoded
}

// raise is one referral of the fixture.
type raise struct {
	at               string // RFC 3339, UTC
	victim, suspect  person
	offence, risk    string
	factors          []referral.AggravatingFactor
	agencies         []string
	consent          consent.Decision
	draft            bool
	shares           map[string][]step
	withdrawnAfter   time.Duration // when set, consent is withdrawn this long after sending
	overrideBasis    string        // when set, a request to share without consent
	overrideAfter    time.Duration
	overrideAgencies []string
	overrideDecision string // approve, refuse, or "" to leave it pending
}

var (
	da   = referral.AggravatingFactor{Factor: "domestic_abuse"}
	fov  = referral.AggravatingFactor{Factor: "fear_of_violence"}
	tech = referral.AggravatingFactor{Factor: "technology_enabled"}
	hba  = referral.AggravatingFactor{Factor: "honour_based_abuse"}
	hate = func(strand string) referral.AggravatingFactor {
		return referral.AggravatingFactor{Factor: "hate_crime", Strand: strand}
	}
	h         = time.Hour
	accept    = func(after time.Duration) step { return step{after, referral.Accepted, ""} }
	decline   = func(after time.Duration, code string) step { return step{after, referral.Declined, code} }
	view      = func(after time.Duration) step { return step{after, referral.Viewed, ""} }
	progress  = func(after time.Duration) step { return step{after, referral.InProgress, ""} }
	closeDown = func(after time.Duration, code string) step { return step{after, referral.Closed, code} }
)

// referrals are R0 to R10. R1 to R8 are raised in the period; R0 before it
// (it makes R1 a repeat), R9 at the first instant after it, R10 is a draft.
var referrals = []raise{
	{at: "2025-06-15T12:00:00Z", victim: vera, suspect: sam, offence: "stalking", risk: "medium", agencies: []string{"housing"}, consent: consent.Given,
		overrideBasis: "vital_interests", overrideAfter: 24 * h, overrideAgencies: []string{"housing"}, overrideDecision: "approve"},
	{at: "2026-01-05T12:00:00Z", victim: vera, suspect: sam, offence: "stalking_fear_alarm_distress", risk: "high", factors: []referral.AggravatingFactor{da, hate("disability")},
		agencies: []string{"housing", "victim-support"}, consent: consent.Given,
		shares: map[string][]step{"housing": {view(2 * h), accept(10 * h), progress(24 * h), closeDown(480*h, "safety_measures")}, "victim-support": {accept(60 * h)}}},
	{at: "2026-01-20T12:00:00Z", victim: wendy, offence: "harassment", risk: "standard", agencies: []string{"housing"}, consent: consent.Refused,
		shares:        map[string][]step{"housing": {decline(30*h, "out_of_area")}},
		overrideBasis: "dpa2018_sch8_safeguarding", overrideAfter: 24 * h, overrideAgencies: []string{"housing"}, overrideDecision: "approve"},
	{at: "2026-01-31T23:00:00Z", victim: xena, suspect: tom, offence: "stalking", risk: "medium", factors: []referral.AggravatingFactor{fov, tech},
		agencies: []string{"victim-support", "health"}, consent: consent.Given,
		shares: map[string][]step{"victim-support": {view(1 * h), decline(50*h, "victim_declined")}, "health": {accept(4 * h), progress(24 * h)}}},
	{at: "2026-02-03T12:00:00Z", victim: wendy, suspect: uri, offence: "harassment_fear_of_violence", risk: "medium", factors: []referral.AggravatingFactor{da},
		agencies: []string{"housing", "health"}, consent: consent.NotSought,
		shares:        map[string][]step{"housing": {accept(20 * h)}},
		overrideBasis: "crime_and_disorder_act_s115", overrideAfter: 24 * h, overrideAgencies: []string{"housing", "health"}, overrideDecision: "approve"},
	{at: "2026-02-14T12:00:00Z", victim: yara, suspect: tom, offence: "malicious_communications", risk: "standard", factors: []referral.AggravatingFactor{hate("race"), hate("transgender")},
		agencies: []string{"victim-support"}, consent: consent.Given, withdrawnAfter: 72 * h,
		shares:        map[string][]step{"victim-support": {accept(2 * h), closeDown(120*h, "")}},
		overrideBasis: "dpa2018_sch8_safeguarding", overrideAfter: 6 * 24 * h, overrideAgencies: []string{"victim-support"}, overrideDecision: "refuse"},
	{at: "2026-02-28T12:00:00Z", victim: zoe, suspect: vic, offence: "stalking", risk: "high", factors: []referral.AggravatingFactor{hba, fov},
		agencies: []string{"housing", "victim-support", "health"}, consent: consent.Given,
		shares: map[string][]step{"housing": {view(3 * h)}, "victim-support": {accept(47 * h)}, "health": {decline(12*h, "")}}},
	{at: "2026-03-10T12:00:00Z", victim: vera, suspect: sam, offence: "breach_of_order", risk: "high", factors: []referral.AggravatingFactor{da},
		agencies: []string{"housing"}, consent: consent.Given,
		shares: map[string][]step{"housing": {accept(8 * h), progress(24 * h), closeDown(72*h, "rehoused_or_moved")}}},
	{at: "2026-03-31T23:30:00Z", victim: ann, offence: "other", risk: "medium", factors: []referral.AggravatingFactor{hate("religion"), tech},
		agencies: []string{"health"}, consent: consent.Refused,
		overrideBasis: "vital_interests", overrideAfter: 15 * time.Minute, overrideAgencies: []string{"health"}},
	{at: "2026-04-01T00:00:00Z", victim: ann, suspect: uri, offence: "stalking", risk: "high", factors: []referral.AggravatingFactor{da},
		agencies: []string{"housing", "health"}, consent: consent.Given,
		shares: map[string][]step{"housing": {decline(1*h, "no_capacity")}}},
	{at: "2026-02-10T12:00:00Z", victim: zoe, offence: "stalking", risk: "high", agencies: []string{"housing"}, consent: consent.Given, draft: true},
}

// Fixture is what Build made: the referral ids in the order of referrals.
type Fixture struct {
	Referrals []string
}

// Build writes the fixture through db, moving db's clock to each moment, and
// puts the clock back when done.
func Build(t testing.TB, db *store.DB) Fixture {
	t.Helper()
	ctx := context.Background()
	clock := db.Now
	defer func() { db.Now = clock }()
	var f Fixture
	for _, r := range referrals {
		sent := stamp(r.at)
		setClock(db, sent)
		id := create(t, db, r, sent)
		f.Referrals = append(f.Referrals, id)
		for agencyID, steps := range r.shares {
			for _, s := range steps {
				setClock(db, sent.Add(s.after))
				var err error
				if s.status == referral.Viewed {
					err = db.MarkViewed(ctx, id, agencyID, staff(agencyID))
				} else {
					c := referral.StatusChange{ReferralID: id, Agency: agencyID, To: s.status,
						Reason: "a reason kept sealed", Outcome: "an outcome kept sealed", Actor: staff(agencyID)}
					if s.status == referral.Declined {
						c.ReasonCode = s.code
					} else {
						c.OutcomeCode = s.code
					}
					_, err = db.ChangeShareStatus(ctx, c)
				}
				if err != nil {
					t.Fatalf("share of %s with %s to %s: %v", r.at, agencyID, s.status, err)
				}
			}
		}
		if r.withdrawnAfter > 0 {
			at := sent.Add(r.withdrawnAfter)
			setClock(db, at)
			if _, err := db.AddConsent(ctx, id, consent.Consent{Decision: consent.Withdrawn, RecordedAt: at}, officer); err != nil {
				t.Fatal(err)
			}
		}
		if r.overrideBasis != "" {
			overrideFor(t, db, id, r, sent.Add(r.overrideAfter))
		}
	}
	links(t, db, f.Referrals)
	maracCases(t, db, f.Referrals)
	criminalJustice(t, db, f.Referrals)
	return f
}

func create(t testing.TB, db *store.DB, r raise, sent time.Time) string {
	t.Helper()
	var s referral.Submission
	s.Offence, s.Summary, s.AggravatingFactors = r.offence, "A made-up summary for the report fixture.", r.factors
	s.Risk.Level = r.risk
	s.Victim.Name, s.Victim.DateOfBirth = r.victim.name, r.victim.born
	s.Victim.SafeContact.Method = "phone"
	s.Suspect.Name, s.Suspect.DateOfBirth = r.suspect.name, r.suspect.born
	s.Equality = equalities[r.at]
	due := map[string]time.Time{}
	for _, a := range r.agencies {
		s.Agencies = append(s.Agencies, referral.Request{Agency: a})
		due[a] = sent.Add(responseTime[a])
	}
	c := consent.Consent{Decision: r.consent, RecordedBy: officer.Subject, RecordedAt: sent}
	switch r.consent {
	case consent.Given:
		c.Agencies, c.Categories, c.Method = r.agencies, category.SetOf(category.Identity, category.Contact, category.SafeContact), consent.Verbal
	case consent.NotSought:
		c.Reason = "asking would put the victim at risk"
	}
	id, _, err := db.CreateReferral(context.Background(), referral.NewReferral{Submission: s, Officer: officer, Due: due, Consent: c, Draft: r.draft})
	if err != nil {
		t.Fatalf("referral of %s: %v", r.at, err)
	}
	return id
}

func overrideFor(t testing.TB, db *store.DB, id string, r raise, at time.Time) {
	t.Helper()
	ctx := context.Background()
	setClock(db, at)
	o, err := db.RequestOverride(ctx, id, consent.Override{Basis: r.overrideBasis, Rationale: sealed.NewText("", category.Risk, "police", "necessary and proportionate"),
		Agencies: r.overrideAgencies, Categories: category.SetOf(category.Identity, category.SafeContact), Until: at.AddDate(0, 3, 0)}, officer)
	if err != nil {
		t.Fatal(err)
	}
	if r.overrideDecision == "" {
		return
	}
	decidedAt := at.Add(time.Hour)
	setClock(db, decidedAt)
	approver := supervisor
	approver.AuthTime = decidedAt.Unix()
	if _, err := db.DecideOverride(ctx, o.ID, func(o consent.Override) (consent.Override, error) {
		return consent.Decide(o, approver, r.overrideDecision == "approve", "decided for the fixture", decidedAt, 15*time.Minute)
	}, approver); err != nil {
		t.Fatal(err)
	}
}

// links, decided by the officer on 5 April: R4 to R2 and R7 to R1 through
// the victim, R7 to R1 and R5 to R3 through the suspect, R1 to R0 through
// the victim (R0 is outside the period); R8 to R9 rejected, which counts
// for nothing.
func links(t testing.TB, db *store.DB, ids []string) {
	t.Helper()
	setClock(db, day("2026-04-05"))
	for _, l := range []struct {
		from, to int
		via      referral.LinkVia
		confirm  bool
	}{
		{4, 2, referral.ViaVictim, true}, {7, 1, referral.ViaVictim, true}, {7, 1, referral.ViaSuspect, true}, {5, 3, referral.ViaSuspect, true},
		{1, 0, referral.ViaVictim, true}, {8, 9, referral.ViaVictim, false},
	} {
		if err := db.DecideLink(context.Background(), ids[l.from], ids[l.to], l.via, l.confirm, officer); err != nil {
			t.Fatal(err)
		}
	}
}

// maracCases: M0 (15 December 2025) hears R0; M1 (10 February 2026) R1, a
// repeat of R0's victim and suspect, and R3; M2 (20 March 2026) R7, a repeat
// of R1's, and R6; M3 (15 April 2026, after the period) R8. The actions are
// listed in Want's comment.
func maracCases(t testing.TB, db *store.DB, ids []string) {
	t.Helper()
	ctx := context.Background()
	meetings := map[string]marac.Meeting{}
	for _, d := range []string{"2025-12-15", "2026-02-10", "2026-03-20", "2026-04-15"} {
		setClock(db, day(d).Add(-7*24*time.Hour))
		m, err := db.CreateMeeting(ctx, marac.Meeting{Panel: "north", Date: day(d)}, coordinator)
		if err != nil {
			t.Fatal(err)
		}
		meetings[d] = m
	}
	cases := map[int]marac.Case{}
	for _, c := range []struct {
		meeting  string
		referral int
	}{{"2025-12-15", 0}, {"2026-02-10", 1}, {"2026-02-10", 3}, {"2026-03-20", 7}, {"2026-03-20", 6}, {"2026-04-15", 8}} {
		setClock(db, day(c.meeting).Add(-24*time.Hour))
		mc, err := db.AddCase(ctx, meetings[c.meeting].ID, marac.Case{ReferralID: ids[c.referral], Criterion: marac.VisibleHighRisk, Note: sealed.NewText("", category.Risk, "marac-coordinator", "restricted note")}, coordinator)
		if err != nil {
			t.Fatal(err)
		}
		cases[c.referral] = mc
	}
	for _, a := range []struct {
		referral   int
		agency     string
		due        string
		status     marac.ActionStatus
		changed    string
		meetingDay string
	}{
		{0, "housing", "2025-12-30", marac.Open, "", "2025-12-15"},
		{1, "housing", "2026-02-20", marac.Done, "2026-02-18", "2026-02-10"},
		{1, "victim-support", "2026-02-20", marac.Done, "2026-02-25", "2026-02-10"},
		{3, "health", "2026-03-01", marac.NotPossible, "2026-02-27", "2026-02-10"},
		{3, "housing", "2026-03-01", marac.Open, "", "2026-02-10"},
		{7, "housing", "2026-04-30", marac.Open, "", "2026-03-20"},
		{7, "idva", "2026-03-25", marac.NotDone, "2026-03-30", "2026-03-20"},
		{6, "victim-support", "2026-03-30", marac.Done, "2026-03-30", "2026-03-20"},
		{8, "health", "2026-04-25", marac.Open, "", "2026-04-15"},
	} {
		setClock(db, day(a.meetingDay).Add(15*time.Hour))
		act, err := db.AddAction(ctx, cases[a.referral].ID, marac.Action{Agency: a.agency, Description: sealed.NewText("", category.Risk, "marac-coordinator", "an action kept sealed"), Due: day(a.due)}, coordinator)
		if err != nil {
			t.Fatal(err)
		}
		if a.status == marac.Open {
			continue
		}
		setClock(db, day(a.changed).Add(16*time.Hour))
		if _, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: act.ID, Status: string(a.status), Note: "what happened", By: coordinator}); err != nil {
			t.Fatal(err)
		}
	}
}

func setClock(db *store.DB, at time.Time) { db.Now = func() time.Time { return at } }

func stamp(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

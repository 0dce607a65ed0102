package reporttest

import (
	"context"
	"testing"

	"github.com/stalking-hub/hub/internal/justice"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/report"
	"github.com/stalking-hub/hub/internal/store"
)

// The criminal-justice side of the fixture, written on 10 April 2026 (Now).
// Referrals are numbered as in Want's comment: ids[0] is R0, ids[10] the draft.
//
// Outcomes, with the time from the referral to the end of the day of the
// decision:
//
//	R0 charged (before the period: not counted)
//	R1 s4A                charged     4 Feb   30.5 days = 732 h
//	R2 harassment         nfa, victim does not support  30 Jan  252 h
//	R4 s4                 cautioned   3 Feb (its own day, from noon)  12 h
//	R7 breach of an order charged     20 Mar  252 h
//	R9 cautioned (after the period: not counted)
//
// 4 outcomes; times 12 252 252 732: median 252, 90th 252 + 0.7 x 480 = 588.
//
// Orders, on the period's last day (31 March, earlier than Now):
//
//	R0 Stalking Protection Order, in force (R0 is outside the period)
//	R1 Stalking Protection Order 1 Feb 2026 to 1 Feb 2027: in force
//	R3 pre-charge bail 1 Feb to 15 Mar: ended
//	R6 restraining order from 1 Mar, until further order, discharged 20 Mar
//	R7 non-molestation order from 31 Mar: in force on its first day
//	R8 DVPO from 2 April: not yet
//
// With an active order: R1 and R7, 2.
//
// Victims' Code updates due in the period (enhanced: the stalking offences
// R0 R1 R3 R6; due the next working day, else the fifth):
//
//	R1 arrest 6 Jan (Tue), due 7 Jan, told 7 Jan: on time
//	R1 charge 4 Feb (Wed), due 5 Feb, told 9 Feb: late
//	R2 arrest 21 Jan (Wed), due 28 Jan, told 28 Jan: on time
//	R3 no further action 27 Mar (Fri), due 30 Mar (Mon), never told: overdue
//	R8 arrest 20 Mar (Fri), due 27 Mar, told 31 Mar: late
//	R0 court date 2 Mar (Mon), due 3 Mar, told 3 Mar: on time (an older
//	   referral's update still falls due in the period)
//	R7 court date 26 Mar (Thu), due 2 Apr: after the period
//	R6 bail change 2 Apr (Thu), due 7 Apr past Easter: after the period
//
// Due 6, on time 3, late 2, overdue 1.
func criminalJustice(t testing.TB, db *store.DB, ids []string) {
	t.Helper()
	ctx := context.Background()
	setClock(db, Now)
	for _, o := range []struct {
		r       int
		outcome string
		on      string
	}{{0, "charged", "2025-07-01"}, {1, "charged", "2026-02-04"}, {2, "nfa_evidential_victim_does_not_support", "2026-01-30"},
		{4, "cautioned", "2026-02-03"}, {7, "charged", "2026-03-20"}, {9, "cautioned", "2026-04-05"}} {
		if err := db.SetOutcome(ctx, ids[o.r], o.outcome, day(o.on), officer); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range []struct {
		r                          int
		kind, from, to, discharged string
	}{{0, "stalking_protection_order", "2025-06-16", "2027-06-16", ""}, {1, "stalking_protection_order", "2026-02-01", "2027-02-01", ""},
		{3, "bail_pre_charge", "2026-02-01", "2026-03-15", ""}, {6, "restraining_order", "2026-03-01", "", "2026-03-20"},
		{7, "non_molestation_order", "2026-03-31", "2026-09-30", ""}, {8, "dvpo", "2026-04-02", "2026-04-30", ""}} {
		ord := justice.Order{ReferralID: ids[o.r], Kind: o.kind, Conditions: justice.Conditions(ids[o.r], "made-up conditions"), StartsOn: day(o.from)}
		if o.to != "" {
			ord.EndsOn = day(o.to)
		}
		saved, err := db.AddOrder(ctx, ord, officer)
		if err != nil {
			t.Fatal(err)
		}
		if o.discharged != "" {
			if _, err := db.ChangeOrder(ctx, justice.OrderUpdate{ID: saved.ID, IfMatch: saved.Version, Change: "discharged", Reason: justice.ChangeReason(saved.ReferralID, "discharged"), Actor: officer,
				Apply: func(x *justice.Order) error { x.DischargedOn = day(o.discharged); return nil }}); err != nil {
				t.Fatal(err)
			}
		}
	}
	cal, err := justice.EnglandAndWales()
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		r         int
		event, on string
		told      string
	}{{1, "arrest", "2026-01-06", "2026-01-07"}, {1, "charge", "2026-02-04", "2026-02-09"}, {2, "arrest", "2026-01-21", "2026-01-28"},
		{3, "no_further_action", "2026-03-27", ""}, {8, "arrest", "2026-03-20", "2026-03-31"}, {0, "court_date", "2026-03-02", "2026-03-03"},
		{7, "court_date", "2026-03-26", ""}, {6, "bail_change", "2026-04-02", ""}} {
		saved, err := db.AddVictimUpdate(ctx, justice.Update{ReferralID: ids[u.r], Event: u.event, EventOn: day(u.on)}, cal, officer)
		if err != nil {
			t.Fatal(err)
		}
		if u.told != "" {
			if _, err := db.TellVictimUpdate(ctx, justice.Update{ID: saved.ID, ToldOn: day(u.told), Method: "phone"}, 0, officer); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// equalities are the victims' equality details, given with their agreement,
// by the time the referral was raised: R1, R3 and R6 in the period, R9
// after it.
var equalities = map[string]*referral.Equality{
	"2026-01-05T12:00:00Z": {Agreed: true, Sex: "female", AgeBand: "25_34", Ethnicity: "white", Disability: "no", SexualOrientation: "heterosexual", GenderIdentity: "not_trans", Interpreter: "no"},
	"2026-01-31T23:00:00Z": {Agreed: true, Sex: "female", AgeBand: "35_44", Ethnicity: "asian", Disability: "yes", SexualOrientation: "not_stated", GenderIdentity: "not_trans", Interpreter: "yes"},
	"2026-02-28T12:00:00Z": {Agreed: true, Sex: "male", AgeBand: "25_34", Ethnicity: "black", Disability: "no", SexualOrientation: "gay_or_lesbian", Interpreter: "no"},
	"2026-04-01T00:00:00Z": {Agreed: true, Sex: "female", AgeBand: "65_plus", Ethnicity: "other", Disability: "yes", Interpreter: "yes"},
}

// wantEquality is the equality details of R1, R3 and R6 (all agencies) or
// of R3 and R6 (health).
func wantEquality(health bool) (map[string]map[string]int, int) {
	e := report.NewEquality()
	add := func(r *referral.Equality) {
		for q, v := range r.Answers() {
			e[q][v]++
		}
	}
	given := 0
	for at, r := range equalities {
		if at == "2026-04-01T00:00:00Z" || health && at == "2026-01-05T12:00:00Z" {
			continue
		}
		add(r)
		given++
	}
	return e, given
}

// wantCriminalJustice is the figures above, for all agencies.
func wantCriminalJustice() report.CriminalJustice {
	cj := report.NewCriminalJustice()
	cj.ByOutcome["charged"], cj.ByOutcome["cautioned"], cj.ByOutcome["nfa_evidential_victim_does_not_support"] = 2, 1, 1
	cj.ByOffence["stalking_fear_alarm_distress"]["charged"] = 1
	cj.ByOffence["harassment"]["nfa_evidential_victim_does_not_support"] = 1
	cj.ByOffence["harassment_fear_of_violence"]["cautioned"] = 1
	cj.ByOffence["breach_of_order"]["charged"] = 1
	cj.WithOutcome, cj.ToOutcome, cj.WithActiveOrder = 4, durations(4, 252, 588), 2
	cj.VictimUpdates = report.VictimUpdates{Due: 6, OnTime: 3, Late: 2, Overdue: 1}
	return cj
}

// wantCriminalJusticeHealth is them for the referrals shared with health
// (R3 R4 R6 R8): R4's caution after 12 h; no order in force on 31 March;
// R3's overdue update and R8's late one.
func wantCriminalJusticeHealth() report.CriminalJustice {
	cj := report.NewCriminalJustice()
	cj.ByOutcome["cautioned"] = 1
	cj.ByOffence["harassment_fear_of_violence"]["cautioned"] = 1
	cj.WithOutcome, cj.ToOutcome = 1, durations(1, 12, 12)
	cj.VictimUpdates = report.VictimUpdates{Due: 2, Late: 1, Overdue: 1}
	return cj
}

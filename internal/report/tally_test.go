package report

import (
	"slices"
	"testing"
)

func TestShareTally(t *testing.T) {
	tally := NewShareTally()
	for _, g := range []ShareGroup{
		{Agency: "housing", Status: "closed", OutcomeCode: "safety_measures", Shares: 1, Answered: 1, Accepted: 1, AnsweredInTime: 1, AcceptedInTime: 1, PastDue: 1},
		{Agency: "housing", Status: "declined", Shares: 1, Answered: 1, AnsweredInTime: 1, PastDue: 1},
		{Agency: "housing", Status: "declined", DeclineCode: "out_of_area", Shares: 2, Answered: 2},
		{Agency: "housing", Status: "viewed", Shares: 3, PastDue: 2},
		{Agency: "housing", Status: "sent", Shares: 1},
		{Agency: "health", Status: "in_progress", Shares: 1, Answered: 1, Accepted: 1, AnsweredInTime: 1, AcceptedInTime: 1},
	} {
		tally.Add(g)
	}
	agencies, declines, outcomes := tally.Agencies()
	if len(agencies) != 2 || agencies[0].Agency != "health" || agencies[1].Agency != "housing" {
		t.Fatalf("agencies %+v", agencies)
	}
	hs := agencies[1]
	// Past due counts only for shares still waiting: 2 of the viewed, not
	// the closed or declined ones.
	if hs.Received != 8 || hs.Accepted != 1 || hs.Declined != 3 || hs.Awaiting != 4 || hs.Closed != 1 || hs.Answered != 4 ||
		hs.WithinResponseTime != 2 || hs.Overdue != 2 || hs.AcceptedWithinResponseTime != 1 {
		t.Errorf("housing %+v", hs)
	}
	if hs.Statuses["declined"] != 3 || hs.Statuses["viewed"] != 3 || hs.Statuses["accepted"] != 0 || len(hs.Statuses) != len(ShareStatuses) {
		t.Errorf("statuses %v", hs.Statuses)
	}
	// In time 2 of the 4 answered and 2 overdue.
	if rate, ok := hs.ResponseRate(); !ok || rate != 100.0/3 {
		t.Errorf("response rate %v %v", rate, ok)
	}
	if he := agencies[0]; he.Accepted != 1 || he.Answered != 1 || he.Awaiting != 0 {
		t.Errorf("health %+v", he)
	}
	want := []CodeCount{{Agency: "housing", Code: "", Count: 1}, {Agency: "housing", Code: "out_of_area", Count: 2}}
	if !slices.Equal(declines, want) {
		t.Errorf("declines %+v", declines)
	}
	if want := []CodeCount{{Agency: "housing", Code: "safety_measures", Count: 1}}; !slices.Equal(outcomes, want) {
		t.Errorf("outcomes %+v", outcomes)
	}
	if a, d, o := NewShareTally().Agencies(); a == nil || d == nil || o == nil || len(a)+len(d)+len(o) != 0 {
		t.Errorf("an empty tally gives %v %v %v, want empty lists", a, d, o)
	}
}

func TestReferralsAddMonth(t *testing.T) {
	r := NewReferrals(Period{date("2026-01-15"), date("2026-02-10")})
	if len(r.Months) != 2 || r.ByStrand["race"] != 0 || len(r.ByOffence) != len(Offences) {
		t.Fatalf("zeros %+v", r)
	}
	r.AddMonth(0, Month{Total: 2, ByRisk: map[string]int{"high": 2}, ByOffence: map[string]int{"stalking": 2}, ByFactor: map[string]int{"domestic_abuse": 1}})
	r.AddMonth(1, Month{Total: 1, ByRisk: map[string]int{"high": 1}, ByOffence: map[string]int{"other": 1}, ByFactor: map[string]int{}})
	if r.Total != 3 || r.ByRisk["high"] != 3 || r.ByOffence["stalking"] != 2 || r.ByFactor["domestic_abuse"] != 1 {
		t.Errorf("totals %+v", r)
	}
	if m := r.Months[1]; m.Total != 1 || m.ByOffence["other"] != 1 || m.ByOffence["stalking"] != 0 || m.ByRisk["medium"] != 0 {
		t.Errorf("second month %+v", m)
	}
}

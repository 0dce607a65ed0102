package report

import (
	"slices"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/referral"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestRepeats(t *testing.T) {
	cases := []struct {
		name  string
		times []string
		want  []bool
	}{
		{"alone", []string{"2026-03-01T12:00:00Z"}, []bool{false}},
		{"the later of two in a year", []string{"2026-03-01T12:00:00Z", "2025-09-01T12:00:00Z"}, []bool{true, false}},
		{"exactly twelve months before counts", []string{"2025-03-01T12:00:00Z", "2026-03-01T12:00:00Z"}, []bool{false, true}},
		{"a second more does not", []string{"2025-03-01T11:59:59Z", "2026-03-01T12:00:00Z"}, []bool{false, false}},
		{"at the same time, each is the other's repeat", []string{"2026-03-01T12:00:00Z", "2026-03-01T12:00:00Z"}, []bool{true, true}},
		{"a chain: each within a year of the one before", []string{"2024-06-01T00:00:00Z", "2025-05-01T00:00:00Z", "2026-04-01T00:00:00Z"}, []bool{false, true, true}},
		{"a gap: after it a new start", []string{"2026-04-01T00:00:00Z", "2023-01-01T00:00:00Z", "2024-06-01T00:00:00Z"}, []bool{false, false, false}},
		{"29 February: twelve months before is 1 March", []string{"2023-03-01T00:00:00Z", "2024-02-29T00:00:00Z"}, []bool{false, true}},
		{"29 February: 28 February is too early", []string{"2023-02-28T23:59:59Z", "2024-02-29T00:00:00Z"}, []bool{false, false}},
	}
	for _, c := range cases {
		var times []time.Time
		for _, s := range c.times {
			times = append(times, at(s))
		}
		if got := Repeats(times); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestReferralTally(t *testing.T) {
	p := Period{date("2026-01-01"), date("2026-02-28")}
	tally := NewReferralTally(p)
	rows := []ReferralRow{
		{CreatedAt: at("2026-01-01T00:00:00Z"), Offence: "stalking", Risk: "high", InScope: true, RepeatVictim: true, LinkedViaVictim: true},
		{CreatedAt: at("2026-02-28T23:59:59Z"), Offence: "harassment", Risk: "standard", InScope: true, Factors: referral.Factors{HateCrimeStrand: "race"},
			RepeatSuspect: true, LinkedViaVictim: true, LinkedViaSuspect: true},
		{CreatedAt: at("2025-12-31T23:59:59Z"), Offence: "stalking", Risk: "high", InScope: true, RepeatVictim: true},  // before the period
		{CreatedAt: at("2026-03-01T00:00:00Z"), Offence: "stalking", Risk: "high", InScope: true},                      // after it
		{CreatedAt: at("2026-01-15T00:00:00Z"), Offence: "stalking", Risk: "high", InScope: false, RepeatVictim: true}, // another agency's
		{CreatedAt: at("2026-01-20T00:00:00Z"), Offence: "other", Risk: "medium", InScope: true, LinkedViaSuspect: true},
	}
	for _, r := range rows {
		tally.Add(r)
	}
	got := tally.Referrals()
	if got.Total != 3 || got.Months[0].Total != 2 || got.Months[1].Total != 1 || got.ByRisk["high"] != 1 || got.ByStrand["race"] != 1 {
		t.Errorf("referrals %+v", got)
	}
	want := Patterns{Referrals: 3, RepeatVictim: 1, RepeatSuspect: 1, Linked: 3, LinkedViaVictim: 2, LinkedViaSuspect: 2}
	if pt := tally.Patterns(); pt != want {
		t.Errorf("patterns %+v, want %+v", pt, want)
	}
}

func TestShareTally(t *testing.T) {
	h := time.Hour
	tally := NewShareTally()
	for _, s := range []ShareRow{
		{Agency: "housing", Status: "closed", AnsweredIn: 2 * h, AcceptedIn: 2 * h, AnsweredInTime: true, AcceptedInTime: true},
		{Agency: "housing", Status: "declined", DeclineCode: "", AnsweredIn: 10 * h, AcceptedIn: -1, AnsweredInTime: true},
		{Agency: "housing", Status: "declined", DeclineCode: "out_of_area", AnsweredIn: 50 * h, AcceptedIn: -1},
		{Agency: "housing", Status: "viewed", AnsweredIn: -1, AcceptedIn: -1, Overdue: true},
		{Agency: "housing", Status: "sent", AnsweredIn: -1, AcceptedIn: -1},
		{Agency: "health", Status: "in_progress", AnsweredIn: 0, AcceptedIn: 0, AnsweredInTime: true, AcceptedInTime: true},
	} {
		tally.Add(s)
	}
	agencies, declines := tally.Agencies()
	if len(agencies) != 2 || agencies[0].Agency != "health" || agencies[1].Agency != "housing" {
		t.Fatalf("agencies %+v", agencies)
	}
	hs := agencies[1]
	if hs.Received != 5 || hs.Accepted != 1 || hs.Declined != 2 || hs.Awaiting != 2 || hs.Closed != 1 || hs.Answered != 3 ||
		hs.WithinResponseTime != 2 || hs.Overdue != 1 || hs.AcceptedWithinResponseTime != 1 {
		t.Errorf("housing %+v", hs)
	}
	if hs.Statuses["declined"] != 2 || hs.Statuses["sent"] != 1 || hs.Statuses["accepted"] != 0 || len(hs.Statuses) != len(ShareStatuses) {
		t.Errorf("statuses %v", hs.Statuses)
	}
	if *hs.FirstResponse.MedianHours != 10 || hs.FirstResponse.Count != 3 || *hs.Acceptance.P90Hours != 2 {
		t.Errorf("durations %+v %+v", hs.FirstResponse, hs.Acceptance)
	}
	if rate, ok := hs.ResponseRate(); !ok || rate != 50 {
		t.Errorf("response rate %v %v", rate, ok)
	}
	if he := agencies[0]; he.Accepted != 1 || he.Answered != 1 || *he.FirstResponse.MedianHours != 0 {
		t.Errorf("health, answered at once %+v", he)
	}
	want := []DeclineReason{{Agency: "housing", Code: "", Count: 1}, {Agency: "housing", Code: "out_of_area", Count: 1}}
	if !slices.Equal(declines, want) {
		t.Errorf("declines %+v", declines)
	}
	if a, d := NewShareTally().Agencies(); a == nil || d == nil || len(a)+len(d) != 0 {
		t.Errorf("an empty tally gives %v %v, want empty lists", a, d)
	}
}

package report

import (
	"math"
	"testing"

	"github.com/stalking-hub/hub/internal/referral"
)

func TestPercentile(t *testing.T) {
	cases := []struct {
		name   string
		values []float64
		p      float64
		want   float64
	}{
		{"none", nil, 50, 0},
		{"one value", []float64{7}, 90, 7},
		{"odd count median is the middle", []float64{1, 2, 10}, 50, 2},
		{"even count median is the mean of the middle two", []float64{1, 2, 4, 10}, 50, 3},
		{"90th of ten interpolates", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9.1},
		{"90th of two", []float64{0, 10}, 90, 9},
		{"0th is the least", []float64{3, 4}, 0, 3},
		{"100th is the greatest", []float64{3, 4}, 100, 4},
		{"ties", []float64{5, 5, 5}, 90, 5},
	}
	for _, c := range cases {
		if got := Percentile(c.values, c.p); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestDurationsOf(t *testing.T) {
	if d := DurationsOf(nil); d.Count != 0 || d.MedianHours != nil || d.P90Hours != nil {
		t.Errorf("no durations: %+v", d)
	}
	// 1 h, 2 h, 4 h, 20 h given out of order: median 3 h; 90th: rank 2.7
	// between 4 and 20, 4 + 0.7*16 = 15.2 h.
	d := DurationsOf([]int64{20 * 3600, 3600, 4 * 3600, 2 * 3600})
	if d.Count != 4 || *d.MedianHours != 3 || *d.P90Hours != 15.2 {
		t.Errorf("got %d %v %v", d.Count, *d.MedianHours, *d.P90Hours)
	}
	// 20 minutes is a third of an hour, kept to the hundredth.
	if d := DurationsOf([]int64{1200}); *d.MedianHours != 0.33 {
		t.Errorf("20 minutes: %v", *d.MedianHours)
	}
}

func TestRate(t *testing.T) {
	cases := []struct {
		n, d int
		want float64
		ok   bool
	}{{0, 0, 0, false}, {0, 4, 0, true}, {1, 3, 100.0 / 3, true}, {4, 4, 100, true}}
	for _, c := range cases {
		if got, ok := Rate(c.n, c.d); ok != c.ok || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Rate(%d, %d) = %v %v", c.n, c.d, got, ok)
		}
	}
}

func TestReferralsCount(t *testing.T) {
	r := newReferrals(Period{date("2026-01-01"), date("2026-02-28")})
	for range 2 {
		r.count(0, "stalking", "high", referral.Factors{DomesticAbuse: true, HateCrimeStrand: "race"})
	}
	r.count(1, "harassment", "standard", referral.Factors{})
	for range 3 {
		r.count(1, "stalking", "high", referral.Factors{FearOfViolence: true, TechnologyEnabled: true, HonourBasedAbuse: true})
	}
	r.count(2, "other", "medium", referral.Factors{}) // in no month of the period: in the totals only
	if r.Total != 7 || r.ByRisk["high"] != 5 || r.ByRisk["standard"] != 1 || r.ByRisk["medium"] != 1 {
		t.Errorf("totals %d %v", r.Total, r.ByRisk)
	}
	if r.ByOffence["stalking"] != 5 || r.ByOffence["harassment"] != 1 || len(r.ByOffence) != len(Offences) {
		t.Errorf("offences %v", r.ByOffence)
	}
	want := map[string]int{"domestic_abuse": 2, "hate_crime": 2, "honour_based_abuse": 3, "fear_of_violence": 3, "technology_enabled": 3}
	for f, n := range want {
		if r.ByFactor[f] != n {
			t.Errorf("factor %s: %d, want %d", f, r.ByFactor[f], n)
		}
	}
	if r.ByStrand["race"] != 2 || r.ByStrand["disability"] != 0 {
		t.Errorf("strands %v", r.ByStrand)
	}
	if len(r.Months) != 2 || r.Months[0].Total != 2 || r.Months[1].Total != 4 || r.Months[1].ByFactor["domestic_abuse"] != 0 || r.Months[1].ByOffence["harassment"] != 1 {
		t.Errorf("months %+v", r.Months)
	}
}

func TestFactorsOf(t *testing.T) {
	cases := []struct {
		f    referral.Factors
		want int
	}{
		{referral.Factors{}, 0},
		{referral.Factors{HateCrimeStrand: "other"}, 1},
		{referral.Factors{DomesticAbuse: true, HateCrimeStrand: "race", HonourBasedAbuse: true, FearOfViolence: true, TechnologyEnabled: true}, 5},
	}
	for _, c := range cases {
		if got := factorsOf(c.f); len(got) != c.want {
			t.Errorf("%+v: %v", c.f, got)
		}
	}
}

func TestActionCountsAdd(t *testing.T) {
	var c ActionCounts
	c.Add(ActionCounts{Actions: 3, DoneOnTime: 1, DoneLate: 1, Open: 1, Overdue: 1})
	c.Add(ActionCounts{Actions: 2, NotPossible: 1, NotDone: 1})
	if c != (ActionCounts{Actions: 5, DoneOnTime: 1, DoneLate: 1, Open: 1, Overdue: 1, NotPossible: 1, NotDone: 1}) {
		t.Errorf("%+v", c)
	}
}

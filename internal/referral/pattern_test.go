package referral

import (
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/risk"
)

func TestPatternOf(t *testing.T) {
	at := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d.Add(14 * time.Hour) }
	date := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	cases := []struct {
		name        string
		in          []Incident
		incidents   int
		first, last string
		offences    []OffenceCount
		risks       []risk.Level
	}{
		{"nothing", nil, 0, "", "", nil, nil},
		{
			"one referral with no dates counts once, spanning its day",
			[]Incident{{Reference: "A", Offence: "stalking", Risk: risk.Medium, CreatedAt: at("2026-03-04")}},
			1, "2026-03-04", "2026-03-04", []OffenceCount{{"stalking", 1}}, []risk.Level{risk.Medium},
		},
		{
			"given out of order, counted, spanned by incident dates and in time order",
			[]Incident{
				{Reference: "C", Offence: "breach_of_order", Risk: risk.High, CreatedAt: at("2026-05-01"), Incidents: 2, FirstIncident: "2026-04-20", LastIncident: "2026-04-29"},
				{Reference: "A", Offence: "harassment", Risk: risk.Standard, CreatedAt: at("2025-11-10"), Incidents: 3, FirstIncident: "2025-09-01", LastIncident: "2025-11-08"},
				{Reference: "B", Offence: "harassment", Risk: risk.Medium, CreatedAt: at("2026-01-15")},
			},
			6, "2025-09-01", "2026-04-29", []OffenceCount{{"harassment", 2}, {"breach_of_order", 1}}, []risk.Level{risk.Standard, risk.Medium, risk.High},
		},
		{
			"a creation date later than any incident date ends the span",
			[]Incident{
				{Reference: "A", Offence: "stalking", Risk: risk.Medium, CreatedAt: at("2026-02-01"), Incidents: 1, FirstIncident: "2026-01-30", LastIncident: "2026-01-30"},
				{Reference: "B", Offence: "stalking", Risk: risk.Medium, CreatedAt: at("2026-02-20")},
			},
			2, "2026-01-30", "2026-02-20", []OffenceCount{{"stalking", 2}}, []risk.Level{risk.Medium, risk.Medium},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := PatternOf(c.in)
			if p.Incidents != c.incidents || len(p.Referrals) != len(c.in) {
				t.Fatalf("incidents %d of %d referrals, want %d", p.Incidents, len(p.Referrals), c.incidents)
			}
			if c.first != "" && (!p.First.Equal(date(c.first)) || !p.Last.Equal(date(c.last))) {
				t.Fatalf("span %s..%s, want %s..%s", p.First, p.Last, c.first, c.last)
			}
			if len(p.Offences) != len(c.offences) {
				t.Fatalf("offences %v, want %v", p.Offences, c.offences)
			}
			for i := range c.offences {
				if p.Offences[i] != c.offences[i] {
					t.Fatalf("offences %v, want %v", p.Offences, c.offences)
				}
			}
			if len(p.RiskOverTime) != len(c.risks) {
				t.Fatalf("risk over time %v", p.RiskOverTime)
			}
			for i, l := range c.risks {
				if p.RiskOverTime[i].Level != l || (i > 0 && p.RiskOverTime[i].Date.Before(p.RiskOverTime[i-1].Date)) {
					t.Fatalf("risk over time %v, want levels %v in date order", p.RiskOverTime, c.risks)
				}
			}
		})
	}
}

func TestRepeats(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		earlier, later string
		want           bool
	}{
		{"2025-06-01T09:00:00Z", "2026-06-01T09:00:00Z", true},            // exactly twelve months
		{"2025-06-01T08:59:59.999999999Z", "2026-06-01T09:00:00Z", false}, // a moment more
		{"2025-05-31T09:00:00Z", "2026-06-01T09:00:00Z", false},           // a day more
		{"2026-06-01T09:00:00Z", "2026-06-01T09:00:00Z", true},            // at the same time
		{"2026-06-01T09:00:01Z", "2026-06-01T09:00:00Z", false},           // raised after
		{"2023-03-01T00:00:00Z", "2024-02-29T00:00:00Z", true},            // 29 February: twelve months back is 1 March
		{"2023-02-28T23:59:59Z", "2024-02-29T00:00:00Z", false},
		{"2024-02-29T12:00:00Z", "2025-02-28T12:00:00Z", true},
	}
	for _, c := range cases {
		if got := Repeats(at(c.earlier), at(c.later)); got != c.want {
			t.Errorf("Repeats(%s, %s) = %v, want %v", c.earlier, c.later, got, c.want)
		}
	}
}

func TestResponseSeconds(t *testing.T) {
	sent := time.Date(2026, 1, 1, 23, 59, 59, 999999999, time.UTC)
	cases := []struct {
		at   time.Time
		want int64
	}{
		{sent, 0},
		{sent.Add(time.Nanosecond), 1}, // 2026-01-02T00:00:00: each time is taken to its second
		{time.Date(2026, 1, 2, 0, 0, 59, 0, time.UTC), 60},
		{time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC), 86401},
	}
	for _, c := range cases {
		if got := ResponseSeconds(sent, c.at); got != c.want {
			t.Errorf("ResponseSeconds(%v, %v) = %d, want %d", sent, c.at, got, c.want)
		}
	}
}

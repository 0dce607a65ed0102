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

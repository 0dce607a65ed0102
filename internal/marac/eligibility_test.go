package marac

import (
	"slices"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/risk"
)

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func score(n int) *int { return &n }

func TestEligible(t *testing.T) {
	now := time.Date(2026, 11, 21, 15, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		in   EligibilityInput
		want []Criterion
	}{
		{"nothing", EligibilityInput{}, nil},
		{"DASH 13 is not visible high risk", EligibilityInput{RiskTool: risk.DASH, RiskScore: score(13)}, nil},
		{"DASH 14 is visible high risk", EligibilityInput{RiskTool: risk.DASH, RiskScore: score(14)}, []Criterion{VisibleHighRisk}},
		{"DASH 24", EligibilityInput{RiskTool: risk.DASH, RiskScore: score(24)}, []Criterion{VisibleHighRisk}},
		{"an S-DASH score is another scale", EligibilityInput{RiskTool: risk.SDASH, RiskScore: score(15)}, nil},
		{"a score without a tool is not a DASH score", EligibilityInput{RiskScore: score(15)}, nil},
		{"DASH without a score", EligibilityInput{RiskTool: risk.DASH}, nil},
		{"stated concern is professional judgement", EligibilityInput{Concern: true}, []Criterion{ProfessionalJudgement}},
		{"3 incidents within 12 months", EligibilityInput{EscalationIncidents: 3, Incidents: 3, FirstIncident: date("2026-03-02"), LastIncident: date("2026-11-20")}, []Criterion{PotentialEscalation}},
		{"3 incidents exactly 12 months apart count", EligibilityInput{EscalationIncidents: 3, Incidents: 3, FirstIncident: date("2025-11-20"), LastIncident: date("2026-11-20")}, []Criterion{PotentialEscalation}},
		{"3 incidents 12 months and a day apart do not", EligibilityInput{EscalationIncidents: 3, Incidents: 3, FirstIncident: date("2025-11-19"), LastIncident: date("2026-11-20")}, nil},
		{"2 incidents are below 3", EligibilityInput{EscalationIncidents: 3, Incidents: 2, FirstIncident: date("2026-10-01"), LastIncident: date("2026-11-20")}, nil},
		{"3 incidents on one day", EligibilityInput{EscalationIncidents: 3, Incidents: 3, FirstIncident: date("2026-11-20"), LastIncident: date("2026-11-20")}, []Criterion{PotentialEscalation}},
		{"the panel's own threshold: 4 is below 5", EligibilityInput{Incidents: 4, FirstIncident: date("2026-10-01"), LastIncident: date("2026-11-20"), EscalationIncidents: 5}, nil},
		{"the panel's own threshold: 5 meets 5", EligibilityInput{Incidents: 5, FirstIncident: date("2026-10-01"), LastIncident: date("2026-11-20"), EscalationIncidents: 5}, []Criterion{PotentialEscalation}},
		{"the panel's own threshold: 2 meets 2", EligibilityInput{Incidents: 2, FirstIncident: date("2026-10-01"), LastIncident: date("2026-11-20"), EscalationIncidents: 2}, []Criterion{PotentialEscalation}},
		{"no threshold: never met", EligibilityInput{Incidents: 9, FirstIncident: date("2026-10-01"), LastIncident: date("2026-11-20"), EscalationIncidents: 0}, nil},
		{"count without dates: span unknown", EligibilityInput{EscalationIncidents: 3, Incidents: 9}, nil},
		{"count without the first date", EligibilityInput{EscalationIncidents: 3, Incidents: 9, LastIncident: date("2026-11-20")}, nil},
		{"last before first is not a span", EligibilityInput{EscalationIncidents: 3, Incidents: 3, FirstIncident: date("2026-11-20"), LastIncident: date("2026-03-02")}, nil},
		{"12 months from 29 February run to 1 March", EligibilityInput{EscalationIncidents: 3, Incidents: 3, FirstIncident: date("2024-02-29"), LastIncident: date("2025-03-01")}, []Criterion{PotentialEscalation}},
		{"repeat within 12 months of the last case", EligibilityInput{LastCase: date("2026-06-04")}, []Criterion{Repeat}},
		{"repeat exactly 12 months after the last case", EligibilityInput{LastCase: date("2025-11-21")}, []Criterion{Repeat}},
		{"after 12 months it is a new case, not a repeat", EligibilityInput{LastCase: date("2025-11-20")}, nil},
		{"a case on the day of the referral", EligibilityInput{LastCase: date("2026-11-21")}, []Criterion{Repeat}},
		{"a case after the referral is not its last case", EligibilityInput{LastCase: date("2026-12-03")}, nil},
		{"all four, in order", EligibilityInput{RiskTool: risk.DASH, RiskScore: score(15), Concern: true, EscalationIncidents: 3, Incidents: 6, FirstIncident: date("2026-03-02"), LastIncident: date("2026-11-20"), LastCase: date("2026-01-08")},
			[]Criterion{VisibleHighRisk, ProfessionalJudgement, PotentialEscalation, Repeat}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Eligible(c.in, now); !slices.Equal(got, c.want) {
				t.Fatalf("Eligible = %v, want %v", got, c.want)
			}
		})
	}
}

func TestRepeatCase(t *testing.T) {
	meeting := date("2026-12-03")
	cases := []struct {
		name string
		last time.Time
		want bool
	}{
		{"no earlier case", time.Time{}, false},
		{"last month", date("2026-11-05"), true},
		{"exactly 12 months before", date("2025-12-03"), true},
		{"12 months and a day before: a new case", date("2025-12-02"), false},
		{"the same day is not before", date("2026-12-03"), false},
		{"a later meeting is not before", date("2027-01-07"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := RepeatCase(c.last, meeting); got != c.want {
				t.Fatalf("RepeatCase(%v, %v) = %v, want %v", c.last, meeting, got, c.want)
			}
		})
	}
}

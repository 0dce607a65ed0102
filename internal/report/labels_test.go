package report

import (
	"slices"
	"testing"

	"github.com/stalking-hub/hub/internal/vocab"
)

// Each table says a code in the registry's words for that code's own
// vocabulary ("other" is "Another offence" among offences, "Other" among
// strands); an answer without a code is "Not coded", and a code the
// registry does not know is shown in words, not lost.
func TestTablesSpeakTheRegistrysWords(t *testing.T) {
	p := Period{date("2026-01-01"), date("2026-01-31")}
	f := Figures{Period: p, Referrals: NewReferrals(p), CriminalJustice: NewCriminalJustice(), Equality: NewEquality(),
		Agencies:       []AgencyFigures{{Agency: "housing", Statuses: zeros(ShareStatuses)}},
		DeclineReasons: []CodeCount{{Agency: "housing", Code: "", Count: 1}, {Agency: "housing", Code: "out_of_area", Count: 1}},
		Outcomes:       []CodeCount{{Agency: "housing", Code: "made_up_code", Count: 1}},
		Consent:        Consent{ByDecision: zeros(ConsentDecisions)},
		Overrides:      []OverrideBasis{{Basis: "dpa2018_sch8_safeguarding"}, {Basis: "children_act_s47"}}}
	columns := func(tb Table) (out []string) {
		for _, c := range tb.Columns {
			out = append(out, c.Name)
		}
		return out
	}
	rows := func(tb Table) (out []string) {
		for _, r := range tb.Rows {
			out = append(out, r.Label)
		}
		return out
	}
	labels := func(l vocab.List) (out []string) {
		for _, t := range l {
			out = append(out, t.Label)
		}
		return out
	}
	name := func(id string) string { return id }
	table := func(id string) Table {
		tb, ok := TableByID(f, name, id)
		if !ok {
			t.Fatalf("no table %s", id)
		}
		return tb
	}
	for _, c := range []struct {
		got, want []string
		what      string
	}{
		{columns(table("referrals-by-risk")), append(labels(vocab.RiskLevels), "All referrals"), "risk columns"},
		{columns(table("referrals-by-offence")), append(labels(vocab.Offences), "All referrals"), "offence columns"},
		{columns(table("referrals-by-factor")), labels(vocab.AggravatingFactors), "factor columns"},
		{rows(table("hate-crime-strands")), labels(vocab.HateCrimeStrands), "strand rows"},
		{columns(table("agency-outcomes")), labels(vocab.ShareStatuses), "share status columns"},
		{rows(table("consent")), append(labels(vocab.ConsentDecisions), "No consent record"), "consent rows"},
		{rows(table("decline-reasons")), []string{"housing: Not coded", "housing: Outside our area"}, "decline rows"},
		{rows(table("closing-outcomes")), []string{"housing: made up code"}, "outcome rows"},
		{rows(table("overrides")), []string{vocab.LawfulBases[0].Label, "children act s47", "Total"}, "basis rows"},
		{columns(table("criminal-justice-by-offence")), labels(vocab.JusticeOutcomes), "justice outcome columns"},
		{rows(table("criminal-justice-by-offence")), labels(vocab.Offences), "justice offence rows"},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
		}
	}
	eq := rows(table("equality"))
	if !slices.Contains(eq, "Ethnic group: Asian or Asian British") || !slices.Contains(eq, "Age: 65 and over") {
		t.Errorf("equality rows in other words: %q", eq)
	}
}

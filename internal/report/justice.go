package report

import (
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/vocab"
)

// JusticeOutcomes are the criminal-justice outcome codes tables count by.
var JusticeOutcomes = vocab.JusticeOutcomes.Values()

// CriminalJustice is what the period's referrals came to on the
// criminal-justice side, and whether their victims were kept informed.
type CriminalJustice struct {
	// ByOutcome counts the period's referrals with an outcome recorded, by
	// outcome; ByOffence splits them by the referral's offence as well.
	ByOutcome map[string]int            `json:"by_outcome"`
	ByOffence map[string]map[string]int `json:"by_offence"`
	// WithOutcome counts them; ToOutcome is the time from the referral to
	// the day of the decision.
	WithOutcome int       `json:"with_outcome"`
	ToOutcome   Durations `json:"referral_to_outcome"`
	// WithActiveOrder counts the period's referrals with an order or bail
	// in force on the period's last day (or today, if that is earlier).
	WithActiveOrder int           `json:"with_active_order"`
	VictimUpdates   VictimUpdates `json:"victim_updates"`
}

// VictimUpdates counts the Victims' Code updates due in the period: told
// by the end of their due day, told after it, and not told with the day
// passed. Due less the three is the updates not yet told and not yet late.
type VictimUpdates struct {
	Due     int `json:"due"`
	OnTime  int `json:"on_time"`
	Late    int `json:"late"`
	Overdue int `json:"overdue"`
}

// NewCriminalJustice is the figures at zero, every outcome and offence present.
func NewCriminalJustice() CriminalJustice {
	cj := CriminalJustice{ByOutcome: zeros(JusticeOutcomes), ByOffence: map[string]map[string]int{}}
	for _, o := range Offences {
		cj.ByOffence[o] = zeros(JusticeOutcomes)
	}
	return cj
}

func justiceOutcomesTable(cj CriminalJustice) Table {
	t := Table{ID: "criminal-justice-outcomes", Caption: "Criminal-justice outcomes of the period's referrals", RowHeader: "Outcome",
		Columns: []Column{{Name: "Referrals"}, {Name: "Share of outcomes", Unit: Percent}}, Chart: Chart{Kind: Bars, Series: []int{0}}}
	for _, o := range JusticeOutcomes {
		t.Rows = append(t.Rows, Row{Label: vocab.JusticeOutcomes.Words(o), Cells: []Cell{count(cj.ByOutcome[o]), rate(cj.ByOutcome[o], cj.WithOutcome)}})
	}
	t.Rows = append(t.Rows, Row{Label: "Total", Total: true, Cells: []Cell{count(cj.WithOutcome), rate(cj.WithOutcome, cj.WithOutcome)}})
	return t
}

func justiceByOffenceTable(cj CriminalJustice) Table {
	t := Table{ID: "criminal-justice-by-offence", Caption: "Criminal-justice outcomes, by offence", RowHeader: "Offence", Chart: Chart{Kind: StackedBars}}
	for i, o := range JusticeOutcomes {
		t.Columns = append(t.Columns, Column{Name: vocab.JusticeOutcomes.Words(o)})
		t.Chart.Series = append(t.Chart.Series, i)
	}
	for _, off := range Offences {
		row := Row{Label: vocab.Offences.Words(off)}
		for _, o := range JusticeOutcomes {
			row.Cells = append(row.Cells, count(cj.ByOffence[off][o]))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func victimsCodeTable(cj CriminalJustice, referrals int) Table {
	t := Table{ID: "victims-code", Caption: "Victims' Code updates and protective orders", RowHeader: "Figure",
		Columns: []Column{{Name: "Number"}, {Name: "Share", Unit: Percent}}}
	u := cj.VictimUpdates
	for _, x := range []struct {
		label string
		n, of int
	}{
		{"Updates due", u.Due, u.Due},
		{"Told on time", u.OnTime, u.Due},
		{"Told late", u.Late, u.Due},
		{"Overdue, not told", u.Overdue, u.Due},
		{"Referrals with an active protective order", cj.WithActiveOrder, referrals},
	} {
		t.Rows = append(t.Rows, Row{Label: x.label, Cells: []Cell{count(x.n), rate(x.n, x.of)}})
	}
	return t
}

func timeToOutcomeTable(cj CriminalJustice) Table {
	d := cj.ToOutcome
	return Table{ID: "time-to-outcome", Caption: "Time from referral to criminal-justice outcome", RowHeader: "Referrals",
		Columns: []Column{{Name: "Outcomes"}, {Name: "Median", Unit: Hours}, {Name: "90th percentile", Unit: Hours}},
		Rows:    []Row{{Label: "With an outcome", Cells: []Cell{count(d.Count), hours(d.MedianHours), hours(d.P90Hours)}}}}
}

// NewEquality is the equality counts at zero, every question and answer present.
func NewEquality() map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, f := range referral.EqualityFields {
		out[f.Name] = zeros(f.Values)
	}
	return out
}

func equalityTable(f Figures) Table {
	t := Table{ID: "equality", Caption: "Victims' equality details, given with their agreement", RowHeader: "Question and answer",
		Columns: []Column{{Name: "Referrals"}, {Name: "Share of those given", Unit: Percent}}}
	for _, q := range referral.EqualityFields {
		answers, _ := vocab.Lookup("equality." + q.Name)
		for _, v := range q.Values {
			n := f.Equality[q.Name][v]
			t.Rows = append(t.Rows, Row{Label: vocab.EqualityQuestions.Words(q.Name) + ": " + answers.Words(v), Cells: []Cell{count(n), rate(n, f.EqualityGiven)}})
		}
	}
	return t
}

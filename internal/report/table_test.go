package report

import (
	"bytes"
	"strings"
	"testing"
)

func sample() Table {
	return Table{ID: "sample", Caption: "Answers", RowHeader: "Agency",
		Columns: []Column{{Name: "Received"}, {Name: "Acceptance rate", Unit: Percent}, {Name: "Median", Unit: Hours}},
		Rows: []Row{
			{Label: "Housing", Cells: []Cell{count(3), rate(2, 3), {Value: 4.25, OK: true}}},
			{Label: "=HYPERLINK(\"x\")", Cells: []Cell{count(0), rate(0, 0), hours(nil)}},
			{Label: "Total", Total: true, Cells: []Cell{count(3), rate(2, 3), hours(nil)}},
		},
		Chart: Chart{Kind: Bars, Series: []int{0}}}
}

func TestTableText(t *testing.T) {
	tb := sample()
	cases := []struct {
		row, col int
		want     string
	}{
		{0, 0, "3"}, {0, 1, "66.7%"}, {0, 2, "4.2"}, {1, 1, "–"}, {1, 2, "–"}, {1, 0, "0"},
	}
	for _, c := range cases {
		if got := tb.Text(c.col, tb.Rows[c.row].Cells[c.col]); got != c.want {
			t.Errorf("row %d col %d: %q, want %q", c.row, c.col, got, c.want)
		}
	}
	if got := tb.Columns[2].Heading(); got != "Median (hours)" {
		t.Errorf("heading %q", got)
	}
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := sample().WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := "Agency,Received,Acceptance rate (%),Median (hours)\n" +
		"Housing,3,66.7,4.2\n" +
		"\"'=HYPERLINK(\"\"x\"\")\",0,,\n" +
		"Total,3,66.7,\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestCSVText(t *testing.T) {
	for in, want := range map[string]string{"Housing": "Housing", "=1+1": "'=1+1", "+44": "'+44", "-x": "'-x", "@SUM": "'@SUM", "": "", "a=b": "a=b"} {
		if got := csvText(in); got != want {
			t.Errorf("csvText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTablesCoverEveryFigure(t *testing.T) {
	p := Period{date("2026-01-01"), date("2026-02-28")}
	f := Figures{Period: p, Referrals: NewReferrals(p),
		Agencies:       []AgencyFigures{{Agency: "housing", Received: 4, Accepted: 2, Declined: 1, Awaiting: 1, Statuses: map[string]int{"sent": 1, "closed": 2, "declined": 1}}},
		DeclineReasons: []CodeCount{{Agency: "housing", Code: "", Count: 1}},
		Outcomes:       []CodeCount{{Agency: "housing", Code: "referred_on", Count: 2}},
		Consent:        Consent{Referrals: 4, ByDecision: map[string]int{"given": 3, "refused": 1}},
		Overrides:      []OverrideBasis{{Basis: "vital_interests", Requested: 2, Approved: 1, Pending: 1}},
		MARAC:          MARAC{Cases: 2, ByAgency: []AgencyActions{{Agency: "housing", ActionCounts: ActionCounts{Actions: 2, Open: 2, Overdue: 1}}}}}
	f.MARAC.ActionCounts = f.MARAC.ByAgency[0].ActionCounts
	name := func(id string) string { return strings.ToUpper(id) }
	ids := map[string]bool{}
	for _, tb := range Tables(f, name) {
		if ids[tb.ID] {
			t.Errorf("two tables with id %s", tb.ID)
		}
		ids[tb.ID] = true
		for _, r := range tb.Rows {
			if len(r.Cells) != len(tb.Columns) {
				t.Errorf("%s row %s: %d cells for %d columns", tb.ID, r.Label, len(r.Cells), len(tb.Columns))
			}
		}
		for _, s := range tb.Chart.Series {
			if s >= len(tb.Columns) {
				t.Errorf("%s: series %d out of range", tb.ID, s)
			}
		}
	}
	if len(ids) != 20 {
		t.Errorf("%d tables", len(ids))
	}
	tb, ok := TableByID(f, name, "marac-actions")
	if !ok || tb.Rows[0].Label != "HOUSING" || tb.Text(3, tb.Rows[0].Cells[3]) != "1" || tb.Text(4, tb.Rows[0].Cells[4]) != "1" {
		t.Errorf("marac actions %+v", tb.Rows)
	}
	tb, _ = TableByID(f, name, "consent")
	if tb.Rows[0].Label != "Consent given" || tb.Text(1, tb.Rows[0].Cells[1]) != "75.0%" || tb.Rows[4].Label != "No consent record" {
		t.Errorf("consent %+v", tb.Rows)
	}
	tb, _ = TableByID(f, name, "closing-outcomes")
	if len(tb.Rows) != 1 || tb.Rows[0].Label != "HOUSING: Referred on to another service" || tb.Text(0, tb.Rows[0].Cells[0]) != "2" {
		t.Errorf("outcomes %+v", tb.Rows)
	}
	tb, _ = TableByID(f, name, "decline-reasons")
	if tb.Rows[0].Label != "HOUSING: Not coded" {
		t.Errorf("decline %+v", tb.Rows)
	}
	tb, _ = TableByID(f, name, "referrals-by-risk")
	if len(tb.Rows) != 3 || tb.Rows[2].Label != "Total" || !tb.Rows[2].Total || len(tb.Columns) != 4 {
		t.Errorf("months %+v", tb)
	}
	if _, ok := TableByID(f, name, "nothing"); ok {
		t.Error("found a table that does not exist")
	}
}

// A code the report does not know is shown after the known ones, not lost.
func TestOrderedKeepsUnknownCodes(t *testing.T) {
	got := ordered([]string{"a", "b"}, map[string]int{"b": 1, "z": 2, "c": 3})
	if strings.Join(got, ",") != "a,b,c,z" {
		t.Errorf("%v", got)
	}
}

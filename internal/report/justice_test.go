package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/report"
	"github.com/stalking-hub/hub/internal/report/reporttest"
	"github.com/stalking-hub/hub/internal/vocab"
)

// The criminal-justice tables of the fixture's figures read as worked out
// by hand in reporttest: the page's cells and the CSV alike.
func TestCriminalJusticeTables(t *testing.T) {
	f := reporttest.Want()
	name := func(id string) string { return id }
	cell := func(id, row string, col int) string {
		t.Helper()
		tb, ok := report.TableByID(f, name, id)
		if !ok {
			t.Fatalf("no table %s", id)
		}
		for _, r := range tb.Rows {
			if r.Label == row {
				return tb.Text(col, r.Cells[col])
			}
		}
		t.Fatalf("table %s has no row %q", id, row)
		return ""
	}
	for _, c := range []struct {
		table, row string
		col        int
		want       string
	}{
		{"criminal-justice-outcomes", "Charged or summonsed", 0, "2"},
		{"criminal-justice-outcomes", "Charged or summonsed", 1, "50.0%"},
		{"criminal-justice-outcomes", "Cautioned", 1, "25.0%"},
		{"criminal-justice-outcomes", "Total", 0, "4"},
		{"criminal-justice-by-offence", vocab.Offences.Words("breach_of_order"), 0, "1"},
		{"criminal-justice-by-offence", vocab.Offences.Words("harassment_fear_of_violence"), 1, "1"},
		{"time-to-outcome", "With an outcome", 1, "252.0"},
		{"time-to-outcome", "With an outcome", 2, "588.0"},
		{"victims-code", "Updates due", 0, "6"},
		{"victims-code", "Told on time", 1, "50.0%"},
		{"victims-code", "Told late", 0, "2"},
		{"victims-code", "Overdue, not told", 1, "16.7%"},
		{"victims-code", "Referrals with an active protective order", 1, "25.0%"},
	} {
		if got := cell(c.table, c.row, c.col); got != c.want {
			t.Errorf("%s, %s, column %d: %s, want %s", c.table, c.row, c.col, got, c.want)
		}
	}
	tb, _ := report.TableByID(f, name, "victims-code")
	var csv bytes.Buffer
	if err := tb.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csv.String(), "Updates due,6,100.0") || !strings.Contains(csv.String(), "Told late,2,33.3") {
		t.Errorf("CSV:\n%s", csv.String())
	}
}

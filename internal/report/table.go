package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// Unit is what the numbers of a column are.
type Unit int

// The units of a table's columns.
const (
	Count   Unit = iota // a whole number
	Percent             // a percentage, one decimal
	Hours               // a time in hours, one decimal
)

// Column is one column of numbers.
type Column struct {
	Name string
	Unit Unit
}

// Heading is the column's name as a header, with its unit when the cells do
// not show it.
func (c Column) Heading() string {
	if c.Unit == Hours {
		return c.Name + " (hours)"
	}
	return c.Name
}

// Cell is one number; a cell with OK false has no figure, such as a rate of
// nothing or the median of no times.
type Cell struct {
	Value float64
	OK    bool
}

// Row is one row: its label and a cell per column.
type Row struct {
	Label string
	Cells []Cell
	// Total marks a row that adds up the others; charts leave it out.
	Total bool
}

// Name is the row's label as a page shows it: a month (YYYY-MM, as the CSV
// keeps it) by its name, "January 2026".
func (r Row) Name() string {
	if t, err := time.Parse("2006-01", r.Label); err == nil {
		return t.Format("January 2006")
	}
	return r.Label
}

// ChartKind is how a table is drawn.
type ChartKind int

// The kinds of chart.
const (
	NoChart     ChartKind = iota
	Bars                  // one bar per series, side by side
	StackedBars           // the series stacked in one bar
	Lines                 // one line per series, over months
)

// Chart says how to draw a table: the kind and which columns are its series.
type Chart struct {
	Kind   ChartKind
	Series []int // column indexes
}

// Table is one table of figures: shown on the page beside its chart,
// downloadable as CSV, under an id that names it in the CSV's address.
type Table struct {
	ID        string
	Caption   string
	RowHeader string
	Columns   []Column
	Rows      []Row
	Chart     Chart
}

// Wide reports whether the table needs the page's full width, so that its
// chart goes above it rather than beside it.
func (t Table) Wide() bool { return len(t.Columns) > 3 }

// Text is how a cell reads on the page: a count as a whole number, a
// percentage with one decimal and a % sign, hours with one decimal; a
// missing figure as a dash.
func (t Table) Text(col int, c Cell) string {
	if !c.OK {
		return "–"
	}
	s := number(t.Columns[col].Unit, c.Value)
	if t.Columns[col].Unit == Percent {
		s += "%"
	}
	return s
}

// number is a cell's figure without its unit.
func number(u Unit, v float64) string {
	if u == Count {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// WriteCSV writes the table as CSV: a header, then one line per row, the
// same figures as the page without units in the cells (they are in the
// header) and empty where there is no figure.
func (t Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{csvText(t.RowHeader)}
	for _, c := range t.Columns {
		h := c.Heading()
		if c.Unit == Percent {
			h += " (%)"
		}
		head = append(head, csvText(h))
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range t.Rows {
		line := []string{csvText(r.Label)}
		for i, c := range r.Cells {
			v := ""
			if c.OK {
				v = number(t.Columns[i].Unit, c.Value)
			}
			line = append(line, v)
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvText keeps a spreadsheet from reading a label as a formula: agency
// names come from configuration files, so a leading =, +, - or @ is quoted
// away.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// count and rate make cells.
func count(n int) Cell { return Cell{Value: float64(n), OK: true} }

func rate(n, d int) Cell {
	v, ok := Rate(n, d)
	return Cell{Value: v, OK: ok}
}

func hours(h *float64) Cell {
	if h == nil {
		return Cell{}
	}
	return Cell{Value: *h, OK: true}
}

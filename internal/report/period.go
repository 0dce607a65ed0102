// Package report holds the outcome and evaluation figures: what each one
// counts, the period it covers, and how it is drawn as a table, a chart and CSV.
package report

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/problem"
)

// Period is the span of days a report covers, both ends included. Days and
// months are UTC days and months, as every stored time is UTC.
type Period struct {
	From time.Time // the first day, at midnight UTC
	To   time.Time // the last day, at midnight UTC
}

// maxMonths bounds a report: the month tables get one row a month.
const maxMonths = 60

// DefaultPeriod is the twelve months up to today: from the first day of the
// month eleven months back to today.
func DefaultPeriod(now time.Time) Period {
	today := day(now)
	return Period{From: time.Date(today.Year(), today.Month()-11, 1, 0, 0, 0, 0, time.UTC), To: today}
}

// ParsePeriod reads a period from its two dates (YYYY-MM-DD), as the filter
// form and the API send them. A date left out takes its default: the start
// of DefaultPeriod, or today. Errors name the field: from or to.
func ParsePeriod(from, to string, now time.Time) (Period, *problem.Error) {
	p := DefaultPeriod(now)
	errs := map[string]string{}
	if s := strings.TrimSpace(from); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			errs["from"] = "Enter the start date as a date, like 2026-01-31"
		}
		p.From = t
	}
	if s := strings.TrimSpace(to); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			errs["to"] = "Enter the end date as a date, like 2026-12-31"
		}
		p.To = t
	}
	switch {
	case len(errs) > 0:
	case p.To.Before(p.From):
		errs["to"] = "The end date must be the same as or after the start date"
	case monthsSpanned(p) > maxMonths:
		errs["from"] = "A report can cover at most 5 years; choose a later start date"
	}
	if len(errs) > 0 {
		return Period{}, problem.Fields(errs)
	}
	return p, nil
}

// monthsSpanned counts the months Months lists, without listing them.
func monthsSpanned(p Period) int {
	return (p.To.Year()-p.From.Year())*12 + int(p.To.Month()) - int(p.From.Month()) + 1
}

// Start is the first instant of the period.
func (p Period) Start() time.Time { return p.From }

// End is the first instant after the period: midnight after its last day.
func (p Period) End() time.Time { return p.To.AddDate(0, 0, 1) }

// Months lists the months the period touches, as YYYY-MM, oldest first.
func (p Period) Months() []string {
	var out []string
	for m := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(p.To); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// MonthSpan is the part of the i-th month of Months (from 0) that lies in
// the period: from its first instant, or the period's, to the first instant
// after it, or after the period.
func (p Period) MonthSpan(i int) (start, end time.Time) {
	start = time.Date(p.From.Year(), p.From.Month()+time.Month(i), 1, 0, 0, 0, 0, time.UTC)
	end = start.AddDate(0, 1, 0)
	if start.Before(p.Start()) {
		start = p.Start()
	}
	if end.After(p.End()) {
		end = p.End()
	}
	return start, end
}

// String is the period as the page and the audit log write it.
func (p Period) String() string {
	return p.From.Format(time.DateOnly) + ".." + p.To.Format(time.DateOnly)
}

// MarshalJSON writes the period as its two dates.
func (p Period) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		From string `json:"from"`
		To   string `json:"to"`
	}{p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)})
}

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

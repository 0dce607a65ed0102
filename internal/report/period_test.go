package report

import (
	"slices"
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 3, 15, 23, 30, 0, 0, time.UTC)
	cases := []struct {
		name, from, to string
		want           Period
		field          string // the field named in error, "" when valid
	}{
		{"both left out: twelve months to today", "", "", Period{date("2025-04-01"), date("2026-03-15")}, ""},
		{"both given", "2026-01-01", "2026-01-31", Period{date("2026-01-01"), date("2026-01-31")}, ""},
		{"one day", "2026-02-28", "2026-02-28", Period{date("2026-02-28"), date("2026-02-28")}, ""},
		{"only the start", "2026-01-10", "", Period{date("2026-01-10"), date("2026-03-15")}, ""},
		{"only the end", "", "2025-12-31", Period{date("2025-04-01"), date("2025-12-31")}, ""},
		{"spaces around", " 2026-01-01 ", " 2026-02-01", Period{date("2026-01-01"), date("2026-02-01")}, ""},
		{"end before start", "2026-02-01", "2026-01-31", Period{}, "to"},
		{"start not a date", "1/2/2026", "2026-01-31", Period{}, "from"},
		{"end not a date", "2026-01-01", "2026-02-30", Period{}, "to"},
		{"exactly 60 months", "2021-01-01", "2025-12-31", Period{date("2021-01-01"), date("2025-12-31")}, ""},
		{"61 months", "2020-12-31", "2025-12-01", Period{}, "from"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParsePeriod(c.from, c.to, now)
			if c.field != "" {
				if err == nil || err.Fields[c.field] == "" {
					t.Fatalf("want an error on %s, got %v %v", c.field, got, err)
				}
				return
			}
			if err != nil || !got.From.Equal(c.want.From) || !got.To.Equal(c.want.To) {
				t.Fatalf("got %v %v, want %v", got, err, c.want)
			}
		})
	}
}

func TestPeriodMonthsAndEnds(t *testing.T) {
	p := Period{date("2025-11-30"), date("2026-02-01")}
	if got := p.Months(); !slices.Equal(got, []string{"2025-11", "2025-12", "2026-01", "2026-02"}) {
		t.Errorf("months %v", got)
	}
	if !p.End().Equal(date("2026-02-02")) || !p.Start().Equal(date("2025-11-30")) {
		t.Errorf("start %v end %v", p.Start(), p.End())
	}
	spans := [][2]string{{"2025-11-30", "2025-12-01"}, {"2025-12-01", "2026-01-01"}, {"2026-01-01", "2026-02-01"}, {"2026-02-01", "2026-02-02"}}
	for i, want := range spans {
		if start, end := p.MonthSpan(i); !start.Equal(date(want[0])) || !end.Equal(date(want[1])) {
			t.Errorf("month %d: %v to %v, want %v", i, start, end, want)
		}
	}
	if p.String() != "2025-11-30..2026-02-01" {
		t.Errorf("string %q", p.String())
	}
	b, _ := p.MarshalJSON()
	if string(b) != `{"from":"2025-11-30","to":"2026-02-01"}` {
		t.Errorf("json %s", b)
	}
}

package justice

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func calendar(t *testing.T) Calendar {
	t.Helper()
	c, err := EnglandAndWales()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Each year's bank holidays, as gov.uk lists them for England and Wales:
// eight a year, with substitute days when Christmas or Boxing Day falls at
// a weekend.
func TestBankHolidays2026(t *testing.T) {
	testBankHolidays(t, 2026, []string{"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"})
}

func TestBankHolidays2027(t *testing.T) {
	testBankHolidays(t, 2027, []string{"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"})
}

func testBankHolidays(t *testing.T, year int, want []string) {
	c := calendar(t)
	if !c.Covers(year) {
		t.Fatalf("calendar does not cover %d", year)
	}
	holidays := map[string]bool{}
	for _, w := range want {
		holidays[w] = true
	}
	for d := day(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)); d.Year() == year; d = d.AddDate(0, 0, 1) {
		weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
		if holidays[d.Format(time.DateOnly)] && weekend {
			t.Errorf("%s is listed as a bank holiday but falls at a weekend", d.Format(time.DateOnly))
		}
		if got, want := c.WorkingDay(d), !weekend && !holidays[d.Format(time.DateOnly)]; got != want {
			t.Errorf("WorkingDay(%s) = %v, want %v", d.Format(time.DateOnly), got, want)
		}
	}
}

func TestDueBy(t *testing.T) {
	c := calendar(t)
	for _, tc := range []struct {
		name     string
		event    string
		enhanced bool
		want     string
	}{
		{"enhanced, Monday: Tuesday", "2026-11-23", true, "2026-11-24"},
		{"enhanced, Friday: over the weekend to Monday", "2026-11-27", true, "2026-11-30"},
		{"enhanced, Saturday: Monday", "2026-11-28", true, "2026-11-30"},
		{"enhanced, Thursday before Good Friday 2026: the Tuesday after Easter", "2026-04-02", true, "2026-04-07"},
		{"enhanced, Christmas Eve 2026: past Christmas, the weekend and the substitute Boxing Day", "2026-12-24", true, "2026-12-29"},
		{"enhanced, New Year's Eve 2026: past New Year's Day and the weekend", "2026-12-31", true, "2027-01-04"},
		{"enhanced, Thursday before Good Friday 2027", "2027-03-25", true, "2027-03-30"},
		{"enhanced, Christmas Eve 2027: two substitute days", "2027-12-24", true, "2027-12-29"},
		{"enhanced, Friday before the spring bank holiday 2027", "2027-05-28", true, "2027-06-01"},
		{"standard, Monday: next Monday", "2026-11-23", false, "2026-11-30"},
		{"standard, Wednesday: the Wednesday after", "2026-11-25", false, "2026-12-02"},
		{"standard, Wednesday before Easter 2026: five working days skip two bank holidays", "2026-04-01", false, "2026-04-10"},
		{"standard, 21 December 2026: skips Christmas, substitute Boxing Day and New Year", "2026-12-21", false, "2026-12-30"},
		{"standard, 22 December 2027: skips the weekend and two substitute days", "2027-12-22", false, "2027-12-31"},
		{"standard, Friday before the summer bank holiday 2027", "2027-08-27", false, "2027-09-06"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.DueBy(day(tc.event), tc.enhanced).Format(time.DateOnly); got != tc.want {
				t.Errorf("DueBy(%s, %v) = %s, want %s", tc.event, tc.enhanced, got, tc.want)
			}
		})
	}
}

func TestOverdueAndOnTime(t *testing.T) {
	due := day("2026-11-24")
	for _, tc := range []struct {
		name            string
		told, today     string
		overdue, onTime bool
	}{
		{"not told, on the due day", "", "2026-11-24", false, false},
		{"not told, the day after", "", "2026-11-25", true, false},
		{"told on the due day", "2026-11-24", "2026-11-30", false, true},
		{"told early", "2026-11-23", "2026-11-30", false, true},
		{"told a day late", "2026-11-25", "2026-11-30", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var told time.Time
			if tc.told != "" {
				told = day(tc.told)
			}
			if got := Overdue(due, told, day(tc.today)); got != tc.overdue {
				t.Errorf("Overdue = %v, want %v", got, tc.overdue)
			}
			if got := OnTime(due, told); got != tc.onTime {
				t.Errorf("OnTime = %v, want %v", got, tc.onTime)
			}
		})
	}
}

func TestDefaultEnhanced(t *testing.T) {
	for offence, want := range map[string]bool{
		"stalking": true, "stalking_fear_alarm_distress": true,
		"harassment": false, "harassment_fear_of_violence": false, "malicious_communications": false, "breach_of_order": false, "other": false,
	} {
		got, reason := DefaultEnhanced(offence)
		if got != want || (reason != "") != want {
			t.Errorf("DefaultEnhanced(%s) = %v, %q; want %v with a reason exactly when enhanced", offence, got, reason, want)
		}
	}
}

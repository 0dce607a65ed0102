package justice

import (
	"testing"
	"time"
)

func TestStatusOn(t *testing.T) {
	spo := Order{StartsOn: day("2026-06-01"), EndsOn: day("2026-12-01")}
	discharged := spo
	discharged.DischargedOn = day("2026-09-15")
	open := Order{StartsOn: day("2026-06-01")}
	for _, tc := range []struct {
		name string
		o    Order
		on   string
		want OrderStatus
	}{
		{"granted, before it starts", spo, "2026-05-20", Active},
		{"in force", spo, "2026-08-01", Active},
		{"on its last day", spo, "2026-12-01", Active},
		{"the day after its last day", spo, "2026-12-02", Expired},
		{"the day before discharge", discharged, "2026-09-14", Active},
		{"on the day of discharge", discharged, "2026-09-15", Discharged},
		{"discharged, after its end date too", discharged, "2027-01-01", Discharged},
		{"no end date, years later", open, "2030-01-01", Active},
		{"a time late in the last day counts as the day", spo, "2026-12-01", Active},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := StatusOn(tc.o, day(tc.on).Add(23*time.Hour)); got != tc.want {
				t.Errorf("StatusOn(%s) = %s, want %s", tc.on, got, tc.want)
			}
		})
	}
}

func TestNoticeDueAndEnding(t *testing.T) {
	o := Order{StartsOn: day("2026-01-01"), EndsOn: day("2026-12-31")}
	for _, tc := range []struct {
		name   string
		on     string
		sent   int
		want   int
		ending bool
	}{
		{"29 days before: nothing yet", "2026-12-02", 0, 0, false},
		{"28 days before: the first notice", "2026-12-03", 0, FirstNotice, true},
		{"28 days before, already sent", "2026-12-03", FirstNotice, 0, true},
		{"8 days before, first sent", "2026-12-23", FirstNotice, 0, true},
		{"7 days before: the last notice", "2026-12-24", FirstNotice, LastNotice, true},
		{"found 5 days before with nothing sent: only the last notice", "2026-12-26", 0, LastNotice, true},
		{"last notice sent", "2026-12-26", LastNotice, 0, true},
		{"on the last day", "2026-12-31", FirstNotice, LastNotice, true},
		{"expired: nothing", "2027-01-01", 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NoticeDue(o, day(tc.on), tc.sent); got != tc.want {
				t.Errorf("NoticeDue = %d, want %d", got, tc.want)
			}
			if got := EndingWithin(o, day(tc.on), 28); got != tc.ending {
				t.Errorf("EndingWithin 28 = %v, want %v", got, tc.ending)
			}
		})
	}
	if NoticeDue(Order{StartsOn: day("2026-01-01")}, day("2026-12-30"), 0) != 0 {
		t.Error("an order with no end date owes a notice")
	}
}

func TestProtectionLapses(t *testing.T) {
	bail := Order{StartsOn: day("2026-11-01"), EndsOn: day("2026-12-10")}
	spo := Order{StartsOn: day("2026-11-01"), EndsOn: day("2027-11-01")}
	open := Order{StartsOn: day("2026-11-01")}
	gone := Order{StartsOn: day("2026-01-01"), EndsOn: day("2026-06-01")}
	today, meeting := day("2026-12-01"), day("2026-12-15")
	for _, tc := range []struct {
		name   string
		orders []Order
		want   bool
	}{
		{"no orders: nothing lapses", nil, false},
		{"only an expired order: nothing to lapse", []Order{gone}, false},
		{"bail ends before the meeting", []Order{bail}, true},
		{"bail ends but an SPO continues", []Order{bail, spo}, false},
		{"an order until further order", []Order{bail, open}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ProtectionLapses(tc.orders, today, meeting); got != tc.want {
				t.Errorf("ProtectionLapses = %v, want %v", got, tc.want)
			}
		})
	}
	if ProtectionLapses([]Order{bail}, today, time.Time{}) {
		t.Error("no next meeting, yet a lapse")
	}
}

func TestBreachRule(t *testing.T) {
	o := Order{StartsOn: day("2026-06-01"), EndsOn: day("2026-12-01"), DischargedOn: day("2026-11-01")}
	today := day("2026-11-20")
	for _, tc := range []struct {
		name     string
		occurred string
		problem  bool
	}{
		{"while in force", "2026-07-10", false},
		{"on the first day", "2026-06-01", false},
		{"before it started", "2026-05-31", true},
		{"after discharge", "2026-11-02", true},
		{"in the future", "2026-11-21", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := BreachProblem(o, day(tc.occurred), today); (got != "") != tc.problem {
				t.Errorf("BreachProblem(%s) = %q, want a problem: %v", tc.occurred, got, tc.problem)
			}
		})
	}
	for _, tc := range []struct {
		name     string
		in       Incidents
		occurred string
		want     Incidents
	}{
		{"a later breach moves the last date", Incidents{6, "2026-03-02", "2026-11-01"}, "2026-11-15", Incidents{7, "2026-03-02", "2026-11-15"}},
		{"an earlier breach leaves the last date", Incidents{6, "2026-03-02", "2026-11-01"}, "2026-10-01", Incidents{7, "2026-03-02", "2026-11-01"}},
		{"the first incident recorded", Incidents{}, "2026-10-01", Incidents{1, "2026-10-01", "2026-10-01"}},
		{"earlier than every incident moves the first", Incidents{2, "2026-03-02", "2026-04-01"}, "2026-02-01", Incidents{3, "2026-02-01", "2026-04-01"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := WithBreach(tc.in, day(tc.occurred)); got != tc.want {
				t.Errorf("WithBreach = %+v, want %+v", got, tc.want)
			}
		})
	}
}

package web

import (
	"net/url"
	"testing"
)

// Every form reads its dates through typedDate.iso: the referral form, the
// consent and override forms, the audit search and the MARAC pages.
func TestTypedDateISO(t *testing.T) {
	cases := []struct {
		name      string
		in        typedDate
		want, msg string
	}{
		{"empty is no date", typedDate{}, "", ""},
		{"only spaces is no date", typedDate{"", " ", ""}, "", ""},
		{"a real date", typedDate{"2", "4", "1990"}, "1990-04-02", ""},
		{"padded and spaced", typedDate{" 02 ", "04", "1990"}, "1990-04-02", ""},
		{"leading zeros", typedDate{"01", "02", "2027"}, "2027-02-01", ""},
		{"29 February in a leap year", typedDate{"29", "2", "2028"}, "2028-02-29", ""},
		{"29 February in another year", typedDate{"29", "2", "2027"}, "", "The date must be a real date"},
		{"31 April", typedDate{"31", "4", "2026"}, "", "The date must be a real date"},
		{"month 13", typedDate{"1", "13", "2026"}, "", "The date must be a real date"},
		{"day 0", typedDate{"0", "1", "2026"}, "", "The date must be a real date"},
		{"two-digit year", typedDate{"1", "1", "26"}, "", "The date must be a real date"},
		{"before 1900", typedDate{"1", "1", "1899"}, "", "The date must be a real date"},
		{"words", typedDate{"first", "May", "2026"}, "", "The date must be a real date"},
		{"a number in words", typedDate{"one", "4", "1990"}, "", "The date must be a real date"},
		{"no day", typedDate{"", "4", "1990"}, "", "The date must include a day"},
		{"no month", typedDate{"1", "", "2026"}, "", "The date must include a month"},
		{"no month or year", typedDate{"2", "", ""}, "", "The date must include a month and year"},
		{"only a year", typedDate{"", "", "2026"}, "", "The date must include a day and month"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, msg := c.in.iso("The date")
			if got != c.want || msg != c.msg {
				t.Fatalf("%+v.iso = %q, %q; want %q, %q", c.in, got, msg, c.want, c.msg)
			}
		})
	}
}

func TestTypedDateOf(t *testing.T) {
	form := url.Values{"due-day": {" 3 "}, "due-month": {"12"}, "due-year": {"2026"}, "day": {"9"}}
	if got, want := typedDateOf(form, "due"), (typedDate{"3", "12", "2026"}); got != want {
		t.Errorf("typedDateOf = %+v, want %+v", got, want)
	}
	if got := typedDateOf(form, "date"); got != (typedDate{}) {
		t.Errorf("a date not in the form = %+v, want nothing", got)
	}
}

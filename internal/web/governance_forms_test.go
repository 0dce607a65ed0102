package web

import (
	"net/url"
	"reflect"
	"testing"
	"time"
)

func TestParseTypedDate(t *testing.T) {
	cases := []struct {
		name    string
		in      typedDate
		want    time.Time
		message string
	}{
		{"empty is no date", typedDate{}, time.Time{}, ""},
		{"a real date", typedDate{"21", "11", "2026"}, time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), ""},
		{"leading zeros", typedDate{"01", "02", "2027"}, time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), ""},
		{"29 February in a leap year", typedDate{"29", "2", "2028"}, time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC), ""},
		{"29 February in another year", typedDate{"29", "2", "2026"}, time.Time{}, "The date must be a real date"},
		{"31 April", typedDate{"31", "4", "2026"}, time.Time{}, "The date must be a real date"},
		{"month 13", typedDate{"1", "13", "2026"}, time.Time{}, "The date must be a real date"},
		{"day 0", typedDate{"0", "1", "2026"}, time.Time{}, "The date must be a real date"},
		{"two-digit year", typedDate{"1", "1", "26"}, time.Time{}, "The date must be a real date"},
		{"words", typedDate{"first", "May", "2026"}, time.Time{}, "The date must be a real date"},
		{"no month", typedDate{"1", "", "2026"}, time.Time{}, "The date must include a day, month and year"},
		{"only a year", typedDate{"", "", "2026"}, time.Time{}, "The date must include a day, month and year"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, msg := parseTypedDate(c.in, "The date")
			if !got.Equal(c.want) || msg != c.message {
				t.Fatalf("%v %q, want %v %q", got, msg, c.want, c.message)
			}
		})
	}
}

func TestPageFieldErrors(t *testing.T) {
	got := pageFieldErrors(map[string]string{
		"agencies[1]": "Choose each agency once",
		"agencies[0]": "Choose a known agency",
		"review_on":   "Enter the date the consent must be reviewed",
		"decision":    "Choose whether consent was given",
	}, "review_on", "obtained_on")
	if len(got) != 3 || got["decision"] == "" || got["review_on-day"] == "" || got["agencies"] != "Choose a known agency" || got["review_on"] != "" {
		t.Fatalf("%v", got)
	}
}

func TestPageLinks(t *testing.T) {
	cases := []struct {
		name      string
		query     url.Values
		next      string
		wantNext  string
		wantFirst string
	}{
		{"first page of many", url.Values{"actor": {"a|b"}}, "51", "/audit?actor=a%7Cb&cursor=51", ""},
		{"middle page", url.Values{"actor": {"a|b"}, "cursor": {"51"}}, "102", "/audit?actor=a%7Cb&cursor=102", "/audit?actor=a%7Cb"},
		{"last page", url.Values{"cursor": {"51"}}, "", "", "/audit"},
		{"only page", url.Values{}, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			next, first := pageLinks("/audit", c.query, c.next)
			if next != c.wantNext || first != c.wantFirst {
				t.Fatalf("next %q first %q, want %q %q", next, first, c.wantNext, c.wantFirst)
			}
		})
	}
}

func TestPersonAndBasisLabels(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080/devidp|officer": "officer",
		"https://login.example/v2.0|a1b2":      "a1b2",
		"cli|":                                 "cli|",
		"plain":                                "plain",
	} {
		if got := personOf(in); got != want {
			t.Errorf("personOf(%q) = %q, want %q", in, got, want)
		}
	}
	if got := basisLabel("vital_interests"); got != "Vital interests — risk to life" {
		t.Errorf("vital interests: %q", got)
	}
	if got := basisLabel("children_act_s47"); got != "children act s47" {
		t.Errorf("a configured basis without a label: %q", got)
	}
	c := choices("basis", []string{"a", "b"}, []string{"A", "B"}, []string{"b"})
	if !reflect.DeepEqual(c, []formChoice{{ID: "basis", Name: "basis", Value: "a", Label: "A"}, {ID: "basis-b", Name: "basis", Value: "b", Label: "B", Checked: true}}) {
		t.Errorf("choices %+v", c)
	}
}

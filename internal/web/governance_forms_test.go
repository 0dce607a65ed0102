package web

import (
	"net/url"
	"reflect"
	"testing"
)

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

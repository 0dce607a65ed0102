package audit

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

func sampleEntry() Entry {
	return Entry{
		Index: 57, Time: time.Date(2026, 11, 21, 9, 30, 0, 123, time.FixedZone("BST", 3600)),
		Actor: "https://idp.example|housing-1", ActorAgency: "housing", Action: Release,
		Record: "ref-01", Agency: "housing", Purpose: "referral",
		Shown: []string{"identity", "safe_contact"}, Withheld: []string{"health"},
		Rules: []string{"isa.housing.referral"}, Basis: "consent", RequestID: "req-1",
	}
}

func TestEncodeIsCanonical(t *testing.T) {
	e := sampleEntry()
	b, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte(`{"index":57,"time":"2026-11-21T08:30:00.000000123Z","actor":`)) {
		t.Fatalf("encoding does not start with index and UTC time: %s", b)
	}
	d, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, b2) {
		t.Fatalf("re-encoding differs:\n%s\n%s", b, b2)
	}
	if !d.Time.Equal(e.Time) || d.Record != e.Record || len(d.Shown) != 2 || d.Withheld[0] != "health" {
		t.Fatalf("decoded %+v", d)
	}
	// Empty and nil lists are the same entry and must hash the same.
	e.Rules = []string{}
	x, _ := e.Encode()
	e.Rules = nil
	y, _ := e.Encode()
	if !bytes.Equal(x, y) {
		t.Fatal("an empty list and a nil list encode differently")
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Entry)
		want   string // "" for valid
	}{
		{"valid", func(*Entry) {}, ""},
		{"no time", func(e *Entry) { e.Time = time.Time{} }, "no time"},
		{"no actor", func(e *Entry) { e.Actor = "" }, "no actor"},
		{"unknown action", func(e *Entry) { e.Action = "peek" }, "unknown action"},
		{"negative index", func(e *Entry) { e.Index = -1 }, "negative index"},
		{"unknown category", func(e *Entry) { e.Withheld = []string{"address"} }, "withheld holds an unknown data category"},
		{"long detail", func(e *Entry) { e.Detail = strings.Repeat("x", 301) }, "detail"},
		{"long record", func(e *Entry) { e.Record = strings.Repeat("x", 201) }, "record is too long"},
		{"bad utf-8", func(e *Entry) { e.Basis = "\xff" }, "basis"},
		{"too many rules", func(e *Entry) { e.Rules = make([]string, 65) }, "too many rules"},
		{"too many categories", func(e *Entry) { e.Shown = slices.Repeat([]string{"risk"}, 65) }, "shown lists too many"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := sampleEntry()
			c.change(&e)
			err := e.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("want valid, got %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("want error with %q, got %v", c.want, err)
			}
			if _, encErr := e.Encode(); (encErr == nil) != (err == nil) {
				t.Fatalf("Encode disagrees with Validate: %v", encErr)
			}
		})
	}
}

func TestBodyIndex(t *testing.T) {
	cases := []struct {
		body string
		want int64
		ok   bool
	}{
		{`{"index":0,"time":"x"}`, 0, true},
		{`{"index":123456,"time":"x"}`, 123456, true},
		{`{"time":"x","index":3}`, 0, false},
		{`{"index":"3","time":"x"}`, 0, false},
		{`{"index":3}`, 0, false},
		{``, 0, false},
	}
	for _, c := range cases {
		n, ok := bodyIndex([]byte(c.body))
		if n != c.want || ok != c.ok {
			t.Errorf("bodyIndex(%s) = %d, %v; want %d, %v", c.body, n, ok, c.want, c.ok)
		}
	}
}

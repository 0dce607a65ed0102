package audit

import (
	"testing"
	"time"
)

func TestChangedColumn(t *testing.T) {
	odd := sampleEntry()
	odd.Actor = `idp|"quoted" <b> \ name`
	odd.Record = ""
	odd.Rules = []string{`a]b`, `c"}d`, `{[`}
	odd.Detail = `x","record":"ref-01`
	cols := func(e Entry) Columns {
		return Columns{Time: e.Time, Actor: e.Actor, Action: e.Action, Record: e.Record, Agency: e.Agency}
	}
	cases := []struct {
		name   string
		entry  Entry
		change func(*Columns)
		body   string // replaces the encoding when set
		want   string
	}{
		{name: "agree", entry: sampleEntry(), change: func(*Columns) {}},
		{name: "agree with escapes, brackets and no record", entry: odd, change: func(*Columns) {}},
		{name: "time", entry: sampleEntry(), change: func(c *Columns) { c.Time = c.Time.Add(time.Nanosecond) }, want: "time"},
		{name: "actor", entry: odd, change: func(c *Columns) { c.Actor = "idp|other" }, want: "actor"},
		{name: "action", entry: sampleEntry(), change: func(c *Columns) { c.Action = SignIn }, want: "action"},
		{name: "record", entry: sampleEntry(), change: func(c *Columns) { c.Record = "ref-02" }, want: "record"},
		{name: "record absent from the entry", entry: odd, change: func(c *Columns) { c.Record = "ref-01" }, want: "record"},
		{name: "agency", entry: sampleEntry(), change: func(c *Columns) { c.Agency = "" }, want: "agency"},
		{name: "not JSON", entry: sampleEntry(), change: func(*Columns) {}, body: `{"index":57,"time":`, want: "every"},
		{name: "trailing bytes", entry: sampleEntry(), change: func(*Columns) {}, body: `{"index":57}x`, want: "every"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, err := c.entry.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if c.body != "" {
				body = []byte(c.body)
			}
			want := cols(c.entry)
			c.change(&want)
			if got := changedColumn(body, want); got != c.want {
				t.Fatalf("changedColumn = %q, want %q (body %s)", got, c.want, body)
			}
		})
	}
}

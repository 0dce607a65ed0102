package store

import (
	"slices"
	"strings"
	"testing"
)

func TestDependencyOrder(t *testing.T) {
	for _, c := range []struct {
		name   string
		names  []string
		refers map[string][]string
		want   []string
		err    string
	}{
		{"no keys keeps the order", []string{"a", "b", "c"}, nil, []string{"a", "b", "c"}, ""},
		{"a parent first", []string{"shares", "referrals"}, map[string][]string{"shares": {"referrals"}}, []string{"referrals", "shares"}, ""},
		{"a chain", []string{"c", "b", "a"}, map[string][]string{"c": {"b"}, "b": {"a"}}, []string{"a", "b", "c"}, ""},
		{"two parents", []string{"x", "p2", "p1"}, map[string][]string{"x": {"p2", "p1"}}, []string{"p1", "p2", "x"}, ""},
		{"a circle", []string{"a", "b"}, map[string][]string{"a": {"b"}, "b": {"a"}}, nil, "go round in a circle"},
	} {
		got, err := dependencyOrder(c.names, c.refers)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, want an error %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: %v %v, want %v", c.name, got, err, c.want)
		}
	}
}

func TestAsPostgres(t *testing.T) {
	for _, c := range []struct {
		v    any
		typ  string
		want any
		ok   bool
	}{
		{nil, "text", nil, true},
		{"x", "text", "x", true},
		{[]byte("x"), "text", "x", true},
		{[]byte{1, 2}, "bytea", []byte{1, 2}, true},
		{"ab", "bytea", []byte("ab"), true},
		{int64(7), "bigint", int64(7), true},
		{"12", "integer", int64(12), true},
		{float64(3), "bigint", int64(3), true},
		{float64(3.5), "bigint", nil, false},
		{"twelve", "bigint", nil, false},
		{int64(2), "double precision", float64(2), true},
		{1.25, "double precision", 1.25, true},
		{int64(1), "text", nil, false},
		{"x", "jsonb", nil, false},
	} {
		got, err := asPostgres(c.v, c.typ)
		if (err == nil) != c.ok {
			t.Errorf("%T %v as %s: error %v, want ok=%v", c.v, c.v, c.typ, err, c.ok)
			continue
		}
		if b, isBytes := c.want.([]byte); isBytes {
			if gb, _ := got.([]byte); !slices.Equal(gb, b) {
				t.Errorf("%v as %s: %v, want %v", c.v, c.typ, got, c.want)
			}
		} else if got != c.want {
			t.Errorf("%v as %s: %#v, want %#v", c.v, c.typ, got, c.want)
		}
	}
}

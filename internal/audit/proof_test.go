package audit

import (
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

func TestProof(t *testing.T) {
	s, v := newKey(t, "hub-audit")
	_, otherV := newKey(t, "hub-audit")
	l := buildLog(t, s, 100, 30) // checkpoints at 30, 60, 90; head at 100
	prove := func(index int64, tree []byte, size int64) string {
		path, err := tlog.ProveRecord(size, index, l.hashes)
		if err != nil {
			t.Fatal(err)
		}
		return Proof{Index: index, Body: l.bodies[index], Path: path, Tree: tree}.String()
	}
	for _, c := range []struct {
		index int64
		tree  []byte
		size  int64
	}{{0, l.checkpoints[2], 90}, {57, l.checkpoints[2], 90}, {89, l.checkpoints[2], 90}, {95, l.head, 100}} {
		text := prove(c.index, c.tree, c.size)
		e, st, err := CheckProof([]byte(text), v)
		if err != nil {
			t.Fatalf("entry %d: %v\n%s", c.index, err, text)
		}
		if e.Index != c.index || st.Tree.N != c.size || e.Action != Release {
			t.Fatalf("entry %d: checked %+v in %+v", c.index, e, st.Tree)
		}
	}

	good := prove(57, l.checkpoints[2], 90)
	bad := map[string]string{
		"another entry's bytes": strings.Replace(good, string(l.bodies[57]), string(l.bodies[58]), 1),
		"changed entry":         strings.Replace(good, "housing", "probation", 1),
		"wrong index":           strings.Replace(good, "index 57\n", "index 56\n", 1),
		"dropped path line":     strings.Replace(good, "\npath ", "\nxpath ", 1),
		"older tree":            strings.Replace(good, string(l.checkpoints[2]), string(l.checkpoints[1]), 1),
	}
	for name, text := range bad {
		if _, _, err := CheckProof([]byte(text), v); err == nil {
			t.Errorf("%s: the proof checked", name)
		}
	}
	if _, _, err := CheckProof([]byte(good), otherV); err == nil {
		t.Error("the proof checked with another key")
	}
}

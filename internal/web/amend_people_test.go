package web

import (
	"slices"
	"testing"

	"github.com/stalking-hub/hub/internal/referral"
)

// The update pages ask a name and a relationship for three others at risk;
// the API takes notes and any number. A part that does not ask them keeps
// them whole; the part that does keeps the notes of a person it still names
// and the people beyond its slots, and drops a person it no longer names.
func TestKeptPeople(t *testing.T) {
	was := []referral.PersonAtRisk{{Name: "A", Relationship: "family", Notes: "a"}, {Name: "B", Relationship: "friend", Notes: "b"},
		{Name: "C", Relationship: "colleague"}, {Name: "D", Relationship: "neighbour", Notes: "d"}}
	name := func(p referral.PersonAtRisk) string { return p.Name }
	keep := func(w, n referral.PersonAtRisk) referral.PersonAtRisk { n.Notes = w.Notes; return n }
	read := []referral.PersonAtRisk{{Name: "A", Relationship: "family"}, {Name: "E", Relationship: "other"}}

	if got := keptPeople(false, was, read, 3, name, keep); !slices.Equal(got, was) {
		t.Errorf("a part that does not ask them: %+v", got)
	}
	want := []referral.PersonAtRisk{{Name: "A", Relationship: "family", Notes: "a"}, {Name: "E", Relationship: "other"}, {Name: "D", Relationship: "neighbour", Notes: "d"}}
	if got := keptPeople(true, was, read, 3, name, keep); !slices.Equal(got, want) {
		t.Errorf("the part that asks them: %+v, want %+v", got, want)
	}
	if got := keptPeople(true, was[:2], nil, 3, name, keep); got != nil {
		t.Errorf("everyone removed: %+v", got)
	}
}

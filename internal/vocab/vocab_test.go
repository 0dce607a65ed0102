package vocab

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Every vocabulary is named once, and each of its codes is unique, a code
// the API can carry, and in words; a hint, where there is one, is words too.
func TestRegistryInvariants(t *testing.T) {
	code := regexp.MustCompile(`^[a-z0-9]+([._][a-z0-9]+)*$`)
	names := map[string]bool{}
	for _, v := range All() {
		if names[v.Name] {
			t.Errorf("vocabulary %q is registered twice", v.Name)
		}
		names[v.Name] = true
		if len(v.Terms) < 2 {
			t.Errorf("vocabulary %q has %d terms: a choice needs two", v.Name, len(v.Terms))
		}
		seen := map[string]bool{}
		labels := map[string]bool{}
		for _, term := range v.Terms {
			if !code.MatchString(term.Code) {
				t.Errorf("%s: code %q is not lower case words joined by _ or .", v.Name, term.Code)
			}
			if seen[term.Code] {
				t.Errorf("%s: code %q twice", v.Name, term.Code)
			}
			seen[term.Code] = true
			if strings.TrimSpace(term.Label) == "" || term.Label != strings.TrimSpace(term.Label) {
				t.Errorf("%s: code %q has label %q", v.Name, term.Code, term.Label)
			}
			if labels[term.Label] {
				t.Errorf("%s: label %q twice: a reader could not tell the two apart", v.Name, term.Label)
			}
			labels[term.Label] = true
			if term.Hint != strings.TrimSpace(term.Hint) {
				t.Errorf("%s: code %q has hint %q", v.Name, term.Code, term.Hint)
			}
		}
		got, ok := Lookup(v.Name)
		if !ok || !slices.Equal(got.Values(), v.Terms.Values()) {
			t.Errorf("Lookup(%q) = %v, %v", v.Name, got.Values(), ok)
		}
	}
	for _, q := range EqualityQuestions {
		if _, ok := Lookup("equality." + q.Code); !ok {
			t.Errorf("equality question %q has no answers", q.Code)
		}
	}
	if _, ok := Lookup("no_such_list"); ok {
		t.Error("Lookup found a list that is not registered")
	}
}

// A list answers for its own codes only; a code it does not know is shown
// in words rather than lost.
func TestListLookups(t *testing.T) {
	if l, ok := HateCrimeStrands.Label("religion"); !ok || l != "Religion or belief" {
		t.Errorf("religion: %q %v", l, ok)
	}
	if _, ok := HateCrimeStrands.Label("harassment"); ok || HateCrimeStrands.Has("harassment") {
		t.Error("strands know an offence")
	}
	if got := LawfulBases.Words("children_act_s47"); got != "children act s47" {
		t.Errorf("Words of an unknown basis = %q", got)
	}
	if got := OverrideStatuses.OneOf(); got != "pending, approved or refused" {
		t.Errorf("OneOf = %q", got)
	}
	if got := Typed[string](RiskLevels); !slices.Equal(got, []string{"standard", "medium", "high"}) {
		t.Errorf("Typed = %v", got)
	}
}

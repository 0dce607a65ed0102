package referral

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stalking-hub/hub/internal/category"
)

// The examples of RFC 7396, appendix A.
func TestMergePatchRFC7396(t *testing.T) {
	for _, c := range []struct{ target, patch, want string }{
		{`{"a":"b"}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"b"}`, `{"b":"c"}`, `{"a":"b","b":"c"}`},
		{`{"a":"b"}`, `{"a":null}`, `{}`},
		{`{"a":"b","b":"c"}`, `{"a":null}`, `{"b":"c"}`},
		{`{"a":["b"]}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"c"}`, `{"a":["b"]}`, `{"a":["b"]}`},
		{`{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`, `{"a":{"b":"d"}}`},
		{`{"a":[{"b":"c"}]}`, `{"a":[1]}`, `{"a":[1]}`},
		{`["a","b"]`, `["c","d"]`, `["c","d"]`},
		{`{"a":"b"}`, `["c"]`, `["c"]`},
		{`{"a":"foo"}`, `null`, `null`},
		{`{"a":"foo"}`, `"bar"`, `"bar"`},
		{`{"e":null}`, `{"a":1}`, `{"e":null,"a":1}`},
		{`[1,2]`, `{"a":"b","c":null}`, `{"a":"b"}`},
		{`{}`, `{"a":{"bb":{"ccc":null}}}`, `{"a":{"bb":{}}}`},
	} {
		var target, patch, want any
		for _, p := range []struct {
			s string
			v *any
		}{{c.target, &target}, {c.patch, &patch}, {c.want, &want}} {
			if err := json.Unmarshal([]byte(p.s), p.v); err != nil {
				t.Fatal(err)
			}
		}
		if got := MergePatch(target, patch); !reflect.DeepEqual(got, want) {
			t.Errorf("MergePatch(%s, %s) = %v, want %s", c.target, c.patch, got, c.want)
		}
	}
}

// A patch changes only what it names, refuses what an update may not
// change, and the categories it changes are the ones compared as changed.
func TestPatchAndChangedSections(t *testing.T) {
	n := 9
	cur := Submission{Offence: "stalking", Summary: "Followed.", Incidents: Incidents{Count: 1},
		Risk:    RiskAssessment{Tool: "dash", Score: &n, Level: "medium"},
		Victim:  Victim{Name: "A Person", Health: "well", SafeContact: SafeContact{Method: "phone"}},
		Suspect: Suspect{Name: "S Person"}, Agencies: []Request{{Agency: "housing"}}}
	next, perr := Patch(cur, map[string]any{"victim": map[string]any{"health": "unwell"}, "incidents": map[string]any{"count": json.Number("3")}})
	if perr != nil {
		t.Fatal(perr)
	}
	if next.Victim.Name != "A Person" || next.Victim.Health != "unwell" || next.Incidents.Count != 3 || next.Summary != "Followed." ||
		next.Risk.Level != "medium" || len(next.Agencies) != 1 {
		t.Fatalf("patched %+v", next)
	}
	riskBefore, _ := json.Marshal(RiskSection{RiskAssessment: cur.Risk, History: []RiskEntry{{RiskAssessment: cur.Risk}}})
	changed, err := ChangedSections(cur, next, riskBefore)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for c, b := range changed {
		if b != nil {
			names = append(names, category.Category(c).String())
		}
	}
	if !reflect.DeepEqual(names, []string{"offence", "health"}) {
		t.Fatalf("changed %v, want offence and health", names)
	}
	next.ConcernMARAC = "escalating"
	changed, _ = ChangedSections(cur, next, riskBefore)
	var rk RiskSection
	if err := json.Unmarshal(changed[category.Risk], &rk); err != nil || rk.MARACConcern != "escalating" || len(rk.History) != 1 || rk.Level != "medium" {
		t.Fatalf("the risk section after a concern: %+v (%v): history and assessment must stay", rk, err)
	}
	for _, bad := range []string{"risk", "agencies", "consent", "equality", "linked_to", "eye_colour"} {
		if _, perr := Patch(cur, map[string]any{bad: "x"}); perr == nil || perr.Fields[bad] == "" {
			t.Errorf("patching %s: %v", bad, perr)
		}
	}
}

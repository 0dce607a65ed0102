package referral

import (
	"maps"
	"testing"

	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/vocab"
)

// Every pair of statuses, with the answer the lifecycle must give.
func TestTransitionTable(t *testing.T) {
	ok := map[[2]ShareStatus]bool{
		{Sent, Viewed}: true, {Sent, Accepted}: true, {Sent, Declined}: true,
		{Viewed, Accepted}: true, {Viewed, Declined}: true,
		{Accepted, InProgress}: true, {Accepted, Closed}: true,
		{InProgress, Closed}: true,
	}
	for _, from := range ShareStatuses {
		for _, to := range ShareStatuses {
			err := Transition(from, Answer{To: to, Reason: "a reason", Outcome: "an outcome"})
			switch {
			case to == Withdrawn:
				// Only the police withdraw a referral: not an answer an
				// agency may give, from anywhere.
				if err == nil || err.Code != problem.Invalid {
					t.Errorf("%s -> %s: %v, want invalid", from, to, err)
				}
			case ok[[2]ShareStatus{from, to}]:
				if err != nil {
					t.Errorf("%s -> %s refused: %v", from, to, err)
				}
			case err == nil || err.Code != problem.Conflict:
				t.Errorf("%s -> %s: %v, want conflict", from, to, err)
			}
		}
	}
}

// The details an answer needs, and the codes it may carry, by status: the
// fields each case must name, with the API's rule (codes optional) and the
// form's (codes required).
func TestAnswerDetails(t *testing.T) {
	cases := []struct {
		name      string
		from      ShareStatus
		a         Answer
		api, form []string // the fields named wrong; none when all is well
	}{
		{"decline, coded", Sent, Answer{To: Declined, Reason: "Lives in the next county", ReasonCode: "out_of_area"}, nil, nil},
		{"decline, uncoded", Sent, Answer{To: Declined, Reason: "Lives in the next county"}, nil, []string{"reason_code"}},
		{"decline, no reason at all", Viewed, Answer{To: Declined, Reason: " "}, []string{"reason"}, []string{"reason", "reason_code"}},
		{"decline, code without words", Viewed, Answer{To: Declined, ReasonCode: "no_capacity"}, []string{"reason"}, []string{"reason"}},
		{"decline, unknown code", Sent, Answer{To: Declined, Reason: "x", ReasonCode: "busy"}, []string{"reason_code"}, []string{"reason_code"}},
		{"decline, an outcome's code", Sent, Answer{To: Declined, Reason: "x", ReasonCode: "referred_on"}, []string{"reason_code"}, []string{"reason_code"}},
		{"decline, with an outcome code", Sent, Answer{To: Declined, Reason: "x", ReasonCode: "other", OutcomeCode: "other"}, []string{"outcome_code"}, []string{"outcome_code"}},
		{"decline, code in capitals", Sent, Answer{To: Declined, Reason: "x", ReasonCode: "OUT_OF_AREA"}, []string{"reason_code"}, []string{"reason_code"}},
		{"close, coded", InProgress, Answer{To: Closed, Outcome: "New locks fitted", OutcomeCode: "safety_measures"}, nil, nil},
		{"close, uncoded", Accepted, Answer{To: Closed, Outcome: "New locks fitted"}, nil, []string{"outcome_code"}},
		{"close, nothing", InProgress, Answer{To: Closed}, []string{"outcome"}, []string{"outcome", "outcome_code"}},
		{"close, a reason's code", InProgress, Answer{To: Closed, Outcome: "x", OutcomeCode: "out_of_area"}, []string{"outcome_code"}, []string{"outcome_code"}},
		{"close, with a reason code", InProgress, Answer{To: Closed, Outcome: "x", OutcomeCode: "referred_on", ReasonCode: "other"}, []string{"reason_code"}, []string{"reason_code"}},
		{"accept", Sent, Answer{To: Accepted}, nil, nil},
		{"accept, with a reason code", Sent, Answer{To: Accepted, ReasonCode: "out_of_area"}, []string{"reason_code"}, []string{"reason_code"}},
		{"in progress, with an outcome code", Accepted, Answer{To: InProgress, OutcomeCode: "support_provided"}, []string{"outcome_code"}, []string{"outcome_code"}},
	}
	for _, c := range cases {
		err := Transition(c.from, c.a)
		if got := fieldsOf(err); !same(got, c.api) {
			t.Errorf("%s, through the API: %v %v, want fields %v", c.name, err, got, c.api)
		}
		if err != nil && err.Code != problem.Invalid {
			t.Errorf("%s: code %s, want invalid", c.name, err.Code)
		}
		if got := keys(c.a.Problems(true)); !same(got, c.form) {
			t.Errorf("%s, on the form: %v, want %v", c.name, got, c.form)
		}
	}
}

// A move the lifecycle refuses is a conflict, whatever the details say.
func TestConflictBeforeDetails(t *testing.T) {
	if err := Transition(Closed, Answer{To: Declined, ReasonCode: "nonsense"}); err == nil || err.Code != problem.Conflict {
		t.Fatalf("declining a closed share: %v", err)
	}
	if err := Transition(Sent, Answer{To: "lost"}); err == nil || err.Code != problem.Invalid || err.Fields["status"] == "" {
		t.Fatalf("unknown status: %v", err)
	}
}

// Each list has distinct codes, each with words, and other last.
func TestCodeLists(t *testing.T) {
	for name, cs := range map[string]vocab.List{"decline reasons": DeclineReasons, "closing outcomes": ClosingOutcomes} {
		seen := map[string]bool{}
		for _, c := range cs {
			if c.Code == "" || c.Label == "" || seen[c.Code] {
				t.Errorf("%s: %+v empty or twice", name, c)
			}
			seen[c.Code] = true
			if l, ok := cs.Label(c.Code); !ok || l != c.Label {
				t.Errorf("%s: Label(%s) = %q %v", name, c.Code, l, ok)
			}
		}
		if cs[len(cs)-1].Code != "other" {
			t.Errorf("%s: other is not last", name)
		}
		if _, ok := cs.Label(""); ok {
			t.Errorf("%s: the empty code has a label", name)
		}
	}
}

func fieldsOf(err *problem.Error) []string {
	if err == nil {
		return nil
	}
	return keys(err.Fields)
}

func keys(m map[string]string) []string {
	var out []string
	for k, v := range m {
		if v != "" {
			out = append(out, k)
		}
	}
	return out
}

func same(got, want []string) bool {
	g, w := map[string]bool{}, map[string]bool{}
	for _, x := range got {
		g[x] = true
	}
	for _, x := range want {
		w[x] = true
	}
	return len(got) == len(want) && maps.Equal(g, w)
}

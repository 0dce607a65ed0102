package referral

import (
	"strings"

	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/vocab"
)

// transitions is the lifecycle of a share: which status may follow which.
// viewed is set by the hub when the agency first opens the referral; declined
// and closed are the ends, and withdrawn, which only the police set.
var transitions = map[ShareStatus][]ShareStatus{
	Sent:       {Viewed, Accepted, Declined},
	Viewed:     {Accepted, Declined},
	Accepted:   {InProgress, Closed},
	InProgress: {Closed},
	Declined:   nil,
	Closed:     nil,
	Withdrawn:  nil,
}

// Answer is what an agency says on its share: the status it moves to and,
// for a decline or a close, the kind of reason or outcome (a code from
// DeclineReasons or ClosingOutcomes) and the details in free text.
type Answer struct {
	To          ShareStatus
	Reason      string // why the agency declines; free text, sealed
	ReasonCode  string // the kind of reason, from DeclineReasons
	Outcome     string // what the agency did; free text, sealed
	OutcomeCode string // the kind of outcome, from ClosingOutcomes
}

// Transition checks a change of a share's status as its agency asks for it:
// the move must be allowed from where the share stands (Conflict otherwise),
// and the answer's details must fit the status (Invalid otherwise, naming
// every field that does not; see Problems). The codes are optional here, as
// the API's contract has them.
func Transition(from ShareStatus, a Answer) *problem.Error {
	if _, err := ParseShareStatus(string(a.To)); err != nil || a.To == Withdrawn {
		return problem.Invalidf("status", "Choose a status: accepted, declined, in_progress or closed")
	}
	allowed := false
	for _, next := range transitions[from] {
		if next == a.To {
			allowed = true
		}
	}
	if !allowed {
		return problem.New(problem.Conflict, "a referral that is %s cannot become %s", humanStatus(from), humanStatus(a.To))
	}
	if errs := a.Problems(false); len(errs) > 0 {
		return problem.Fields(errs)
	}
	return nil
}

// Problems lists, by field, what is wrong with the details of an answer: a
// decline needs a reason and a close an outcome, in words; a code must come
// from its list and only with its status (a reason code with declined, an
// outcome code with closed). With codeRequired, as the hub's own form asks,
// a decline and a close also need their code. Nil when all is well.
func (a Answer) Problems(codeRequired bool) map[string]string {
	errs := map[string]string{}
	check := func(status ShareStatus, code string, codes vocab.List, codeField, kind string) {
		switch {
		case code == "" && a.To == status && codeRequired:
			errs[codeField] = "Choose the kind of " + kind
		case code == "":
		case a.To != status:
			errs[codeField] = "Give a " + codeField + " only when the status is " + string(status)
		default:
			if _, ok := codes.Label(code); !ok {
				errs[codeField] = "Choose the kind of " + kind + ": " + codes.OneOf()
			}
		}
	}
	check(Declined, a.ReasonCode, DeclineReasons, "reason_code", "reason for declining")
	check(Closed, a.OutcomeCode, ClosingOutcomes, "outcome_code", "outcome")
	switch {
	case a.To == Declined && strings.TrimSpace(a.Reason) == "":
		errs["reason"] = "Say why your agency is declining the referral"
	case a.To == Closed && strings.TrimSpace(a.Outcome) == "":
		errs["outcome"] = "Say what your agency did and what the outcome was"
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Next lists the statuses a share may move to from s, for the form's choices.
func Next(s ShareStatus) []ShareStatus { return transitions[s] }

func humanStatus(s ShareStatus) string { return strings.ReplaceAll(string(s), "_", " ") }

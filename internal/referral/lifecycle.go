package referral

import (
	"strings"

	"github.com/stalking-hub/hub/internal/problem"
)

// transitions is the lifecycle of a share: which status may follow which.
// viewed is set by the hub when the agency first opens the referral; declined
// and closed are the ends.
var transitions = map[ShareStatus][]ShareStatus{
	Sent:       {Viewed, Accepted, Declined},
	Viewed:     {Accepted, Declined},
	Accepted:   {InProgress, Closed},
	InProgress: {Closed},
	Declined:   nil,
	Closed:     nil,
}

// Transition checks a change of a share's status as its agency asks for it:
// the move must be allowed from where the share stands (Conflict otherwise),
// a decline needs a reason and a close needs an outcome (Invalid otherwise).
func Transition(from, to ShareStatus, reason, outcome string) *problem.Error {
	if _, err := ParseShareStatus(string(to)); err != nil {
		return problem.Invalidf("status", "Choose a status: accepted, declined, in_progress or closed")
	}
	allowed := false
	for _, next := range transitions[from] {
		if next == to {
			allowed = true
		}
	}
	if !allowed {
		return problem.New(problem.Conflict, "a referral that is %s cannot become %s", humanStatus(from), humanStatus(to))
	}
	switch {
	case to == Declined && strings.TrimSpace(reason) == "":
		return problem.Invalidf("reason", "Say why your agency is declining the referral")
	case to == Closed && strings.TrimSpace(outcome) == "":
		return problem.Invalidf("outcome", "Say what your agency did and what the outcome was")
	}
	return nil
}

// Next lists the statuses a share may move to from s, for the form's choices.
func Next(s ShareStatus) []ShareStatus { return transitions[s] }

func humanStatus(s ShareStatus) string { return strings.ReplaceAll(string(s), "_", " ") }

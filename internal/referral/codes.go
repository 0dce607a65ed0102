package referral

import "strings"

// Code is one entry of a coded list: a stable code that reports count by,
// and the plain words people read. A code is metadata, not personal data:
// the details of a reason or an outcome stay in the sealed free text.
type Code struct {
	Code  string
	Label string
}

// Codes is a list of codes in the order a form offers them.
type Codes []Code

// DeclineReasons are the kinds of reason an agency may give for declining.
var DeclineReasons = Codes{
	{"out_of_area", "Outside our area"},
	{"not_eligible", "Does not meet our criteria"},
	{"no_capacity", "No capacity to take it on"},
	{"already_supported", "Already supported by us or another service"},
	{"victim_declined", "The victim declined our service"},
	{"no_safe_contact", "We could not make safe contact"},
	{"other", "Another reason"},
}

// ClosingOutcomes are the kinds of outcome an agency may record on closing.
var ClosingOutcomes = Codes{
	{"support_provided", "Support given"},
	{"safety_measures", "Safety measures put in place"},
	{"rehoused_or_moved", "Rehoused or helped to move"},
	{"referred_on", "Referred on to another service"},
	{"support_declined", "The victim declined support"},
	{"no_safe_contact", "We could not make safe contact"},
	{"other", "Another outcome"},
}

// Label is the words for code, and whether the list holds it.
func (cs Codes) Label(code string) (string, bool) {
	for _, c := range cs {
		if c.Code == code {
			return c.Label, true
		}
	}
	return "", false
}

// Values lists the codes alone, in order.
func (cs Codes) Values() []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Code
	}
	return out
}

// oneOf lists the codes for a message: "a, b or c".
func (cs Codes) oneOf() string {
	v := cs.Values()
	if len(v) < 2 {
		return strings.Join(v, "")
	}
	return strings.Join(v[:len(v)-1], ", ") + " or " + v[len(v)-1]
}

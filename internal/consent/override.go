package consent

import (
	"slices"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// OverrideStatus is where a request to share without consent stands.
type OverrideStatus string

// A request waits for a supervisor, who approves or refuses it once.
const (
	OverridePending  OverrideStatus = "pending"
	OverrideApproved OverrideStatus = "approved"
	OverrideRefused  OverrideStatus = "refused"
)

// Override is an officer's request to share without consent, with a
// supervisor's decision on it. The law allows it where sharing is necessary
// and proportionate; Basis names the law and Rationale says why.
type Override struct {
	ID         string
	Basis      string      // a lawful basis, such as dpa2018_sch8_safeguarding
	Rationale  sealed.Text // why sharing without consent is needed, sealed with its category
	Agencies   []string
	Categories category.Set
	// Until is when an approval lapses. A date from a form is the start of
	// that day (UTC), so nothing is shared on it.
	Until       time.Time
	RequestedBy string // subject of the officer who asked
	RequestedAt time.Time
	Status      OverrideStatus
	DecidedBy   string // subject of the supervisor who decided
	DecidedAt   time.Time
	Note        string // the supervisor's note; required when refusing
}

// SignInAgain is the message of the Unauthorized problem Decide returns when
// the supervisor's sign-in is too old: the web layer sends them to sign in
// again before they decide.
const SignInAgain = "Sign in again to decide on a request to share without consent"

// signInSkew allows for the identity provider's clock running a little ahead
// of ours when it stamps the time of sign-in.
const signInSkew = time.Minute

// Covers reports whether this override lets the agency receive the category at
// now: approved, not yet lapsed, decided by someone other than the requester,
// and naming both the agency and the category. An override approved by its own
// requester is ignored whatever its status says.
func (o Override) Covers(agency string, cat category.Category, now time.Time) bool {
	return o.Status == OverrideApproved &&
		now.Before(o.Until) &&
		o.RequestedBy != "" && o.DecidedBy != "" && o.DecidedBy != o.RequestedBy &&
		o.Categories.Has(cat) &&
		slices.Contains(o.Agencies, agency)
}

// ValidateOverride checks a new request to share without consent as an
// officer entered it: a basis from lawfulBases, a rationale, known agencies
// (not police, none twice), at least one category, and an end in the future.
// It returns nil when the request is valid.
//
// It returns *problem.Error: compare the result with nil before storing it in
// an error variable.
func ValidateOverride(o Override, lawfulBases []string, knownAgencies func(string) bool, now time.Time) *problem.Error {
	f := map[string]string{}
	if !slices.Contains(lawfulBases, o.Basis) {
		f["basis"] = "Choose the lawful basis for sharing without consent"
	}
	if o.Rationale.Empty() {
		f["rationale"] = "Say why sharing without consent is necessary and proportionate"
	}
	if len(o.Agencies) == 0 {
		f["agencies"] = "Choose the agencies to share with"
	}
	checkAgencies(f, o.Agencies, knownAgencies)
	switch {
	case o.Categories == 0:
		f["categories"] = "Choose the kinds of information to share"
	case o.Categories&^allCategories != 0:
		f["categories"] = "Choose only known kinds of information"
	}
	switch {
	case o.Until.IsZero():
		f["until"] = "Enter the date sharing without consent ends"
	case !o.Until.After(now):
		f["until"] = "The end of sharing without consent must be in the future"
	}
	if len(f) > 0 {
		return problem.Fields(f)
	}
	return nil
}

// Decide records a supervisor's decision on a pending override and returns
// the decided override. Only a supervisor may decide, never the officer who
// asked; only a pending request can be decided; a refusal needs a note; and
// the supervisor must have signed in within freshSignin of now, so that an
// unattended session cannot approve sharing without consent.
func Decide(o Override, approver identity.Principal, approve bool, note string, now time.Time, freshSignin time.Duration) (Override, error) {
	if !approver.Has(identity.Supervisor) || approver.Subject == "" {
		return o, problem.New(problem.Forbidden, "Only a supervisor can decide on a request to share without consent")
	}
	if approver.Subject == o.RequestedBy {
		return o, problem.New(problem.Forbidden, "You cannot decide on your own request to share without consent")
	}
	if o.Status != OverridePending {
		return o, problem.New(problem.Conflict, "This request to share without consent has already been decided")
	}
	note = strings.TrimSpace(note)
	if !approve && note == "" {
		return o, problem.Invalidf("note", "Say why the request is refused")
	}
	if !freshlySignedIn(approver.AuthTime, now, freshSignin) {
		return o, problem.New(problem.Unauthorized, SignInAgain)
	}
	o.Status = OverrideRefused
	if approve {
		o.Status = OverrideApproved
	}
	o.DecidedBy = approver.Subject
	o.DecidedAt = now
	o.Note = note
	return o, nil
}

// freshlySignedIn reports whether a sign-in at authTime (unix seconds) is
// recent enough at now. An unknown time of sign-in is never fresh.
func freshlySignedIn(authTime int64, now time.Time, fresh time.Duration) bool {
	if authTime <= 0 || fresh <= 0 {
		return false
	}
	age := now.Sub(time.Unix(authTime, 0))
	return age >= -signInSkew && age <= fresh
}

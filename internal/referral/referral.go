// Package referral holds the referral: what a police officer sends to partner
// agencies about a victim of stalking or harassment, and each agency's share of it.
package referral

import (
	"fmt"
	"slices"
	"time"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
	"github.com/stalking-hub/hub/internal/vocab"
)

// Referral is one referral with everything the release decision weighs: who
// raised it, how risky it is, who it went to, the consent history, the
// requests to share without consent, and the content by data category.
type Referral struct {
	ID        string // opaque id
	Reference string // the human reference, such as SH-2026-000123
	Officer   string // subject of the officer who raised it
	Risk      risk.Level
	Shares    []Share // one per receiving agency
	// OnMARAC is true while the case is on a MARAC agenda: the conference's
	// member agencies may then see it for the marac purpose.
	OnMARAC   bool
	Consents  []consent.Consent  // append-only history, oldest first
	Overrides []consent.Override // requests to share without consent, with their decisions
	// Sections holds the content of each category as JSON, sealed: only
	// package sharing can open it, and hands it to a reader in a View.
	Sections [category.Count]sealed.Section
	// Meta is the non-personal metadata lists and reports use.
	Meta Meta
	// Restricted limits who in the force reads the referral whole: the
	// officer who raised it, supervisors and NamedOfficers (subjects or
	// e-mail addresses). Any other officer must give a reason: a break-glass read.
	Restricted    bool
	NamedOfficers []string
}

// Share is one receiving agency's part in a referral and where it stands.
type Share struct {
	ID      string
	Agency  string
	Status  ShareStatus
	Risk    risk.Level // the referral's risk when sent, which set the due time
	Request string     // what the officer asks the agency to do
	Reason  string     // why the agency declined
	Outcome string     // what the agency did, when it closed the share
	// ReasonCode and OutcomeCode are the kinds of reason and outcome, from
	// DeclineReasons and ClosingOutcomes; empty when not coded.
	ReasonCode, OutcomeCode string
	SentAt                  time.Time
	DueAt                   time.Time // the agency's response time for the risk level runs out
	// ViewedAt, AnsweredAt (first accepted or declined), AcceptedAt and
	// ClosedAt are zero until they happen.
	ViewedAt, AnsweredAt, AcceptedAt, ClosedAt time.Time
	Version                                    int // for ETag and If-Match
	// WithdrawnAt is when the police withdrew the share; zero unless withdrawn.
	WithdrawnAt time.Time
	// Unread is true while a message of the agency waits for the police to read it.
	Unread bool
}

// ShareStatus is where one agency's share of a referral stands.
type ShareStatus string

// The statuses of a share, in the order they usually come.
const (
	Sent       ShareStatus = "sent"
	Viewed     ShareStatus = "viewed"
	Accepted   ShareStatus = "accepted"
	Declined   ShareStatus = "declined"
	InProgress ShareStatus = "in_progress"
	Closed     ShareStatus = "closed"
	// Withdrawn is set by the police, never by the agency: the referral is
	// taken back from the agency, which then reads nothing of it.
	Withdrawn ShareStatus = "withdrawn"
)

// ShareStatuses lists every share status, as the registry does.
var ShareStatuses = vocab.Typed[ShareStatus](vocab.ShareStatuses)

// ParseShareStatus returns the share status with the given name.
func ParseShareStatus(s string) (ShareStatus, error) {
	if slices.Contains(ShareStatuses, ShareStatus(s)) {
		return ShareStatus(s), nil
	}
	return "", fmt.Errorf("unknown share status %q", s)
}

// notFoundMessage is the one message for a referral that does not exist or
// that the reader may not see; the two must never be told apart.
const notFoundMessage = "Referral not found"

// NotFound is the error for a referral that does not exist. The release
// decision returns the very same error to a reader who has no basis to see a
// referral, so that nobody can learn that a hidden record exists.
func NotFound() *problem.Error {
	return &problem.Error{Code: problem.NotFound, Message: notFoundMessage}
}

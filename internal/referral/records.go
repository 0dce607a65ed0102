package referral

import (
	"time"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// Amendment is a change an officer makes to a sent referral's content.
type Amendment struct {
	ReferralID string
	IfMatch    int        // the referral's version the officer read
	Submission Submission // the referral as amended, checked by the caller
	// Sections holds the new content of each changed category: empty (not
	// nil) for a category the amendment empties, nil for one it leaves.
	Sections [category.Count][]byte
	Enhanced *bool // the Victims' Code enhanced rights, when the patch sets them
	Reason   string
	Actor    identity.Principal
	// Visible says whether an agency may see a category of the referral as
	// amended: each agency is told only of the changes it may see.
	Visible func(agencyID string, c category.Category) bool
}

// Changed lists the categories an amendment changes.
func (a Amendment) Changed() []category.Category {
	var out []category.Category
	for _, c := range category.All() {
		if a.Sections[c] != nil {
			out = append(out, c)
		}
	}
	return out
}

// SavedDraft is a referral an officer has started and not yet sent: the form as
// far as it has been filled in, which need not be valid as a whole.
type SavedDraft struct {
	ID         string
	Officer    string // subject of the officer who started it
	Submission Submission
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// InboxCounts are the numbers on an agency's home page.
type InboxCounts struct {
	New, Open, Overdue int
}

// Reassessment is a new assessment of a sent referral's risk.
type Reassessment struct {
	ReferralID string
	Assessment RiskAssessment // checked by the caller, coherence included
	Reason     string
	Actor      identity.Principal
	// ResponseTime is how long an agency has to answer at a level.
	ResponseTime func(agencyID string, l risk.Level) time.Duration
}

// NewReferral is everything CreateReferral writes in its one transaction.
type NewReferral struct {
	Submission     Submission
	Officer        identity.Principal
	Due            map[string]time.Time // when each receiving agency must answer
	Consent        consent.Consent
	Draft          bool
	IdempotencyKey string
	BodyHash       string
	// Release, when set, decides what the creator is shown of the referral
	// as stored and returns the audit entry of that release, which is
	// appended in the create's transaction: the referral and the record of
	// its first release commit together, or neither does.
	Release func(*Referral) (audit.Entry, error)
	// FromDraft is the id of the officer's draft the referral is sent from:
	// the draft is deleted in the same transaction, so a referral is never
	// sent twice from one draft and a failed send leaves the draft as it was.
	FromDraft string
}

// Restriction is whose a referral is and who in the force may read it whole.
// It holds nothing personal.
type Restriction struct {
	Reference  string
	Officer    string // subject of the officer who raised it
	Restricted bool
	Named      []string // officers named to read it whole, by subject or e-mail
}

// BreakGlassRead is one break-glass read, as supervisors review them.
type BreakGlassRead struct {
	ID, ReferralID, Reference string
	Actor, ActorName          string
	At                        time.Time
	Reason                    string
}

// StatusChange is an agency's answer on its share of a referral.
type StatusChange struct {
	ReferralID  string
	Agency      string
	To          ShareStatus
	Reason      string // required to decline
	ReasonCode  string // the kind of reason, from referral.DeclineReasons; optional
	Outcome     string // required to close
	OutcomeCode string // the kind of outcome, from referral.ClosingOutcomes; optional
	IfMatch     int    // the share version the caller saw; 0 when not given
	Actor       identity.Principal
}

// Message is one message on a share's thread.
type Message struct {
	ID         string
	Agency     string // the share's agency
	Author     string
	AuthorName string
	AuthorSide string      // "police" or the agency id
	Body       sealed.Text // sealed with the category it holds; the author side wrote it
	CreatedAt  time.Time
}

// Event is one line of a referral's timeline.
type Event struct {
	At        time.Time
	Actor     string
	ActorName string
	Agency    string
	Kind      string
	Detail    string
}

// AddedShare is one more agency a sent referral goes to (issue 12).
type AddedShare struct {
	ReferralID string
	Agency     string
	Request    string // what the officer asks the agency to do
	// Due gives the agency's answer time for the referral's risk level, as
	// it stands when the share is added.
	Due   func(risk.Level) time.Time
	Actor identity.Principal
}

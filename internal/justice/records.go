package justice

import (
	"time"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// Breach is one recorded breach of an order.
type Breach struct {
	ID         string
	OrderID    string
	ReferralID string
	Reference  string
	OccurredOn time.Time
	Summary    sealed.Text // BreachSummary: of the orders category
	Incidents  Incidents   // the referral's incidents after the breach
}

// EndingOrder is a line of the list of orders ending soon: metadata only.
type EndingOrder struct {
	ID         string
	ReferralID string
	Reference  string
	Kind       string
	EndsOn     time.Time
	DaysLeft   int
}

// OrderChange is one entry of an order's history.
type OrderChange struct {
	Change string // granted, varied, extended, discharged
	At     time.Time
	EndsOn string
	Reason sealed.Text // of the orders category; empty for a grant
}

// OrderUpdate is a change an officer makes to an order: vary its
// conditions, extend (or shorten) its end, or discharge it, with a reason.
type OrderUpdate struct {
	ID      string
	IfMatch int    // the version the officer saw
	Change  string // varied, extended, discharged
	// Apply changes the order as loaded; it may refuse with a problem.
	Apply  func(o *Order) error
	Reason sealed.Text // ChangeReason
	Actor  identity.Principal
}

// Standing is where a referral stands on the criminal-justice side: the
// victim's rights under the Victims' Code and the outcome. No personal data.
type Standing struct {
	Enhanced       bool
	EnhancedReason string // a fixed phrase
	Outcome        string
	OutcomeOn      time.Time
}

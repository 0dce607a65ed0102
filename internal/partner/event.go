// Package partner connects partner agencies' own case systems: the events an
// agency's system learns of, the signed webhooks that push them (Standard
// Webhooks), and the guarded HTTP client that delivers them.
package partner

import (
	"encoding/json"
	"time"

	"github.com/stalking-hub/hub/internal/vocab"
)

// Type is the kind of an event, as api.md lists them.
type Type string

// The event types. Each event concerns one agency and goes only to it.
const (
	ShareCreated        Type = "share.created"        // a referral was sent to the agency
	ShareStatusChanged  Type = "share.status_changed" // the agency's share moved on (status says where)
	ShareWithdrawn      Type = "share.withdrawn"      // the force withdrew the agency's share
	ReferralUpdated     Type = "referral.updated"     // the referral's content changed
	ReferralRiskChanged Type = "referral.risk_changed"
	MessageCreated      Type = "message.created" // a message on the agency's thread
	ConsentWithdrawn    Type = "consent.withdrawn"
	OrderChanged        Type = "order.changed"
	MARACCaseListed     Type = "marac.case_listed"
	MARACActionChanged  Type = "marac.action_changed" // an action of the agency was agreed or changed (status says where)
)

// Types lists every event type a webhook may subscribe to.
var Types = vocab.Typed[Type](vocab.EventTypes)

// ParseType returns the type named s, and false for a name not in Types.
func ParseType(s string) (Type, bool) {
	for _, t := range Types {
		if string(t) == s {
			return t, true
		}
	}
	return "", false
}

// Event is one change an agency's system may learn of. It holds no personal
// data: the agency's system reads the referral through the API, which
// releases and audits as usual.
type Event struct {
	// Cursor orders the feed: GET /api/v1/events?after=CURSOR.
	Cursor int64
	// ID is the event's public id, the webhook-id of its deliveries.
	ID        string
	Type      Type
	Agency    string
	Referral  string // the referral's opaque id
	Reference string // such as SH-2026-000123
	Status    string // the share's or action's status, where one applies
	At        time.Time
}

// Payload is the JSON body of an event, in the feed and in a webhook.
type Payload struct {
	Type      Type      `json:"type"`
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	Agency    string    `json:"agency"`
	Referral  string    `json:"referral"`
	Reference string    `json:"reference"`
	Status    string    `json:"status,omitempty"`
}

// Payload is what the event says to a partner.
func (e Event) Payload() Payload {
	return Payload{Type: e.Type, ID: e.ID, At: e.At.UTC(), Agency: e.Agency, Referral: e.Referral, Reference: e.Reference, Status: e.Status}
}

// Body is the exact bytes a webhook delivery of the event carries and signs.
func (e Event) Body() []byte {
	b, _ := json.Marshal(e.Payload())
	return b
}

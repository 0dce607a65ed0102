// Package justice is the criminal-justice side of a referral: the orders and
// bail conditions that protect the victim, their breaches, the Victims' Code
// updates the victim is owed, and the outcome of the investigation.
package justice

import "github.com/stalking-hub/hub/internal/vocab"

// The criminal-justice vocabularies, as the registry lists them.
var (
	// OrderKinds are the kinds of order and bail a referral may record.
	OrderKinds = vocab.OrderKinds
	// Events are the decisions and events the Victims' Code says the
	// victim must be told of.
	Events = vocab.VictimCodeEvents
	// Outcomes are the criminal-justice outcomes of a referral's investigation.
	Outcomes = vocab.JusticeOutcomes
	// TellMethods are the ways the victim may be told of an update: the
	// safe-contact methods, since an update reaches the victim the way the
	// victim said it safely can.
	TellMethods = vocab.ContactMethods
)

// Package justice is the criminal-justice side of a referral: the orders and
// bail conditions that protect the victim, their breaches, the Victims' Code
// updates the victim is owed, and the outcome of the investigation.
package justice

import "github.com/stalking-hub/hub/internal/referral"

// OrderKinds are the kinds of order and bail a referral may record.
var OrderKinds = referral.Codes{
	{"bail_pre_charge", "Pre-charge bail"},
	{"bail_court", "Court bail"},
	{"stalking_protection_order_interim", "Interim Stalking Protection Order"},
	{"stalking_protection_order", "Stalking Protection Order"},
	{"restraining_order", "Restraining order"},
	{"non_molestation_order", "Non-molestation order"},
	{"dvpn", "Domestic Violence Protection Notice"},
	{"dvpo", "Domestic Violence Protection Order"},
	{"other", "Another order"},
}

// Events are the decisions and events the Victims' Code says the victim
// must be told of.
var Events = referral.Codes{
	{"arrest", "Suspect arrested"},
	{"charge", "Suspect charged"},
	{"no_further_action", "No further action"},
	{"bail_change", "Bail granted, changed or ended"},
	{"court_date", "Court date set"},
	{"order_granted", "Order granted"},
	{"order_ended", "Order ended"},
	{"other", "Another decision or event"},
}

// Outcomes are the criminal-justice outcomes of a referral's investigation.
var Outcomes = referral.Codes{
	{"charged", "Charged or summonsed"},
	{"cautioned", "Cautioned"},
	{"community_resolution", "Community resolution"},
	{"nfa_evidential_victim_supports", "No further action: evidential difficulties, victim supports action"},
	{"nfa_evidential_victim_does_not_support", "No further action: evidential difficulties, victim does not support action"},
	{"nfa_public_interest", "No further action: not in the public interest"},
	{"other", "Another outcome"},
}

// TellMethods are the ways the victim may be told of an update: the
// safe-contact methods, since an update reaches the victim the way the
// victim said it safely can.
var TellMethods = referral.Codes{
	{"phone", "Phone"},
	{"text", "Text message"},
	{"email", "E-mail"},
	{"letter", "Letter"},
	{"in_person", "In person"},
	{"via_police", "Through the police"},
	{"via_third_party", "Through a third party"},
}

// Package justice is the criminal-justice side of a referral: the orders and
// bail conditions that protect the victim, their breaches, the Victims' Code
// updates the victim is owed, and the outcome of the investigation.
package justice

import "github.com/stalking-hub/hub/internal/referral"

// OrderKinds are the kinds of order and bail a referral may record.
var OrderKinds = referral.Codes{
	{Code: "bail_pre_charge", Label: "Pre-charge bail"},
	{Code: "bail_court", Label: "Court bail"},
	{Code: "stalking_protection_order_interim", Label: "Interim Stalking Protection Order"},
	{Code: "stalking_protection_order", Label: "Stalking Protection Order"},
	{Code: "restraining_order", Label: "Restraining order"},
	{Code: "non_molestation_order", Label: "Non-molestation order"},
	{Code: "dvpn", Label: "Domestic Violence Protection Notice"},
	{Code: "dvpo", Label: "Domestic Violence Protection Order"},
	{Code: "other", Label: "Another order"},
}

// Events are the decisions and events the Victims' Code says the victim
// must be told of.
var Events = referral.Codes{
	{Code: "arrest", Label: "Suspect arrested"},
	{Code: "charge", Label: "Suspect charged"},
	{Code: "no_further_action", Label: "No further action"},
	{Code: "bail_change", Label: "Bail granted, changed or ended"},
	{Code: "court_date", Label: "Court date set"},
	{Code: "order_granted", Label: "Order granted"},
	{Code: "order_ended", Label: "Order ended"},
	{Code: "other", Label: "Another decision or event"},
}

// Outcomes are the criminal-justice outcomes of a referral's investigation.
var Outcomes = referral.Codes{
	{Code: "charged", Label: "Charged or summonsed"},
	{Code: "cautioned", Label: "Cautioned"},
	{Code: "community_resolution", Label: "Community resolution"},
	{Code: "nfa_evidential_victim_supports", Label: "No further action: evidential difficulties, victim supports action"},
	{Code: "nfa_evidential_victim_does_not_support", Label: "No further action: evidential difficulties, victim does not support action"},
	{Code: "nfa_public_interest", Label: "No further action: not in the public interest"},
	{Code: "other", Label: "Another outcome"},
}

// TellMethods are the ways the victim may be told of an update: the
// safe-contact methods, since an update reaches the victim the way the
// victim said it safely can.
var TellMethods = referral.Codes{
	{Code: "phone", Label: "Phone"},
	{Code: "text", Label: "Text message"},
	{Code: "email", Label: "E-mail"},
	{Code: "letter", Label: "Letter"},
	{Code: "in_person", Label: "In person"},
	{Code: "via_police", Label: "Through the police"},
	{Code: "via_third_party", Label: "Through a third party"},
}

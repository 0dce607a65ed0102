package vocab

// The vocabularies of a referral as created (../shared/api.md "Vocabulary"
// and "A referral as created"). The offences' words are the Protection from
// Harassment Act 1997's, with the section, as an officer records them.

// Categories are the kinds of information, in display order (package
// category numbers them in this order).
var Categories = List{
	{Code: "identity", Label: "Identity"},
	{Code: "safe_contact", Label: "Safe contact"},
	{Code: "contact", Label: "Contact details"},
	{Code: "offence", Label: "Offence"},
	{Code: "risk", Label: "Risk"},
	{Code: "suspect", Label: "Suspect"},
	{Code: "health", Label: "Health"},
	{Code: "children", Label: "Children"},
	{Code: "needs", Label: "Needs and views"},
	{Code: "orders", Label: "Orders and bail"},
}

// Offences are the offences a referral is raised for.
var Offences = List{
	{Code: "harassment", Label: "Harassment (section 2)", Hint: "Protection from Harassment Act 1997"},
	{Code: "harassment_fear_of_violence", Label: "Harassment putting people in fear of violence (section 4)", Hint: "Protection from Harassment Act 1997"},
	{Code: "stalking", Label: "Stalking (section 2A)", Hint: "Protection from Harassment Act 1997"},
	{Code: "stalking_fear_alarm_distress", Label: "Stalking involving fear of violence or serious alarm or distress (section 4A)", Hint: "Protection from Harassment Act 1997"},
	{Code: "malicious_communications", Label: "Malicious communications"},
	{Code: "breach_of_order", Label: "Breach of a restraining order or Stalking Protection Order"},
	{Code: "other", Label: "Another offence"},
}

// AggravatingFactors are the aggravating factors; hate_crime takes a strand.
var AggravatingFactors = List{
	{Code: "domestic_abuse", Label: "Domestic abuse"},
	{Code: "hate_crime", Label: "Hate crime"},
	{Code: "honour_based_abuse", Label: "Honour-based abuse"},
	{Code: "fear_of_violence", Label: "Fear of violence"},
	{Code: "technology_enabled", Label: "Technology-enabled", Hint: "For example, tracking devices, spyware or fake accounts"},
}

// HateCrimeStrands are the monitored strands of hate crime.
var HateCrimeStrands = List{
	{Code: "race", Label: "Race"},
	{Code: "religion", Label: "Religion or belief"},
	{Code: "sexual_orientation", Label: "Sexual orientation"},
	{Code: "disability", Label: "Disability"},
	{Code: "transgender", Label: "Transgender identity"},
	{Code: "other", Label: "Other"},
}

// RiskTools are the instruments a risk assessment records.
var RiskTools = List{
	{Code: "dash", Label: "DASH risk identification checklist"},
	{Code: "s_dash", Label: "S-DASH stalking screening questions"},
	{Code: "sash", Label: "SASH stalking screening"},
	{Code: "professional_judgement", Label: "Professional judgement"},
}

// RiskLevels are the bands of risk of serious harm, lowest first.
var RiskLevels = List{
	{Code: "standard", Label: "Standard", Hint: "No evidence that serious harm is likely"},
	{Code: "medium", Label: "Medium", Hint: "Serious harm is unlikely unless circumstances change"},
	{Code: "high", Label: "High", Hint: "Serious harm could happen at any time"},
}

// Relationships are how a suspect is connected to the victim.
var Relationships = List{
	{Code: "ex_partner", Label: "Ex-partner"},
	{Code: "partner", Label: "Partner"},
	{Code: "family", Label: "Family member"},
	{Code: "acquaintance", Label: "Acquaintance"},
	{Code: "colleague", Label: "Colleague"},
	{Code: "neighbour", Label: "Neighbour"},
	{Code: "stranger", Label: "Stranger"},
	{Code: "online_only", Label: "Known only online"},
	{Code: "unknown", Label: "Not known"},
	{Code: "other", Label: "Other"},
}

// PersonAtRiskRelationships are how someone else the suspect threatens is
// connected to the victim.
var PersonAtRiskRelationships = List{
	{Code: "new_partner", Label: "New partner"},
	{Code: "family", Label: "Family member"},
	{Code: "child_not_in_household", Label: "A child not living with the victim"},
	{Code: "friend", Label: "Friend"},
	{Code: "colleague", Label: "Colleague"},
	{Code: "neighbour", Label: "Neighbour"},
	{Code: "professional", Label: "A professional working with the victim"},
	{Code: "other", Label: "Other"},
}

// ContactMethods are the ways an agency may safely contact the victim, and
// so the ways the victim may be told of a Victims' Code update: an update
// reaches the victim the way the victim said it safely can.
var ContactMethods = List{
	{Code: "phone", Label: "Phone call"},
	{Code: "text", Label: "Text message"},
	{Code: "email", Label: "E-mail"},
	{Code: "letter", Label: "Letter"},
	{Code: "in_person", Label: "In person"},
	{Code: "via_police", Label: "Through the police"},
	{Code: "via_third_party", Label: "Through someone the victim trusts"},
}

// ConsentDecisions are the answers a consent record holds.
var ConsentDecisions = List{
	{Code: "given", Label: "Consent given", Hint: "The person agreed to share the kinds of information you choose with the agencies you choose, until the review date."},
	{Code: "refused", Label: "Consent refused", Hint: "Nothing is shared on consent. An agency may still receive what its agreement allows without consent, or what a supervisor approves."},
	{Code: "not_sought", Label: "Consent not sought", Hint: "You did not ask the person. Say why."},
	{Code: "withdrawn", Label: "Consent withdrawn", Hint: "Ends consent from the moment you record it."},
}

// ConsentMethods are the ways consent was given.
var ConsentMethods = List{
	{Code: "verbal", Label: "Verbally"},
	{Code: "written", Label: "In writing"},
	{Code: "electronic", Label: "Electronically", Hint: "For example, by e-mail or text message"},
}

// OverrideStatuses are where a request to share without consent stands.
var OverrideStatuses = List{
	{Code: "pending", Label: "Waiting for a supervisor"},
	{Code: "approved", Label: "Approved"},
	{Code: "refused", Label: "Refused"},
}

// LawfulBases are the lawful bases the hub knows the words of: the three
// for sharing without consent that configuration starts with
// (sharing.lawful_bases, which may add more), then the two a release may
// rest on besides.
var LawfulBases = List{
	{Code: "dpa2018_sch8_safeguarding", Label: "Data Protection Act 2018, Schedule 8 — safeguarding of children and individuals at risk"},
	{Code: "crime_and_disorder_act_s115", Label: "Crime and Disorder Act 1998, section 115"},
	{Code: "vital_interests", Label: "Vital interests — risk to life"},
	{Code: "consent", Label: "Consent of the person"},
	{Code: "dpa2018_part3", Label: "Data Protection Act 2018, Part 3 — law enforcement processing by the force"},
}

// The vocabularies of a referral after it is sent.

// ShareStatuses are where one agency's share of a referral stands.
var ShareStatuses = List{
	{Code: "sent", Label: "Sent"},
	{Code: "viewed", Label: "Viewed"},
	{Code: "accepted", Label: "Accepted"},
	{Code: "declined", Label: "Declined"},
	{Code: "in_progress", Label: "In progress"},
	{Code: "closed", Label: "Closed"},
	{Code: "withdrawn", Label: "Withdrawn"},
}

// DeclineReasons are the kinds of reason an agency may give for declining.
// A code is metadata, not personal data: the reason's details stay in the
// sealed free text.
var DeclineReasons = List{
	{Code: "out_of_area", Label: "Outside our area"},
	{Code: "not_eligible", Label: "Does not meet our criteria"},
	{Code: "no_capacity", Label: "No capacity to take it on"},
	{Code: "already_supported", Label: "Already supported by us or another service"},
	{Code: "victim_declined", Label: "The victim declined our service"},
	{Code: "no_safe_contact", Label: "We could not make safe contact"},
	{Code: "other", Label: "Another reason"},
}

// ClosingOutcomes are the kinds of outcome an agency may record on closing.
var ClosingOutcomes = List{
	{Code: "support_provided", Label: "Support given"},
	{Code: "safety_measures", Label: "Safety measures put in place", Hint: "For example, target hardening or a safety plan"},
	{Code: "rehoused_or_moved", Label: "Rehoused or helped to move"},
	{Code: "referred_on", Label: "Referred on to another service"},
	{Code: "support_declined", Label: "The victim declined support"},
	{Code: "no_safe_contact", Label: "We could not make safe contact"},
	{Code: "other", Label: "Another outcome"},
}

// MARACCriteria are why a referral goes to MARAC.
var MARACCriteria = List{
	{Code: "visible_high_risk", Label: "Visible high risk (DASH 14 or more)"},
	{Code: "professional_judgement", Label: "Professional judgement"},
	{Code: "potential_escalation", Label: "Potential escalation"},
	{Code: "repeat", Label: "Repeat case"},
}

// MARACActionStatuses are where an agreed action stands. not_possible and
// not_done are kept apart, as the meeting reviews them apart.
var MARACActionStatuses = List{
	{Code: "open", Label: "Open", Hint: "The action is still to be done."},
	{Code: "done", Label: "Done", Hint: "The agency did what was agreed."},
	{Code: "not_possible", Label: "Not possible", Hint: "Circumstances changed and it could not be done: say what changed."},
	{Code: "not_done", Label: "Not done", Hint: "The agency did not do it: say why."},
}

// OrderKinds are the kinds of order and bail a referral may record.
var OrderKinds = List{
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

// OrderStatuses are where an order stands on a given day.
var OrderStatuses = List{
	{Code: "active", Label: "Active"},
	{Code: "expired", Label: "Expired"},
	{Code: "discharged", Label: "Discharged"},
}

// OrderChanges are the entries of an order's history.
var OrderChanges = List{
	{Code: "granted", Label: "Granted"},
	{Code: "varied", Label: "Varied"},
	{Code: "extended", Label: "Extended"},
	{Code: "discharged", Label: "Discharged"},
}

// VictimCodeEvents are the decisions and events the Victims' Code says the
// victim must be told of.
var VictimCodeEvents = List{
	{Code: "arrest", Label: "Suspect arrested"},
	{Code: "charge", Label: "Suspect charged"},
	{Code: "no_further_action", Label: "No further action"},
	{Code: "bail_change", Label: "Bail granted, changed or ended"},
	{Code: "court_date", Label: "Court date set"},
	{Code: "order_granted", Label: "Order granted"},
	{Code: "order_ended", Label: "Order ended"},
	{Code: "other", Label: "Another decision or event"},
}

// JusticeOutcomes are the criminal-justice outcomes of a referral's investigation.
var JusticeOutcomes = List{
	{Code: "charged", Label: "Charged or summonsed"},
	{Code: "cautioned", Label: "Cautioned"},
	{Code: "community_resolution", Label: "Community resolution"},
	{Code: "nfa_evidential_victim_supports", Label: "No further action: evidential difficulties, victim supports action"},
	{Code: "nfa_evidential_victim_does_not_support", Label: "No further action: evidential difficulties, victim does not support action"},
	{Code: "nfa_public_interest", Label: "No further action: not in the public interest"},
	{Code: "other", Label: "Another outcome"},
}

// EventTypes are the events a partner agency's system may subscribe to.
var EventTypes = List{
	{Code: "share.created", Label: "A referral was sent to the agency"},
	{Code: "share.status_changed", Label: "The agency's share changed status"},
	{Code: "share.withdrawn", Label: "The force withdrew the agency's share"},
	{Code: "referral.updated", Label: "The referral changed"},
	{Code: "referral.risk_changed", Label: "The referral's risk was re-assessed"},
	{Code: "message.created", Label: "A message on the agency's thread"},
	{Code: "consent.withdrawn", Label: "Consent was withdrawn"},
	{Code: "order.changed", Label: "An order was recorded or changed"},
	{Code: "marac.case_listed", Label: "A case was listed at MARAC"},
	{Code: "marac.action_changed", Label: "A MARAC action of the agency was agreed or changed"},
}

// Roles are what a person may do in the hub.
var Roles = List{
	{Code: "officer", Label: "Police officer"},
	{Code: "supervisor", Label: "Police supervisor"},
	{Code: "agency_staff", Label: "Partner agency staff"},
	{Code: "marac_coordinator", Label: "MARAC coordinator"},
	{Code: "auditor", Label: "Auditor"},
	{Code: "admin", Label: "Administrator"},
}

// The equality questions MARAC data returns ask, each answer counted, never
// shared. Every question allows not_stated.

// EqualityQuestions are the equality questions, in the order a form asks
// them and a report counts them; the answers to each are the vocabulary
// named "equality." and its code.
var EqualityQuestions = List{
	{Code: "sex", Label: "Sex"},
	{Code: "age_band", Label: "Age"},
	{Code: "ethnicity", Label: "Ethnic group"},
	{Code: "disability", Label: "Disability"},
	{Code: "sexual_orientation", Label: "Sexual orientation"},
	{Code: "gender_identity", Label: "Gender identity"},
	{Code: "interpreter", Label: "Interpreter needed"},
}

// EqualitySex are the answers to the victim's sex.
var EqualitySex = List{
	{Code: "female", Label: "Female"},
	{Code: "male", Label: "Male"},
	{Code: "not_stated", Label: "Not stated"},
}

// EqualityAgeBands are the victim's age bands.
var EqualityAgeBands = List{
	{Code: "under_18", Label: "Under 18"},
	{Code: "18_24", Label: "18 to 24"},
	{Code: "25_34", Label: "25 to 34"},
	{Code: "35_44", Label: "35 to 44"},
	{Code: "45_54", Label: "45 to 54"},
	{Code: "55_64", Label: "55 to 64"},
	{Code: "65_plus", Label: "65 and over"},
	{Code: "not_stated", Label: "Not stated"},
}

// EqualityEthnicities are the census's broad ethnic groups.
var EqualityEthnicities = List{
	{Code: "white", Label: "White"},
	{Code: "mixed", Label: "Mixed or multiple"},
	{Code: "asian", Label: "Asian or Asian British"},
	{Code: "black", Label: "Black, African, Caribbean or Black British"},
	{Code: "other", Label: "Other ethnic group"},
	{Code: "not_stated", Label: "Not stated"},
}

// EqualityDisability are the answers to whether the victim is disabled.
var EqualityDisability = yesNoNotStated

// EqualitySexualOrientations are the answers to the victim's sexual orientation.
var EqualitySexualOrientations = List{
	{Code: "heterosexual", Label: "Heterosexual"},
	{Code: "gay_or_lesbian", Label: "Gay or lesbian"},
	{Code: "bisexual", Label: "Bisexual"},
	{Code: "other", Label: "Other sexual orientation"},
	{Code: "not_stated", Label: "Not stated"},
}

// EqualityGenderIdentity are the answers to whether the victim is trans.
var EqualityGenderIdentity = List{
	{Code: "trans", Label: "Trans"},
	{Code: "not_trans", Label: "Not trans"},
	{Code: "not_stated", Label: "Not stated"},
}

// EqualityInterpreter are the answers to whether the victim needs an interpreter.
var EqualityInterpreter = yesNoNotStated

var yesNoNotStated = List{
	{Code: "yes", Label: "Yes"},
	{Code: "no", Label: "No"},
	{Code: "not_stated", Label: "Not stated"},
}

package web

import (
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/referral"
)

// The words of the referral pages for each value of the API's vocabulary
// (../shared/api.md): the form offers them and the referral page shows them.

var offenceChoices = []choice{
	{Value: "harassment", Label: "Harassment", Hint: "Protection from Harassment Act 1997, section 2"},
	{Value: "harassment_fear_of_violence", Label: "Harassment putting people in fear of violence", Hint: "Section 4"},
	{Value: "stalking", Label: "Stalking", Hint: "Section 2A"},
	{Value: "stalking_fear_alarm_distress", Label: "Stalking involving fear of violence or serious alarm or distress", Hint: "Section 4A"},
	{Value: "malicious_communications", Label: "Malicious communications"},
	{Value: "breach_of_order", Label: "Breach of a restraining order or Stalking Protection Order"},
	{Value: "other", Label: "Another offence"},
}

var safeContactChoices = []choice{
	{Value: "phone", Label: "Phone call"},
	{Value: "text", Label: "Text message"},
	{Value: "email", Label: "E-mail"},
	{Value: "letter", Label: "Letter"},
	{Value: "in_person", Label: "In person"},
	{Value: "via_police", Label: "Only through the police"},
	{Value: "via_third_party", Label: "Through someone the victim trusts"},
}

var strandChoices = []choice{
	{Value: "race", Label: "Race"},
	{Value: "religion", Label: "Religion or belief"},
	{Value: "sexual_orientation", Label: "Sexual orientation"},
	{Value: "disability", Label: "Disability"},
	{Value: "transgender", Label: "Transgender identity"},
	{Value: "other", Label: "Other"},
}

// factorChoices are the aggravating factors; hate crime reveals its strand.
var factorChoices = []choice{
	{Value: "domestic_abuse", Label: "Domestic abuse"},
	{Value: "hate_crime", Label: "Hate crime", Reveal: []question{{Name: "aggravating_factors.strand", Label: "Hate crime strands", Kind: checkboxesKind,
		Choices: strandChoices, Hint: "Select all that apply", Required: "Choose the strand of the hate crime"}}},
	{Value: "honour_based_abuse", Label: "Honour-based abuse"},
	{Value: "fear_of_violence", Label: "Fear of violence"},
	{Value: "technology_enabled", Label: "Technology-enabled", Hint: "For example, tracking devices, spyware or fake accounts"},
}

var riskToolChoices = []choice{
	{Value: "dash", Label: "DASH risk identification checklist"},
	{Value: "s_dash", Label: "S-DASH stalking screening questions"},
	{Value: "sash", Label: "SASH stalking screening"},
	{Value: "professional_judgement", Label: "Professional judgement"},
}

var riskLevelChoices = []choice{
	{Value: "standard", Label: "Standard", Hint: "No evidence that serious harm is likely"},
	{Value: "medium", Label: "Medium", Hint: "Serious harm is unlikely unless circumstances change"},
	{Value: "high", Label: "High", Hint: "Serious harm could happen at any time"},
}

var relationshipChoices = []choice{
	{Value: "ex_partner", Label: "Ex-partner"},
	{Value: "partner", Label: "Partner"},
	{Value: "family", Label: "Family member"},
	{Value: "acquaintance", Label: "Acquaintance"},
	{Value: "colleague", Label: "Colleague"},
	{Value: "neighbour", Label: "Neighbour"},
	{Value: "stranger", Label: "Stranger"},
	{Value: "online_only", Label: "Known only online"},
	{Value: "unknown", Label: "Not known"},
	{Value: "other", Label: "Other"},
}

var consentMethodChoices = []choice{
	{Value: "verbal", Label: "Verbally"},
	{Value: "written", Label: "In writing"},
	{Value: "electronic", Label: "Electronically", Hint: "For example, by e-mail or text message"},
}

var yesNoChoices = []choice{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No"}}

// categoryChoices are the kinds of information, as consent names them.
func categoryChoices() []choice {
	var out []choice
	for _, c := range category.All() {
		out = append(out, choice{Value: c.String(), Label: c.Title()})
	}
	return out
}

// labelOf is the words for a value among choices, or the value itself.
func labelOf(choices []choice, value string) string {
	return question{Choices: choices}.choiceLabel(value)
}

// statusLabel is a share status in words.
func statusLabel(s referral.ShareStatus) string {
	switch s {
	case referral.Sent:
		return "Sent"
	case referral.Viewed:
		return "Viewed"
	case referral.Accepted:
		return "Accepted"
	case referral.Declined:
		return "Declined"
	case referral.InProgress:
		return "In progress"
	case referral.Closed:
		return "Closed"
	case referral.Withdrawn:
		return "Withdrawn"
	}
	return string(s)
}

// statusBadge is the MoJ badge colour of a share status: declined in red so
// that it stands out, closed in grey as done.
func statusBadge(s referral.ShareStatus) string {
	switch s {
	case referral.Sent:
		return "moj-badge--blue"
	case referral.Viewed:
		return "moj-badge--purple"
	case referral.Accepted, referral.InProgress:
		return "moj-badge--green"
	case referral.Declined, referral.Withdrawn:
		return "moj-badge--red"
	}
	return "moj-badge--grey"
}

// riskTag is the GOV.UK tag colour of a risk level.
func riskTag(level string) string {
	switch level {
	case "high":
		return "govuk-tag--red"
	case "medium":
		return "govuk-tag--orange"
	}
	return "govuk-tag--grey"
}

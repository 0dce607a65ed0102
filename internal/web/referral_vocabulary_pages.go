package web

import (
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/vocab"
)

// The choices of the referral pages for each vocabulary of the API
// (../shared/api.md), drawn from the registry: the form offers them and the
// referral page shows them in the same words.

var (
	offenceChoices       = choicesOf(vocab.Offences)
	safeContactChoices   = choicesOf(vocab.ContactMethods)
	strandChoices        = choicesOf(vocab.HateCrimeStrands)
	riskToolChoices      = choicesOf(vocab.RiskTools)
	riskLevelChoices     = choicesOf(vocab.RiskLevels)
	relationshipChoices  = choicesOf(vocab.Relationships)
	consentMethodChoices = choicesOf(vocab.ConsentMethods)
)

// factorChoices are the aggravating factors; hate crime reveals its strand.
var factorChoices = withReveal(choicesOf(vocab.AggravatingFactors), "hate_crime", question{Name: "aggravating_factors.strand",
	Label: "Hate crime strands", Kind: checkboxesKind, Choices: strandChoices, Hint: "Select all that apply", Required: "Choose the strand of the hate crime"})

// choicesOf offers a vocabulary's terms, in its order, with its words and hints.
func choicesOf(l vocab.List) []choice {
	out := make([]choice, 0, len(l))
	for _, t := range l {
		out = append(out, choice{Value: t.Code, Label: t.Label, Hint: t.Hint})
	}
	return out
}

// withReveal has the choice of value reveal qs when it is picked.
func withReveal(cs []choice, value string, qs ...question) []choice {
	for i := range cs {
		if cs[i].Value == value {
			cs[i].Reveal = append(cs[i].Reveal, qs...)
		}
	}
	return cs
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
func statusLabel(s referral.ShareStatus) string { return vocab.ShareStatuses.Words(string(s)) }

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

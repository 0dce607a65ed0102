package report

import (
	"slices"
	"sort"
	"strings"

	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
)

// The codes the figures are counted by, in the order tables show them: the
// vocabulary of the API contract.
var (
	RiskLevels = []string{string(risk.Standard), string(risk.Medium), string(risk.High)}
	Offences   = []string{"harassment", "harassment_fear_of_violence", "stalking", "stalking_fear_alarm_distress",
		"malicious_communications", "breach_of_order", "other"}
	Factors          = []string{"domestic_abuse", "hate_crime", "honour_based_abuse", "fear_of_violence", "technology_enabled"}
	Strands          = []string{"race", "religion", "sexual_orientation", "disability", "transgender", "other"}
	ShareStatuses    = []string{string(referral.Sent), string(referral.Viewed), string(referral.Accepted), string(referral.InProgress), string(referral.Declined), string(referral.Closed)}
	ConsentDecisions = []string{string(consent.Given), string(consent.Refused), string(consent.NotSought), string(consent.Withdrawn), NoConsentRecord}
	DeclineCodes     = referral.DeclineReasons.Values()
	OutcomeCodes     = referral.ClosingOutcomes.Values()
)

// NoConsentRecord is the consent "decision" of a referral with no record.
const NoConsentRecord = "none"

// labels are the words a table uses for a code, with the decline reasons'
// and closing outcomes' words from referral's lists.
var labels = withCodes(map[string]string{
	"standard":                     "Standard",
	"medium":                       "Medium",
	"high":                         "High",
	"harassment":                   "Harassment (s2)",
	"harassment_fear_of_violence":  "Harassment, fear of violence (s4)",
	"stalking":                     "Stalking (s2A)",
	"stalking_fear_alarm_distress": "Stalking, fear of violence or serious alarm or distress (s4A)",
	"malicious_communications":     "Malicious communications",
	"breach_of_order":              "Breach of an order",
	"domestic_abuse":               "Domestic abuse",
	"hate_crime":                   "Hate crime",
	"honour_based_abuse":           "Honour-based abuse",
	"fear_of_violence":             "Fear of violence",
	"technology_enabled":           "Technology-enabled",
	"race":                         "Race",
	"religion":                     "Religion",
	"sexual_orientation":           "Sexual orientation",
	"disability":                   "Disability",
	"transgender":                  "Transgender",
	"other":                        "Other",
	"sent":                         "Sent",
	"viewed":                       "Viewed",
	"accepted":                     "Accepted",
	"in_progress":                  "In progress",
	"declined":                     "Declined",
	"closed":                       "Closed",
	"given":                        "Given",
	"refused":                      "Refused",
	"not_sought":                   "Not sought",
	"withdrawn":                    "Withdrawn",
	NoConsentRecord:                "No record",
	"dpa2018_sch8_safeguarding":    "Data Protection Act 2018, Schedule 8 (safeguarding)",
	"crime_and_disorder_act_s115":  "Crime and Disorder Act 1998, section 115",
	"vital_interests":              "Vital interests",
	"":                             "Not coded",
}, referral.DeclineReasons, referral.ClosingOutcomes)

// withCodes adds the words of coded lists to m. A code m already has keeps
// its words: the map is one for every table, and "other" must read "Other"
// for an offence or a strand as well as for a reason or an outcome.
func withCodes(m map[string]string, lists ...referral.Codes) map[string]string {
	for _, cs := range lists {
		for _, c := range cs {
			if _, ok := m[c.Code]; !ok {
				m[c.Code] = c.Label
			}
		}
	}
	return m
}

// Label is the words for a code; a code without a label is shown as itself,
// with spaces for underscores.
func Label(code string) string {
	if l, ok := labels[code]; ok {
		return l
	}
	return strings.ReplaceAll(code, "_", " ")
}

// ordered lists the keys of m: those of known in their order, then any other
// key, sorted, so that a code the report does not know is shown, not lost.
func ordered(known []string, m map[string]int) []string {
	out := slices.Clone(known)
	var rest []string
	for k := range m {
		if !slices.Contains(known, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

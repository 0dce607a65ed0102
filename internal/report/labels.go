package report

import (
	"slices"
	"sort"

	"github.com/stalking-hub/hub/internal/vocab"
)

// The codes the figures are counted by, in the order tables show them: the
// registry's vocabularies, so a code added there is counted here.
var (
	RiskLevels       = vocab.RiskLevels.Values()
	Offences         = vocab.Offences.Values()
	Factors          = vocab.AggravatingFactors.Values()
	Strands          = vocab.HateCrimeStrands.Values()
	ShareStatuses    = vocab.ShareStatuses.Values()
	ConsentDecisions = append(vocab.ConsentDecisions.Values(), NoConsentRecord)
)

// NoConsentRecord is the consent "decision" of a referral with no record.
const NoConsentRecord = "none"

// consentWords are the consent table's words: the registry's decisions, and
// a referral with no consent record at all.
var consentWords = append(slices.Clone(vocab.ConsentDecisions), vocab.Term{Code: NoConsentRecord, Label: "No consent record"})

// notCoded is the words of an answer given without a code (a decline or a
// close recorded before codes, or through the API without one).
const notCoded = "Not coded"

// codeWords is the words of a decline's or a close's code in list.
func codeWords(list vocab.List, code string) string {
	if code == "" {
		return notCoded
	}
	return list.Words(code)
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

package web

import (
	"slices"

	"github.com/stalking-hub/hub/internal/referral"
)

// consentForChosen is the consent step offering only the agencies the
// officer chose to send the referral to (all of them while none is chosen).
func consentForChosen(st step, chosen []referral.Request) step {
	if len(chosen) == 0 {
		return st
	}
	ids := make([]string, 0, len(chosen))
	for _, r := range chosen {
		ids = append(ids, r.Agency)
	}
	st.Questions = onlyAgencies(st.Questions, ids)
	return st
}

// onlyAgencies copies questions, keeping in consent.agencies only the ids.
func onlyAgencies(qs []question, ids []string) []question {
	out := slices.Clone(qs)
	for i, q := range out {
		if q.Name == "consent.agencies" {
			var keep []choice
			for _, c := range q.Choices {
				if slices.Contains(ids, c.Value) {
					keep = append(keep, c)
				}
			}
			out[i].Choices = keep
		}
		if len(q.Choices) > 0 {
			cs := slices.Clone(q.Choices)
			for j, c := range cs {
				cs[j].Reveal = onlyAgencies(c.Reveal, ids)
			}
			if q.Name != "consent.agencies" {
				out[i].Choices = cs
			}
		}
	}
	return out
}

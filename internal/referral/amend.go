package referral

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/problem"
)

// Patchable are the fields of a referral as created that an amendment (a
// JSON merge patch, RFC 7396) may change. The risk is re-assessed, not
// patched; agencies and consent have their own endpoints; equality and
// linked_to are settled when the referral is sent.
var Patchable = []string{"crime_reference", "offence", "summary", "incidents", "aggravating_factors", "victim", "suspect",
	"suspects", "others_at_risk", "children", "marac_concern", "victim_code"}

// notPatchable says, for a field of a referral as created that a patch may
// not change, what to do instead.
var notPatchable = map[string]string{
	"risk":      "The risk is re-assessed with POST /api/v1/referrals/{id}/risk, not changed by an update",
	"agencies":  "Agencies are added or withdrawn with their own endpoints, not changed by an update",
	"consent":   "Consent is recorded with POST /api/v1/referrals/{id}/consent, not changed by an update",
	"equality":  "Equality details cannot be changed after the referral is sent",
	"linked_to": "Links are confirmed or rejected on the referral's links, not changed by an update",
}

// FromSections rebuilds the submission of a sent referral from the content
// of its categories (as the force reads them whole), its offence and the
// agencies it went to. Risk is the latest assessment; consent is not part
// of it.
func FromSections(offence string, content func(category.Category) []byte, agencies []string) (Submission, error) {
	s := Submission{Offence: offence}
	var (
		id   IdentitySection
		ct   ContactSection
		off  OffenceSection
		rk   RiskSection
		sus  SuspectSection
		h    HealthSection
		need NeedsSection
	)
	for c, into := range map[category.Category]any{category.Identity: &id, category.Contact: &ct, category.SafeContact: &s.Victim.SafeContact,
		category.Offence: &off, category.Risk: &rk, category.Suspect: &sus, category.Health: &h, category.Children: &s.Children, category.Needs: &need} {
		if b := content(c); len(b) > 0 {
			if err := json.Unmarshal(b, into); err != nil {
				return s, err
			}
		}
	}
	s.Victim.Name, s.Victim.DateOfBirth = id.Name, id.DateOfBirth
	s.Victim.Address, s.Victim.Phone, s.Victim.Email = ct.Address, ct.Phone, ct.Email
	s.Victim.Health, s.Victim.Needs, s.Victim.Views = h.Health, need.Needs, need.Views
	s.CrimeReference, s.Summary, s.Incidents, s.AggravatingFactors = off.CrimeReference, off.Summary, off.Incidents, off.AggravatingFactors
	s.Risk, s.ConcernMARAC, s.OthersAtRisk = rk.RiskAssessment, rk.MARACConcern, rk.OthersAtRisk
	s.Suspect, s.Suspects = sus.Suspect, sus.Others
	for _, a := range agencies {
		s.Agencies = append(s.Agencies, Request{Agency: a})
	}
	return s, nil
}

// MergePatch applies an RFC 7396 merge patch to target: an object patch
// merges member by member, null removes a member, anything else replaces.
func MergePatch(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = MergePatch(tm[k], v)
	}
	return tm
}

// Patch applies a merge patch of the patchable fields to cur and returns
// the amended submission. A field the patch may not change, or that is not
// a field of a referral, is a 422 naming it; so is a value of the wrong type.
func Patch(cur Submission, patch map[string]any) (Submission, *problem.Error) {
	fields := map[string]string{}
	for k := range patch {
		if why, ok := notPatchable[k]; ok {
			fields[k] = why
		} else if !slices.Contains(Patchable, k) {
			fields[k] = k + " is not a field of a referral"
		}
	}
	if len(fields) > 0 {
		return cur, problem.Fields(fields)
	}
	b, err := json.Marshal(cur)
	if err != nil {
		return cur, problem.New(problem.Malformed, "the referral could not be read")
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return cur, problem.New(problem.Malformed, "the referral could not be read")
	}
	for k := range notPatchable {
		delete(doc, k)
	}
	delete(doc, "victim_code")
	merged, err := json.Marshal(MergePatch(doc, patch))
	if err != nil {
		return cur, problem.New(problem.Malformed, "the patch could not be applied")
	}
	out, perr := Decode(merged)
	if perr != nil {
		return cur, perr
	}
	out.Risk, out.Agencies, out.Consent = cur.Risk, cur.Agencies, cur.Consent
	return out, nil
}

// ChangedSections compares the categories of a referral before and after
// an amendment and returns the new content of each that changed: an empty,
// non-nil slice for a category the amendment emptied, nil for one it left
// alone. riskBefore is the stored risk section (assessment and history,
// which an amendment keeps); only the MARAC concern and the others at risk
// change in it.
func ChangedSections(before, after Submission, riskBefore []byte) ([category.Count][]byte, error) {
	var out [category.Count][]byte
	old, neu := before.Sections(), after.Sections()
	for _, c := range category.All() {
		if c == category.Risk || c == category.Orders || bytes.Equal(old[c], neu[c]) {
			continue
		}
		if neu[c] == nil {
			out[c] = []byte{}
			continue
		}
		out[c] = neu[c]
	}
	if before.ConcernMARAC != after.ConcernMARAC || !bytes.Equal(jsonOf(before.OthersAtRisk), jsonOf(after.OthersAtRisk)) {
		var rk RiskSection
		if len(riskBefore) > 0 {
			if err := json.Unmarshal(riskBefore, &rk); err != nil {
				return out, err
			}
		}
		rk.MARACConcern, rk.OthersAtRisk = after.ConcernMARAC, after.OthersAtRisk
		b, err := json.Marshal(rk)
		if err != nil {
			return out, err
		}
		out[category.Risk] = b
	}
	return out, nil
}

func jsonOf(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

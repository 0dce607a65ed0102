// Package sharing makes THE release decision: given who asks, the referral and
// the purpose, what may be shown of each kind of information, and why.
package sharing

import (
	"slices"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/sharing/internal/capability"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// Rule ids that Release quotes in a Decision and the audit log. A
// without_consent rule of an agreement is quoted by its own id.
const (
	RuleOriginatingForce = "originating_force"          // the force that raised the referral sees it whole
	RuleAuditor          = "auditor_metadata_only"      // auditors see who saw what, not the content
	RuleCoordinator      = "marac_coordinator_metadata" // the MARAC coordinator sees the case on the agenda, not its content
	RuleMinimumNecessary = "isa_minimum_necessary"      // outside the agreement's categories: never released
	RuleAgreement        = "isa_terms"                  // the agreement's terms need no consent
	RuleConsent          = "consent"                    // active consent covers the agency and category
	RuleOverride         = "override"                   // an approved request to share without consent
	RuleConsentRequired  = "consent_required"           // consent is needed and nothing lawful stands in for it
	RuleSafeContact      = "safe_contact_with_identity" // safe contact travels with identity and contact details
	RuleShareDeclined    = "share_declined"             // the agency declined the referral: nothing more is released to it
	RuleShareWithdrawn   = "share_withdrawn"            // the police withdrew the referral from the agency
	RuleShareClosed      = "share_closed_access_ended"  // the agency closed its share and its access after close has run out
	RuleRestricted       = "restricted_referral"        // a restricted referral: only its officer, supervisors and named officers read it whole
	RuleBreakGlass       = "break_glass"                // an officer gave a reason to read a restricted referral
)

// Lawful bases Release names itself; the others come from agreements and overrides.
const (
	BasisLawEnforcement = "dpa2018_part3" // law enforcement processing by the originating force
	BasisConsent        = "consent"
)

// Reasons, precomputed so that a release builds no strings.
const (
	reasonOriginatingForce = "your force raised this referral"
	reasonAuditor          = "auditors see who saw what, not the content"
	reasonCoordinator      = "the MARAC coordinator sees the case on the agenda, not its content"
	reasonNotInAgreement   = "not in your agency's information-sharing agreement"
	reasonAgreement        = "your agency's information-sharing agreement allows it"
	reasonConsent          = "the person consented to share it with your agency"
	reasonOverride         = "a supervisor approved sharing it without consent"
	reasonRule             = "your agency's information-sharing agreement allows it without consent at this level of risk"
	reasonSafeContact      = "shown with the victim's details: your agency may contact the victim and must know how to do so safely"
	reasonNoSafeContact    = "your agency may contact the victim but its information-sharing agreement does not include safe contact"
	reasonDeclined         = "your agency declined this referral"
	reasonShareWithdrawn   = "the police withdrew this referral from your agency"
	reasonClosed           = "your agency closed this referral and its access after closing has ended"
	reasonRestricted       = "this referral is restricted: give a reason to read it, and the read is recorded as break-glass"
	reasonBreakGlass       = "you gave a reason to read this restricted referral (break-glass)"

	reasonNoConsent       = "no consent has been recorded"
	reasonRefused         = "consent was refused"
	reasonNotSought       = "consent has not been sought"
	reasonWithdrawn       = "consent was withdrawn"
	reasonReviewPassed    = "consent review date has passed"
	reasonNotYetObtained  = "consent is recorded as given on a later date"
	reasonNotYourAgency   = "consent does not cover your agency"
	reasonNotThisCategory = "consent does not cover this kind of information"

	reasonNoOverride      = "no approved request to share without consent"
	reasonOverridePending = "a request to share without consent is awaiting a supervisor's decision"
	reasonOverrideRefused = "the request to share without consent was refused"
	reasonOverrideEnded   = "the approval to share without consent has ended"
)

// Release decides what reader p may see of referral r for purpose, under the
// agreements in force at now. It denies by default:
//   - police officers and supervisors of the originating force see it whole,
//     unless it is restricted: then only its officer, supervisors and the
//     officers named on it (Entitled); any other officer sees the metadata
//     and may give a reason to read it (BreakGlass);
//   - agency staff see what their agency's agreement and the victim's consent
//     (or an approved override, or a no-consent rule) allow, if their agency
//     is a recipient (purpose referral) or a MARAC member (purpose marac);
//     once their agency has declined the referral, had it withdrawn, or
//     closed it longer ago than its agreement's access after close, they
//     see the referral and their share but every category withheld;
//   - the MARAC coordinator (purpose marac, case on the agenda) sees what
//     the coordinator's agreement in the directory allows, like a member,
//     and the metadata only where there is none;
//   - auditors see the metadata with every category withheld;
//   - anyone else gets referral.NotFound(), exactly the error of a referral
//     that does not exist, so a hidden referral cannot be told from a missing one.
//
// A reader with several roles is taken in that order, the first with a basis
// deciding. A release that succeeds allocates nothing; the View it returns
// holds only the content of shown categories.
func Release(p identity.Principal, r *referral.Referral, purpose agency.Purpose, agreements *agency.Directory, now time.Time) (View, error) {
	if r == nil {
		return View{}, referral.NotFound()
	}
	if force(p) {
		if r.Restricted && !Entitled(p, r.Officer, r.NamedOfficers) {
			// The officer knows the referral exists (force-wide lists show
			// it) but reads none of it without a reason: BreakGlass.
			v := metadata(r, purpose, nil, RuleRestricted, reasonRestricted)
			v.agency, v.restricted = agency.Police, true
			return v, nil
		}
		return whole(r, purpose, RuleOriginatingForce, reasonOriginatingForce), nil
	}
	if p.Has(identity.AgencyStaff) {
		if v, ok := toAgency(p.Agency, r, purpose, agreements, now); ok {
			return v, nil
		}
	}
	if p.Has(identity.MARACCoordinator) && purpose == agency.MARAC && r.OnMARAC {
		// The coordinator reads a case on the agenda under its own
		// agreement, like a member; without one, the metadata only.
		if co, ok := agreements.Coordinator(); ok {
			if v, ok := underAgreement(co, r, purpose, now); ok {
				return v, nil
			}
		}
		return metadata(r, purpose, nil, RuleCoordinator, reasonCoordinator), nil
	}
	if p.Has(identity.Auditor) {
		return metadata(r, purpose, r.Shares, RuleAuditor, reasonAuditor), nil
	}
	return View{}, referral.NotFound()
}

// BreakGlass releases a restricted referral to an officer of the force who
// is not entitled to read it whole (see Entitled), on the reason they give:
// the View is the whole referral, every decision by RuleBreakGlass, and
// BrokeGlass reports true so that the read is audited as break-glass. A
// blank reason releases what Release does. For any other reader, or a
// referral that is not restricted, or an officer who is entitled, it is
// Release itself: nothing is gained by breaking glass that is not there.
func BreakGlass(p identity.Principal, r *referral.Referral, purpose agency.Purpose, agreements *agency.Directory, now time.Time, reason string) (View, error) {
	if r == nil || !force(p) || !r.Restricted || Entitled(p, r.Officer, r.NamedOfficers) || strings.TrimSpace(reason) == "" {
		return Release(p, r, purpose, agreements, now)
	}
	v := whole(r, purpose, RuleBreakGlass, reasonBreakGlass)
	v.brokeGlass = true
	return v, nil
}

// Entitled reports whether an officer of the force reads a restricted
// referral whole without breaking glass: the officer who raised it (officer
// is their subject), a supervisor, or an officer named on it by subject or
// e-mail address.
func Entitled(p identity.Principal, officer string, named []string) bool {
	if p.Subject != "" && p.Subject == officer || p.Has(identity.Supervisor) {
		return true
	}
	for _, n := range named {
		if n != "" && (n == p.Subject || p.Email != "" && strings.EqualFold(n, p.Email)) {
			return true
		}
	}
	return false
}

// force reports whether p reads as the originating force.
func force(p identity.Principal) bool {
	return p.Police() && (p.Agency == "" || p.Agency == agency.Police)
}

// whole is the referral as the originating force sees it: everything, by
// the rule given.
func whole(r *referral.Referral, purpose agency.Purpose, rule, reason string) View {
	v := View{referralID: r.ID, reference: r.Reference, agency: agency.Police, purpose: purpose, shares: r.Shares, meta: metaOf(r),
		whole: true, consents: r.Consents, overrides: r.Overrides}
	for c := range v.decisions {
		v.decisions[c] = Decision{Category: category.Category(c), Shown: true, Rule: rule, Basis: BasisLawEnforcement, reason: reason}
		v.content[c] = sealed.OpenSection(r.Sections[c], capability.Grant())
	}
	return v
}

// metadata is the referral with every category withheld by one rule.
func metadata(r *referral.Referral, purpose agency.Purpose, shares []referral.Share, rule, reason string) View {
	v := View{referralID: r.ID, reference: r.Reference, purpose: purpose, shares: shares, meta: metaOf(r)}
	withholdAll(&v.decisions, rule, reason)
	return v
}

// toAgency releases r to staff of agency id, or reports false when the agency
// has no basis to know the referral exists.
func toAgency(id string, r *referral.Referral, purpose agency.Purpose, agreements *agency.Directory, now time.Time) (View, bool) {
	if id == "" || id == agency.Police || agreements == nil {
		return View{}, false
	}
	a, ok := agreements.Get(id)
	if !ok {
		return View{}, false
	}
	return underAgreement(a, r, purpose, now)
}

// underAgreement releases r under agency a's agreement for purpose, or
// reports false when a has no basis to know the referral exists.
func underAgreement(a agency.Agency, r *referral.Referral, purpose agency.Purpose, now time.Time) (View, bool) {
	id := a.ID
	share := shareOf(r.Shares, id)
	terms, hasTerms := a.Terms(purpose)
	switch purpose {
	case agency.Referral:
		if share < 0 {
			return View{}, false
		}
	case agency.MARAC:
		if !r.OnMARAC || !hasTerms {
			return View{}, false
		}
	default:
		return View{}, false
	}
	v := View{referralID: r.ID, reference: r.Reference, agency: id, purpose: purpose, meta: metaOf(r)}
	if share >= 0 {
		v.shares = r.Shares[share : share+1 : share+1]
	}
	if !hasTerms {
		// A recipient whose agreement has no terms for the purpose knows of
		// the referral but receives none of it.
		withholdAll(&v.decisions, RuleMinimumNecessary, reasonNotInAgreement)
		return v, true
	}
	if purpose == agency.Referral {
		if rule, why, over := ended(&r.Shares[share], terms, now); over {
			// The agency still sees that the referral existed, and its own
			// share as it stands, but none of the content.
			withholdAll(&v.decisions, rule, why)
			return v, true
		}
	}
	cur, hasConsent := consent.Current(r.Consents)
	for c := range v.decisions {
		v.decisions[c] = decide(category.Category(c), id, terms, cur, hasConsent, r, now)
	}
	if a.ContactsVictim {
		pairSafeContact(&v.decisions, terms)
		pairOrders(&v.decisions, terms)
	}
	for c, d := range v.decisions {
		if d.Shown {
			v.content[c] = sealed.OpenSection(r.Sections[c], capability.Grant())
		}
	}
	return v, true
}

// ended reports whether the agency's share of a referral has ended for
// reading: declined, withdrawn, or closed longer ago than the agreement's
// access after close. A closed share with no closing time is taken as ended
// (fail closed). The rule and reason say which.
func ended(sh *referral.Share, terms agency.Terms, now time.Time) (rule, reason string, over bool) {
	switch sh.Status {
	case referral.Declined:
		return RuleShareDeclined, reasonDeclined, true
	case referral.Withdrawn:
		return RuleShareWithdrawn, reasonShareWithdrawn, true
	case referral.Closed:
		if sh.ClosedAt.IsZero() || !now.Before(sh.ClosedAt.Add(terms.AccessAfterClose)) {
			return RuleShareClosed, reasonClosed, true
		}
	}
	return "", "", false
}

// withholdAll withholds every category by one rule.
func withholdAll(ds *[category.Count]Decision, rule, reason string) {
	for c := range ds {
		ds[c] = Decision{Category: category.Category(c), Rule: rule, reason: reason}
	}
}

// decide is the decision on one category for one agency. Minimum necessary
// comes first: nothing outside the agreement, whatever the consent says. Then
// the first route that allows it, in a fixed order: consent, an approved
// override, a no-consent rule of the agreement, the agreement's own basis. A
// route that names no lawful basis allows nothing, since the audit log must
// record one for every release.
func decide(cat category.Category, id string, terms agency.Terms, cur consent.Consent, hasConsent bool, r *referral.Referral, now time.Time) Decision {
	if !terms.Categories.Has(cat) {
		return Decision{Category: cat, Rule: RuleMinimumNecessary, reason: reasonNotInAgreement}
	}
	if hasConsent && cur.Covers(id, cat, now) {
		return Decision{Category: cat, Shown: true, Rule: RuleConsent, Basis: BasisConsent, Ref: cur.ID, reason: reasonConsent}
	}
	for i := range r.Overrides {
		if o := &r.Overrides[i]; o.Basis != "" && o.Covers(id, cat, now) {
			return Decision{Category: cat, Shown: true, Rule: RuleOverride, Basis: o.Basis, Ref: o.ID, reason: reasonOverride}
		}
	}
	for _, rule := range terms.WithoutConsent {
		// A rule without a known minimum risk allows nothing: fail closed.
		if rule.Categories.Has(cat) && rule.MinRisk.Rank() > 0 && r.Risk.AtLeast(rule.MinRisk) && rule.Basis != "" {
			why := rule.Reason
			if why == "" {
				why = reasonRule
			}
			return Decision{Category: cat, Shown: true, Rule: rule.ID, Basis: rule.Basis, reason: why}
		}
	}
	if !terms.ConsentRequired && terms.Basis != "" {
		return Decision{Category: cat, Shown: true, Rule: RuleAgreement, Basis: terms.Basis, reason: reasonAgreement}
	}
	d := Decision{Category: cat, Rule: RuleConsentRequired, also: overrideReason(r.Overrides, id, cat, now)}
	d.reason, d.on = consentReason(cur, hasConsent, id, cat, now)
	return d
}

// consentReason says why the current consent record does not cover the
// category for the agency, checking in the order Consent.Covers does.
func consentReason(c consent.Consent, ok bool, id string, cat category.Category, now time.Time) (string, time.Time) {
	if !ok {
		return reasonNoConsent, time.Time{}
	}
	switch c.Decision {
	case consent.Refused:
		return reasonRefused, time.Time{}
	case consent.NotSought:
		return reasonNotSought, time.Time{}
	case consent.Withdrawn:
		on := c.ObtainedOn
		if on.IsZero() {
			on = c.RecordedAt
		}
		return reasonWithdrawn, on
	case consent.Given:
		switch {
		case c.ReviewOn.IsZero() || !now.Before(c.ReviewOn):
			return reasonReviewPassed, time.Time{}
		case now.Before(c.ObtainedOn):
			return reasonNotYetObtained, time.Time{}
		case !slices.Contains(c.Agencies, id):
			return reasonNotYourAgency, time.Time{}
		default:
			return reasonNotThisCategory, time.Time{}
		}
	}
	return reasonNoConsent, time.Time{}
}

// overrideReason says where the requests to share this category with the
// agency without consent stand, the most hopeful first.
func overrideReason(os []consent.Override, id string, cat category.Category, now time.Time) string {
	var pending, ended, refused bool
	for i := range os {
		o := &os[i]
		if !o.Categories.Has(cat) || !slices.Contains(o.Agencies, id) {
			continue
		}
		switch o.Status {
		case consent.OverridePending:
			pending = true
		case consent.OverrideRefused:
			refused = true
		case consent.OverrideApproved:
			ended = ended || !now.Before(o.Until)
		}
	}
	switch {
	case pending:
		return reasonOverridePending
	case ended:
		return reasonOverrideEnded
	case refused:
		return reasonOverrideRefused
	}
	return reasonNoOverride
}

// pairSafeContact applies the safe contact rule for an agency that may contact
// the victim. A stalker often watches the victim's phone, post or home, so
// such an agency must never learn who the victim is, or how to reach them,
// without learning how to contact them safely. Safe contact therefore travels
// with identity and contact details, on the same basis, when the agreement
// lists it; when the agreement does not, identity and contact details are
// withheld too. Nothing outside the agreement is ever shown.
func pairSafeContact(ds *[category.Count]Decision, terms agency.Terms) {
	sc := &ds[category.SafeContact]
	if sc.Shown {
		return
	}
	carrier := &ds[category.Identity]
	if !carrier.Shown {
		carrier = &ds[category.Contact]
	}
	if !carrier.Shown {
		return
	}
	if terms.Categories.Has(category.SafeContact) {
		*sc = Decision{Category: category.SafeContact, Shown: true, Rule: RuleSafeContact, Basis: carrier.Basis, Ref: carrier.Ref, reason: reasonSafeContact}
		return
	}
	for _, c := range [...]category.Category{category.Identity, category.Contact} {
		if ds[c].Shown {
			ds[c] = Decision{Category: c, Rule: RuleSafeContact, reason: reasonNoSafeContact}
		}
	}
}

// shareOf returns the index of the agency's share, or -1.
func shareOf(shares []referral.Share, id string) int {
	for i := range shares {
		if shares[i].Agency == id {
			return i
		}
	}
	return -1
}

// metaOf is the referral's non-personal metadata that every reader with a
// basis may see: what kind of offence, how risky, and when.
func metaOf(r *referral.Referral) Metadata {
	return Metadata{Offence: r.Meta.Offence, Risk: r.Risk, State: r.Meta.State, CreatedAt: r.Meta.CreatedAt, SentAt: r.Meta.SentAt, Version: r.Meta.Version}
}

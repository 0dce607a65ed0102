package sharing

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/sharing/internal/capability"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// Short names for the table.
const (
	identityC = category.Identity
	safeC     = category.SafeContact
	contactC  = category.Contact
	offenceC  = category.Offence
	riskC     = category.Risk
	suspectC  = category.Suspect
	healthC   = category.Health
	childrenC = category.Children
	needsC    = category.Needs
	ordersC   = category.Orders
)

var (
	set          = category.SetOf
	housingCats  = set(identityC, safeC, contactC, offenceC, riskC, needsC)
	noOverride   = "; " + reasonNoOverride
	housingOnly  = []string{"housing"}
	consentedAll = func(r *referral.Referral) {
		r.Consents = []consent.Consent{givenTo([]string{"housing", "health", "no-safe-contact"}, allCats)}
	}
)

// releaseCase is one row of the decision table: who asks, for what purpose,
// about which referral, and exactly what is shown, by which rule and why.
type releaseCase struct {
	name     string
	p        identity.Principal
	purpose  agency.Purpose
	setup    func(r *referral.Referral)
	at       time.Time // now when zero
	notFound bool
	shown    category.Set // exactly the categories shown; every other one is withheld
	rules    map[category.Category]string
	bases    map[category.Category]string
	reasons  map[category.Category]string
	refs     map[category.Category]string
	shares   []string // the agencies whose shares the reader sees, when given
	noShares bool     // the reader sees no share at all
}

func TestRelease(t *testing.T) {
	tests := []releaseCase{
		// Consent.
		{
			name: "consent given: shown within the agreement and the consent", p: staff("housing"), purpose: agency.Referral,
			setup: func(r *referral.Referral) {
				r.Consents = []consent.Consent{givenTo(housingOnly, set(identityC, safeC, contactC, riskC, needsC))}
			},
			shown:   set(identityC, safeC, contactC, riskC, needsC),
			rules:   map[category.Category]string{identityC: RuleConsent, safeC: RuleConsent, offenceC: RuleConsentRequired, healthC: RuleMinimumNecessary},
			bases:   map[category.Category]string{identityC: BasisConsent, needsC: BasisConsent, offenceC: ""},
			refs:    map[category.Category]string{identityC: "c-given"},
			reasons: map[category.Category]string{identityC: reasonConsent, offenceC: reasonNotThisCategory + noOverride, healthC: reasonNotInAgreement},
			shares:  housingOnly,
		},
		{
			name: "consent refused", p: staff("housing"), purpose: agency.Referral,
			setup: func(r *referral.Referral) {
				r.Consents = []consent.Consent{givenTo(housingOnly, allCats), answer("c-no", consent.Refused, date(2026, 11, 15))}
			},
			shown:   0,
			rules:   map[category.Category]string{identityC: RuleConsentRequired, healthC: RuleMinimumNecessary},
			reasons: map[category.Category]string{identityC: reasonRefused + noOverride, needsC: reasonRefused + noOverride},
			shares:  housingOnly,
		},
		{
			name: "consent not sought", p: staff("housing"), purpose: agency.Referral,
			setup: func(r *referral.Referral) {
				c := answer("c-ns", consent.NotSought, date(2026, 11, 15))
				c.Reason = "seeking it would alert the suspect"
				r.Consents = []consent.Consent{c}
			},
			shown:   0,
			reasons: map[category.Category]string{identityC: reasonNotSought + noOverride},
		},
		{
			name: "no consent recorded", p: staff("housing"), purpose: agency.Referral,
			shown:   0,
			reasons: map[category.Category]string{riskC: reasonNoConsent + noOverride},
		},
		{
			name: "consent withdrawn: ends from that moment", p: staff("housing"), purpose: agency.Referral,
			setup: func(r *referral.Referral) {
				r.Consents = []consent.Consent{givenTo(housingOnly, allCats), answer("c-w", consent.Withdrawn, date(2026, 11, 10))}
			},
			shown:   0,
			rules:   map[category.Category]string{identityC: RuleConsentRequired},
			reasons: map[category.Category]string{identityC: "consent was withdrawn on 10 November 2026" + noOverride},
		},
		{
			name: "consent given again after a withdrawal", p: staff("housing"), purpose: agency.Referral,
			setup: func(r *referral.Referral) {
				again := givenTo(housingOnly, set(identityC, safeC))
				again.ID, again.RecordedAt = "c-again", date(2026, 11, 18)
				r.Consents = []consent.Consent{givenTo(housingOnly, allCats), answer("c-w", consent.Withdrawn, date(2026, 11, 10)), again}
			},
			shown: set(identityC, safeC),
			refs:  map[category.Category]string{identityC: "c-again"},
		},
		{
			name: "consent past its review date", p: staff("housing"), purpose: agency.Referral, setup: consentedAll,
			at:      date(2027, 5, 1).Add(time.Hour),
			shown:   0,
			reasons: map[category.Category]string{identityC: reasonReviewPassed + noOverride},
		},
		{
			name: "consent the day before its review date", p: staff("housing"), purpose: agency.Referral, setup: consentedAll,
			at:    date(2027, 4, 30).Add(23 * time.Hour),
			shown: housingCats,
		},
		{
			name: "consent scope misses the agency", p: staff("housing"), purpose: agency.Referral,
			setup: func(r *referral.Referral) {
				r.Consents = []consent.Consent{givenTo([]string{"health"}, allCats)}
			},
			shown:   0,
			reasons: map[category.Category]string{identityC: reasonNotYourAgency + noOverride},
		},
		{
			name: "consent scope misses a category", p: staff("housing"), purpose: agency.Referral,
			setup: func(r *referral.Referral) {
				r.Consents = []consent.Consent{givenTo(housingOnly, housingCats.Intersect(^set(needsC)))}
			},
			shown:   set(identityC, safeC, contactC, offenceC, riskC),
			rules:   map[category.Category]string{needsC: RuleConsentRequired},
			reasons: map[category.Category]string{needsC: reasonNotThisCategory + noOverride},
		},
		{
			name: "minimum necessary: consent for health, housing's agreement lacks it", p: staff("housing"), purpose: agency.Referral, setup: consentedAll,
			shown:   housingCats,
			rules:   map[category.Category]string{healthC: RuleMinimumNecessary, childrenC: RuleMinimumNecessary, suspectC: RuleMinimumNecessary},
			reasons: map[category.Category]string{healthC: reasonNotInAgreement},
		},
		{
			name: "health's agreement has health: consent releases it", p: staff("health"), purpose: agency.Referral, setup: consentedAll,
			shown:  set(identityC, safeC, contactC, healthC, riskC),
			rules:  map[category.Category]string{healthC: RuleConsent, needsC: RuleMinimumNecessary},
			shares: []string{"health"},
		},
		// Overrides, with consent refused.
		{
			name: "override pending", p: staff("housing"), purpose: agency.Referral,
			setup: refusedWith(func(o *consent.Override) {
				o.Status, o.DecidedBy, o.DecidedAt = consent.OverridePending, "", time.Time{}
			}),
			shown:   0,
			reasons: map[category.Category]string{identityC: reasonRefused + "; " + reasonOverridePending, needsC: reasonRefused + noOverride},
		},
		{
			name: "override approved", p: staff("housing"), purpose: agency.Referral,
			setup:   refusedWith(func(*consent.Override) {}),
			shown:   set(identityC, safeC, contactC),
			rules:   map[category.Category]string{identityC: RuleOverride, safeC: RuleOverride, riskC: RuleConsentRequired},
			bases:   map[category.Category]string{identityC: safeguarding},
			refs:    map[category.Category]string{contactC: "o-1"},
			reasons: map[category.Category]string{identityC: reasonOverride},
		},
		{
			name: "override refused", p: staff("housing"), purpose: agency.Referral,
			setup:   refusedWith(func(o *consent.Override) { o.Status, o.Note = consent.OverrideRefused, "not proportionate" }),
			shown:   0,
			reasons: map[category.Category]string{identityC: reasonRefused + "; " + reasonOverrideRefused},
		},
		{
			name: "override expired", p: staff("housing"), purpose: agency.Referral,
			setup:   refusedWith(func(*consent.Override) {}),
			at:      date(2026, 12, 21),
			shown:   0,
			reasons: map[category.Category]string{identityC: reasonRefused + "; " + reasonOverrideEnded},
		},
		{
			name: "override approved by its own requester is ignored", p: staff("housing"), purpose: agency.Referral,
			setup:   refusedWith(func(o *consent.Override) { o.DecidedBy = o.RequestedBy }),
			shown:   0,
			rules:   map[category.Category]string{identityC: RuleConsentRequired},
			reasons: map[category.Category]string{identityC: reasonRefused + noOverride},
		},
		{
			name: "override for another agency", p: staff("housing"), purpose: agency.Referral,
			setup: refusedWith(func(o *consent.Override) { o.Agencies = []string{"health"} }),
			shown: 0,
		},
		{
			name: "consent preferred to an override covering the same category", p: staff("housing"), purpose: agency.Referral,
			setup: func(r *referral.Referral) {
				r.Consents = []consent.Consent{givenTo(housingOnly, set(identityC, safeC))}
				r.Overrides = []consent.Override{overrideFor(housingOnly, set(identityC, safeC, riskC))}
			},
			shown: set(identityC, safeC, riskC),
			rules: map[category.Category]string{identityC: RuleConsent, safeC: RuleConsent, riskC: RuleOverride},
		},
		{
			name: "override never goes beyond the agreement", p: staff("housing"), purpose: agency.Referral,
			setup: func(r *referral.Referral) { r.Overrides = []consent.Override{overrideFor(housingOnly, allCats)} },
			shown: housingCats,
			rules: map[category.Category]string{healthC: RuleMinimumNecessary, childrenC: RuleMinimumNecessary},
		},
		// No-consent rules and MARAC.
		{
			name: "MARAC: no-consent rule at high risk", p: staff("housing"), purpose: agency.MARAC,
			setup:   onMARAC(risk.High),
			shown:   housingCats,
			rules:   map[category.Category]string{identityC: "marac_high_risk", needsC: "marac_high_risk", healthC: RuleMinimumNecessary},
			bases:   map[category.Category]string{identityC: safeguarding},
			reasons: map[category.Category]string{identityC: "high-risk MARAC cases may be shared without consent"},
			shares:  housingOnly,
		},
		{
			name: "MARAC: no-consent rule does not apply at medium risk", p: staff("housing"), purpose: agency.MARAC,
			setup: onMARAC(risk.Medium),
			shown: 0,
			rules: map[category.Category]string{identityC: RuleConsentRequired},
		},
		{
			name: "MARAC: unknown risk level never meets a rule", p: staff("housing"), purpose: agency.MARAC,
			setup: onMARAC(""),
			shown: 0,
		},
		{
			name: "MARAC: consent preferred to the no-consent rule", p: staff("housing"), purpose: agency.MARAC,
			setup: func(r *referral.Referral) {
				onMARAC(risk.High)(r)
				r.Consents = []consent.Consent{givenTo(housingOnly, set(identityC, safeC))}
			},
			shown: housingCats,
			rules: map[category.Category]string{identityC: RuleConsent, riskC: "marac_high_risk"},
		},
		{
			name: "MARAC member that is not a recipient sees what its MARAC terms allow, and no shares", p: staff("victim-support"), purpose: agency.MARAC,
			setup:    onMARAC(risk.High),
			shown:    set(identityC, safeC, contactC, riskC),
			noShares: true,
		},
		{
			name: "MARAC purpose when the case is not on an agenda", p: staff("housing"), purpose: agency.MARAC,
			setup: func(r *referral.Referral) { r.Risk = risk.High }, notFound: true,
		},
		{
			name: "MARAC purpose for an agency without marac terms", p: staff("health"), purpose: agency.MARAC,
			setup: onMARAC(risk.High), notFound: true,
		},
		// Agreements that need no consent.
		{
			name: "terms without consent: shown on the agreement's basis even when consent is refused", p: staff("probation"), purpose: agency.Referral,
			setup: func(r *referral.Referral) {
				r.Consents = []consent.Consent{answer("c-no", consent.Refused, date(2026, 11, 15))}
			},
			shown:   set(offenceC, riskC, suspectC),
			rules:   map[category.Category]string{offenceC: RuleAgreement, identityC: RuleMinimumNecessary},
			bases:   map[category.Category]string{suspectC: s115},
			reasons: map[category.Category]string{offenceC: reasonAgreement},
			shares:  []string{"probation"},
		},
		{
			name: "recipient whose agreement has no referral terms: everything withheld", p: staff("marac-only"), purpose: agency.Referral, setup: consentedAll,
			shown:   0,
			rules:   map[category.Category]string{identityC: RuleMinimumNecessary, childrenC: RuleMinimumNecessary},
			reasons: map[category.Category]string{childrenC: reasonNotInAgreement},
			shares:  []string{"marac-only"},
		},
		{
			name: "terms and rules that name no lawful basis release nothing", p: staff("no-basis"), purpose: agency.Referral,
			setup: func(r *referral.Referral) {
				r.Shares = append(r.Shares, referral.Share{Agency: "no-basis", Status: referral.Sent})
				r.Overrides = []consent.Override{overrideFor([]string{"no-basis"}, allCats)}
				r.Overrides[0].Basis = ""
			},
			shown:   0,
			rules:   map[category.Category]string{offenceC: RuleConsentRequired, riskC: RuleConsentRequired},
			reasons: map[category.Category]string{offenceC: reasonNoConsent + noOverride},
		},
		// Safe contact.
		{
			name: "safe contact shown with identity to a contacting agency", p: staff("housing"), purpose: agency.Referral,
			setup: func(r *referral.Referral) {
				r.Consents = []consent.Consent{givenTo(housingOnly, set(identityC, needsC))}
			},
			shown:   set(identityC, safeC, needsC),
			rules:   map[category.Category]string{safeC: RuleSafeContact, identityC: RuleConsent},
			bases:   map[category.Category]string{safeC: BasisConsent},
			refs:    map[category.Category]string{safeC: "c-given"},
			reasons: map[category.Category]string{safeC: reasonSafeContact},
		},
		{
			name: "safe contact shown with contact details alone", p: staff("housing"), purpose: agency.Referral,
			setup: func(r *referral.Referral) { r.Consents = []consent.Consent{givenTo(housingOnly, set(contactC))} },
			shown: set(safeC, contactC),
			rules: map[category.Category]string{safeC: RuleSafeContact},
		},
		{
			name: "safe contact alone does not bring identity", p: staff("housing"), purpose: agency.Referral,
			setup: func(r *referral.Referral) { r.Consents = []consent.Consent{givenTo(housingOnly, set(safeC))} },
			shown: set(safeC),
			rules: map[category.Category]string{safeC: RuleConsent, identityC: RuleConsentRequired},
		},
		{
			name: "contacting agency without safe contact in its agreement gets neither identity nor contact", p: staff("no-safe-contact"), purpose: agency.Referral, setup: consentedAll,
			shown:   set(needsC),
			rules:   map[category.Category]string{identityC: RuleSafeContact, contactC: RuleSafeContact, safeC: RuleMinimumNecessary},
			reasons: map[category.Category]string{identityC: reasonNoSafeContact, contactC: reasonNoSafeContact},
		},
		{
			name: "agency that never contacts the victim gets identity without safe contact", p: staff("probation"), purpose: agency.MARAC,
			setup: onMARAC(risk.High),
			shown: set(identityC, offenceC, riskC, suspectC),
			rules: map[category.Category]string{identityC: "probation_marac", safeC: RuleMinimumNecessary, offenceC: "probation_marac"},
			// The rule has no reason of its own: the default sentence stands in.
			reasons: map[category.Category]string{identityC: reasonRule},
		},
		// Orders.
		{
			name: "orders travel with identity to a contacting agency whose agreement lists them", p: staff("idva"), purpose: agency.Referral,
			setup:   sentToIDVA(set(identityC)),
			shown:   set(identityC, safeC, ordersC),
			rules:   map[category.Category]string{ordersC: RuleOrders, safeC: RuleSafeContact, identityC: RuleConsent},
			bases:   map[category.Category]string{ordersC: BasisConsent},
			refs:    map[category.Category]string{ordersC: "c-given"},
			reasons: map[category.Category]string{ordersC: reasonOrders},
		},
		{
			name: "a contacting agency that may not see identity does not see orders", p: staff("idva"), purpose: agency.Referral,
			setup:   sentToIDVA(set(contactC, riskC)),
			shown:   set(safeC, contactC, riskC),
			rules:   map[category.Category]string{ordersC: RuleConsentRequired, identityC: RuleConsentRequired},
			reasons: map[category.Category]string{ordersC: reasonNotThisCategory + noOverride},
		},
		{
			name: "orders shown by consent alone", p: staff("idva"), purpose: agency.Referral,
			setup: sentToIDVA(set(ordersC)),
			shown: set(ordersC),
			rules: map[category.Category]string{ordersC: RuleConsent, identityC: RuleConsentRequired},
		},
		{
			name: "orders outside the agreement stay withheld beside identity", p: staff("housing"), purpose: agency.Referral,
			setup: func(r *referral.Referral) {
				r.Consents = []consent.Consent{givenTo(housingOnly, set(identityC, ordersC))}
			},
			shown:   set(identityC, safeC),
			rules:   map[category.Category]string{ordersC: RuleMinimumNecessary, safeC: RuleSafeContact},
			reasons: map[category.Category]string{ordersC: reasonNotInAgreement},
		},
		{
			name: "withdrawn consent takes the orders with identity", p: staff("idva"), purpose: agency.Referral,
			setup: func(r *referral.Referral) {
				sentToIDVA(set(identityC))(r)
				r.Consents = append(r.Consents, answer("c-withdrawn", consent.Withdrawn, date(2026, 11, 10)))
			},
			shown: 0,
			rules: map[category.Category]string{ordersC: RuleConsentRequired, identityC: RuleConsentRequired},
		},
		// Ended shares: the agency knows the referral existed and sees its
		// own share, nothing more.
		{
			name: "declined: every category withheld at once", p: staff("housing"), purpose: agency.Referral,
			setup:   endShare("housing", referral.Declined, time.Time{}),
			shown:   0,
			rules:   map[category.Category]string{identityC: RuleShareDeclined, healthC: RuleShareDeclined},
			reasons: map[category.Category]string{identityC: reasonDeclined, needsC: reasonDeclined},
			shares:  housingOnly,
		},
		{
			name: "withdrawn by the police: every category withheld", p: staff("housing"), purpose: agency.Referral,
			setup:   endShare("housing", referral.Withdrawn, time.Time{}),
			shown:   0,
			rules:   map[category.Category]string{identityC: RuleShareWithdrawn, riskC: RuleShareWithdrawn},
			reasons: map[category.Category]string{safeC: reasonShareWithdrawn},
			shares:  housingOnly,
		},
		{
			name: "closed within access after close: what was released stays readable", p: staff("housing"), purpose: agency.Referral,
			setup: endShare("housing", referral.Closed, now.Add(-29*24*time.Hour)),
			shown: housingCats,
			rules: map[category.Category]string{identityC: RuleConsent},
		},
		{
			name: "closed, access after close just ended", p: staff("housing"), purpose: agency.Referral,
			setup:   endShare("housing", referral.Closed, now.Add(-agency.DefaultAccessAfterClose)),
			shown:   0,
			rules:   map[category.Category]string{identityC: RuleShareClosed, needsC: RuleShareClosed},
			reasons: map[category.Category]string{identityC: reasonClosed},
			shares:  housingOnly,
		},
		{
			name: "closed with no closing time: taken as ended", p: staff("housing"), purpose: agency.Referral,
			setup: endShare("housing", referral.Closed, time.Time{}),
			shown: 0,
			rules: map[category.Category]string{identityC: RuleShareClosed},
		},
		{
			name: "closed under terms with no access after close", p: staff("health"), purpose: agency.Referral,
			setup: endShare("health", referral.Closed, now.Add(-time.Minute)),
			shown: 0,
			rules: map[category.Category]string{identityC: RuleShareClosed},
		},
		{
			name: "declined referral does not end the agency's MARAC membership", p: staff("housing"), purpose: agency.MARAC,
			setup: func(r *referral.Referral) {
				onMARAC(risk.High)(r)
				r.Shares[0].Status = referral.Declined
			},
			shown: housingCats,
			rules: map[category.Category]string{identityC: "marac_high_risk"},
		},
		{
			name: "another agency's decline changes nothing for this one", p: staff("housing"), purpose: agency.Referral,
			setup: func(r *referral.Referral) {
				consentedAll(r)
				r.Shares[1].Status = referral.Declined
			},
			shown: housingCats,
		},
		// Readers outside the agencies.
		{
			name: "officer of the originating force sees the referral whole", p: person(identity.Officer), purpose: agency.Referral,
			setup: func(r *referral.Referral) {
				r.Consents = []consent.Consent{answer("c-no", consent.Refused, date(2026, 11, 15))}
			},
			shown:  allCats,
			rules:  map[category.Category]string{identityC: RuleOriginatingForce, healthC: RuleOriginatingForce},
			bases:  map[category.Category]string{childrenC: BasisLawEnforcement},
			shares: []string{"housing", "health", "probation", "no-safe-contact", "marac-only"},
		},
		{
			name: "supervisor sees the referral whole", p: person(identity.Supervisor), purpose: agency.MARAC,
			shown: allCats,
		},
		{
			name: "auditor: metadata only, not an error", p: person(identity.Auditor), purpose: agency.Referral, setup: consentedAll,
			shown:   0,
			rules:   map[category.Category]string{identityC: RuleAuditor, needsC: RuleAuditor},
			reasons: map[category.Category]string{identityC: "auditors see who saw what, not the content"},
			shares:  []string{"housing", "health", "probation", "no-safe-contact", "marac-only"},
		},
		{
			name: "MARAC coordinator: metadata of a case on the agenda", p: person(identity.MARACCoordinator), purpose: agency.MARAC,
			setup:    onMARAC(risk.High),
			shown:    0,
			rules:    map[category.Category]string{identityC: RuleCoordinator},
			noShares: true,
		},
		{name: "MARAC coordinator for the referral purpose", p: person(identity.MARACCoordinator), purpose: agency.Referral, setup: onMARAC(risk.High), notFound: true},
		{name: "MARAC coordinator, case not on an agenda", p: person(identity.MARACCoordinator), purpose: agency.MARAC, notFound: true},
		{name: "admin", p: person(identity.Admin), purpose: agency.Referral, setup: consentedAll, notFound: true},
		{name: "signed in with no role", p: person(), purpose: agency.Referral, notFound: true},
		// Not a recipient: exactly the error of a missing referral.
		{name: "agency that is not a recipient", p: staff("victim-support"), purpose: agency.Referral, setup: consentedAll, notFound: true},
		{name: "agency the hub does not know", p: staff("gym"), purpose: agency.Referral, notFound: true},
		{name: "agency staff without an agency", p: staff(""), purpose: agency.Referral, notFound: true},
		{name: "agency staff of the police", p: staff(agency.Police), purpose: agency.Referral, notFound: true},
		{name: "a share named for an agency does not help staff of another", p: staff("health"), purpose: agency.Referral, setup: func(r *referral.Referral) { r.Shares = r.Shares[:1] }, notFound: true},
		{name: "unknown purpose", p: staff("housing"), purpose: "curiosity", setup: consentedAll, notFound: true},
		{name: "an officer who is also agency staff of housing is treated as housing", p: func() identity.Principal {
			p := staff("housing")
			p.Roles = append(p.Roles, identity.Officer)
			return p
		}(), purpose: agency.Referral, setup: func(r *referral.Referral) { r.Consents = []consent.Consent{givenTo(housingOnly, set(identityC))} },
			shown: set(identityC, safeC)},
	}
	dir := directory()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseReferral()
			if tt.setup != nil {
				tt.setup(r)
			}
			at := tt.at
			if at.IsZero() {
				at = now
			}
			v, err := Release(tt.p, r, tt.purpose, dir, at)
			if tt.notFound {
				assertNotFound(t, v, err)
				return
			}
			if err != nil {
				t.Fatalf("Release: %v", err)
			}
			assertView(t, v, r, tt)
		})
	}
}

// refusedWith is a referral whose consent was refused, with one override for
// housing's victim categories, changed by change.
func refusedWith(change func(*consent.Override)) func(*referral.Referral) {
	return func(r *referral.Referral) {
		o := overrideFor(housingOnly, victim)
		change(&o)
		r.Consents = []consent.Consent{answer("c-no", consent.Refused, date(2026, 11, 15))}
		r.Overrides = []consent.Override{o}
	}
}

// endShare gives the agency's share the status (closed at the time given),
// with consent given to housing and health for everything.
func endShare(agencyID string, status referral.ShareStatus, closedAt time.Time) func(*referral.Referral) {
	return func(r *referral.Referral) {
		consentedAll(r)
		for i := range r.Shares {
			if r.Shares[i].Agency == agencyID {
				r.Shares[i].Status, r.Shares[i].ClosedAt = status, closedAt
			}
		}
	}
}

// onMARAC puts the referral on a MARAC agenda at the level, with consent refused.
func onMARAC(l risk.Level) func(*referral.Referral) {
	return func(r *referral.Referral) {
		r.OnMARAC, r.Risk = true, l
		r.Consents = []consent.Consent{answer("c-no", consent.Refused, date(2026, 11, 15))}
	}
}

// assertNotFound checks that a refusal is the very error a missing referral
// gives, and that nothing leaks in the empty view.
func assertNotFound(t *testing.T, v View, err error) {
	t.Helper()
	_, missing := Release(staff("housing"), nil, agency.Referral, directory(), now)
	if !reflect.DeepEqual(err, referral.NotFound()) || !reflect.DeepEqual(err, missing) {
		t.Fatalf("err = %#v, want exactly %#v (the error of a missing referral)", err, referral.NotFound())
	}
	if !reflect.DeepEqual(v, View{}) {
		t.Fatalf("a refused release returned a non-empty view: %+v", v)
	}
}

// assertView checks the view against the row: exactly the categories shown,
// content only for them, the rules, bases, reasons and shares.
func assertView(t *testing.T, v View, r *referral.Referral, tt releaseCase) {
	t.Helper()
	if v.ReferralID() != r.ID || v.Reference() != r.Reference || v.Purpose() != tt.purpose {
		t.Fatalf("metadata = %q %q %q", v.ReferralID(), v.Reference(), v.Purpose())
	}
	if tt.p.Has(identity.AgencyStaff) && v.Agency() != tt.p.Agency {
		t.Fatalf("agency = %q, want %q", v.Agency(), tt.p.Agency)
	}
	for _, c := range category.All() {
		d := v.Decision(c)
		got, ok := v.Content(c)
		if d.Category != c {
			t.Errorf("%s: decision names category %s", c, d.Category)
		}
		if want := tt.shown.Has(c); d.Shown != want || v.Shown(c) != want {
			t.Errorf("%s: shown = %v, want %v (rule %s: %s)", c, d.Shown, want, d.Rule, d.Reason())
		}
		if d.Shown {
			if !ok || !bytes.Equal(got, content(c)) {
				t.Errorf("%s: shown but content = %q, %v", c, got, ok)
			}
			if d.Basis == "" {
				t.Errorf("%s: shown without a lawful basis", c)
			}
		} else if ok || got != nil || v.content[c] != nil {
			t.Errorf("%s: withheld but its content is reachable", c)
		}
		if d.Rule == "" || d.Reason() == "" {
			t.Errorf("%s: rule %q, reason %q: every decision says why", c, d.Rule, d.Reason())
		}
		if strings.Contains(d.Reason(), "SECRET") {
			t.Errorf("%s: the reason quotes content: %q", c, d.Reason())
		}
		if want, ok := tt.rules[c]; ok && d.Rule != want {
			t.Errorf("%s: rule = %q, want %q", c, d.Rule, want)
		}
		if want, ok := tt.bases[c]; ok && d.Basis != want {
			t.Errorf("%s: basis = %q, want %q", c, d.Basis, want)
		}
		if want, ok := tt.reasons[c]; ok && d.Reason() != want {
			t.Errorf("%s: reason = %q, want %q", c, d.Reason(), want)
		}
		if want, ok := tt.refs[c]; ok && d.Ref != want {
			t.Errorf("%s: ref = %q, want %q", c, d.Ref, want)
		}
	}
	if tt.shares != nil || tt.noShares {
		var got []string
		for _, s := range v.Shares() {
			got = append(got, s.Agency)
		}
		if !slices.Equal(got, tt.shares) {
			t.Errorf("shares = %v, want %v", got, tt.shares)
		}
	}
}

func TestSummary(t *testing.T) {
	r := baseReferral()
	r.Consents = []consent.Consent{givenTo(housingOnly, set(identityC, needsC))}
	r.Overrides = []consent.Override{overrideFor(housingOnly, set(riskC))}
	v, err := Release(staff("housing"), r, agency.Referral, directory(), now)
	if err != nil {
		t.Fatal(err)
	}
	got := v.Summary()
	want := Summary{
		Referral: "r-1", Agency: "housing", Purpose: agency.Referral,
		Shown:    []category.Category{identityC, safeC, riskC, needsC},
		Withheld: []category.Category{contactC, offenceC, suspectC, healthC, childrenC, ordersC},
		Rules:    []string{RuleConsent, RuleSafeContact, RuleConsentRequired, RuleOverride, RuleMinimumNecessary},
		Bases:    []string{BasisConsent, safeguarding},
		Records:  []string{"c-given", "o-1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Summary =\n%+v\nwant\n%+v", got, want)
	}
}

func TestViewCannotBeChangedThroughItsAccessors(t *testing.T) {
	r := baseReferral()
	v, err := Release(person(identity.Officer), r, agency.Referral, directory(), now)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := v.Content(identityC)
	b[0] = 'X'
	v.Shares()[0].Status = referral.Closed
	if !bytes.Equal(sealed.OpenSection(r.Sections[identityC], capability.Grant()), content(identityC)) || r.Shares[0].Status != referral.Sent {
		t.Fatalf("changing what a view handed out changed the referral")
	}
}

func TestZeroViewShowsNothing(t *testing.T) {
	var v View
	for _, c := range category.All() {
		if b, ok := v.Content(c); ok || b != nil || v.Shown(c) {
			t.Fatalf("%s: the zero view shows something", c)
		}
	}
	if _, ok := v.Content(category.Category(category.Count + 3)); ok {
		t.Fatalf("a category outside the nine is shown")
	}
}

// sentToIDVA sends the referral to the IDVA service too, with consent to
// share cats with it.
func sentToIDVA(cats category.Set) func(r *referral.Referral) {
	return func(r *referral.Referral) {
		r.Shares = append(r.Shares, referral.Share{Agency: "idva", Status: referral.Viewed})
		r.Consents = []consent.Consent{givenTo([]string{"idva"}, cats)}
	}
}

package sharing

import (
	"testing"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// restricted marks the referral restricted, naming one officer by subject
// and one by e-mail address.
func restricted(r *referral.Referral) {
	consentedAll(r)
	r.Restricted, r.NamedOfficers = true, []string{"iss|named", "Named.Officer@Police.example"}
}

func officer(subject, email string) identity.Principal {
	return identity.Principal{Subject: subject, Email: email, Roles: []identity.Role{identity.Officer}}
}

// The decision table of restricted referrals: who in the force reads one
// whole, who must give a reason, and that agencies are not changed by it.
func TestReleaseRestricted(t *testing.T) {
	cases := []struct {
		name       string
		p          identity.Principal
		reason     string
		unrestrict bool
		shown      category.Set
		rule       string
		restricted bool // the view offers to break glass
		brokeGlass bool
	}{
		{name: "the raising officer", p: officer("iss|officer", ""), shown: allCats, rule: RuleOriginatingForce},
		{name: "a supervisor", p: person(identity.Supervisor), shown: allCats, rule: RuleOriginatingForce},
		{name: "an officer named by subject", p: officer("iss|named", ""), shown: allCats, rule: RuleOriginatingForce},
		{name: "an officer named by e-mail, in any case", p: officer("iss|x", "named.officer@police.example"), shown: allCats, rule: RuleOriginatingForce},
		{name: "another officer without a reason", p: officer("iss|other", "other@police.example"), shown: 0, rule: RuleRestricted, restricted: true},
		{name: "another officer with a blank reason", p: officer("iss|other", ""), reason: "  ", shown: 0, rule: RuleRestricted, restricted: true},
		{name: "another officer with a reason: break-glass", p: officer("iss|other", ""), reason: "suspect arrested on my shift; checking bail conditions", shown: allCats, rule: RuleBreakGlass, brokeGlass: true},
		{name: "the raising officer with a reason needs no glass broken", p: officer("iss|officer", ""), reason: "curious", shown: allCats, rule: RuleOriginatingForce},
		{name: "unrestricted: another officer reads it whole, force-wide", p: officer("iss|other", ""), unrestrict: true, shown: allCats, rule: RuleOriginatingForce},
		{name: "unrestricted: a reason breaks nothing", p: officer("iss|other", ""), reason: "why not", unrestrict: true, shown: allCats, rule: RuleOriginatingForce},
		{name: "agency staff: the restriction changes nothing", p: staff("housing"), reason: "a reason", shown: housingCats, rule: RuleConsent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := baseReferral()
			restricted(r)
			if c.unrestrict {
				r.Restricted = false
			}
			v, err := BreakGlass(c.p, r, agency.Referral, directory(), now, c.reason)
			if err != nil {
				t.Fatal(err)
			}
			var shown category.Set
			for _, d := range v.Decisions() {
				if d.Shown {
					shown = shown.Add(d.Category)
				}
			}
			if shown != c.shown || v.Decision(identityC).Rule != c.rule || v.Restricted() != c.restricted || v.BrokeGlass() != c.brokeGlass {
				t.Fatalf("shown %v rule %s restricted %v broke glass %v", shown.List(), v.Decision(identityC).Rule, v.Restricted(), v.BrokeGlass())
			}
			if c.reason == "" {
				// Without a reason, BreakGlass is Release.
				w, _ := Release(c.p, r, agency.Referral, directory(), now)
				if w.Decision(identityC) != v.Decision(identityC) || w.Restricted() != v.Restricted() {
					t.Fatalf("BreakGlass without a reason differs from Release")
				}
			}
			if c.restricted {
				if _, ok := v.Content(identityC); ok {
					t.Fatal("content released to an officer who gave no reason")
				}
				if s, ok := v.Text(sealed.NewText(r.ID, offenceC, agency.Police, "SECRET rationale")); ok || s != "" {
					t.Fatal("the force's own text released to an officer who gave no reason")
				}
				if v.Consents() != nil || v.Overrides() != nil {
					t.Fatal("consent history released to an officer who gave no reason")
				}
			}
			if c.brokeGlass {
				if s, ok := v.Text(sealed.NewText(r.ID, healthC, "health", "SECRET")); !ok || s != "SECRET" {
					t.Fatal("a break-glass read does not read the whole referral")
				}
			}
		})
	}
}

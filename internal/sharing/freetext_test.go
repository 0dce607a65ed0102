package sharing

import (
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// coordinatorAgreement is a MARAC coordinator's agreement as
// agencies/marac-coordinator.toml writes it: what a chair needs, at high risk
// without consent; never contact details or health.
func coordinatorAgreement() agency.Agency {
	cats := category.SetOf(identityC, safeC, offenceC, riskC, suspectC, childrenC, needsC)
	return agency.Agency{ID: "marac-coordinator", Kind: agency.KindCoordinator, Agreement: map[agency.Purpose]agency.Terms{
		agency.MARAC: {Categories: cats, Basis: "consent", ConsentRequired: true, WithoutConsent: []agency.Rule{{ID: "coordinator-chair", Categories: cats, MinRisk: risk.High, Basis: safeguarding}}},
	}}
}

// withCoordinator is the test directory with the coordinator's agreement.
func withCoordinator() *agency.Directory {
	return agency.NewDirectory(append(directory().All(), coordinatorAgreement()))
}

// The decision table of free text: each kind of free text (they are all
// sealed.Text; the kind is the writer and the category it usually holds) ×
// the category it holds × the reader's agreement and standing.
func TestReleaseFreeText(t *testing.T) {
	const other = "r-2"
	kinds := map[string]struct {
		author string
		cat    category.Category
	}{
		"health's research":           {"health", healthC},
		"housing's research":          {"housing", needsC},
		"the coordinator's case note": {"marac-coordinator", riskC},
		"an action description":       {"marac-coordinator", needsC},
		"housing's action note":       {"housing", needsC},
		"an override rationale":       {agency.Police, offenceC},
	}
	cases := []struct {
		name     string
		p        identity.Principal
		purpose  agency.Purpose
		dir      *agency.Directory
		setup    func(*referral.Referral)
		kind     string
		cat      *category.Category // the text's category when not the kind's own
		about    string             // the referral the text is about, when not the one released
		unfiled  bool               // written before free text carried a category
		released bool
	}{
		{name: "housing at MARAC does not read health research", p: staff("housing"), purpose: agency.MARAC, setup: onMARAC(risk.High), kind: "health's research", released: false},
		{name: "housing at MARAC reads health's research filed as needs", p: staff("housing"), purpose: agency.MARAC, setup: onMARAC(risk.High), kind: "health's research", cat: ptr(needsC), released: true},
		{name: "housing reads its own research", p: staff("housing"), purpose: agency.MARAC, setup: onMARAC(risk.High), kind: "housing's research", released: true},
		{name: "housing reads the case note as risk", p: staff("housing"), purpose: agency.MARAC, setup: onMARAC(risk.High), kind: "the coordinator's case note", released: true},
		{name: "housing at medium risk without consent reads no case note", p: staff("housing"), purpose: agency.MARAC, setup: onMARAC(risk.Medium), kind: "the coordinator's case note", released: false},
		{name: "housing reads its own note even when nothing else is released", p: staff("housing"), purpose: agency.MARAC, setup: onMARAC(risk.Medium), kind: "housing's action note", released: true},
		{name: "probation reads no description filed as needs", p: staff("probation"), purpose: agency.MARAC, setup: onMARAC(risk.High), kind: "an action description", released: false},
		{name: "probation reads an offence rationale under its agreement", p: staff("probation"), purpose: agency.Referral, kind: "an override rationale", released: true},
		{name: "housing reads no offence rationale outside consent", p: staff("housing"), purpose: agency.Referral, kind: "an override rationale", released: false},
		{name: "text about another referral is never released", p: staff("housing"), purpose: agency.MARAC, setup: onMARAC(risk.High), kind: "housing's research", about: other, released: false},
		{name: "the force reads text about another referral only from that referral's view", p: person(identity.Officer), purpose: agency.Referral, kind: "health's research", about: other, released: false},
		{name: "the force reads every text", p: person(identity.Officer), purpose: agency.Referral, kind: "health's research", released: true},
		{name: "unfiled text: its writer reads it", p: staff("housing"), purpose: agency.MARAC, setup: onMARAC(risk.High), kind: "housing's research", unfiled: true, released: true},
		{name: "unfiled text: no one else does", p: staff("housing"), purpose: agency.MARAC, setup: onMARAC(risk.High), kind: "health's research", unfiled: true, released: false},
		{name: "unfiled text: the force does", p: person(identity.Supervisor), purpose: agency.Referral, kind: "health's research", unfiled: true, released: true},
		{name: "coordinator under its agreement reads risk", p: person(identity.MARACCoordinator), purpose: agency.MARAC, dir: withCoordinator(), setup: onMARAC(risk.High), kind: "the coordinator's case note", released: true},
		{name: "coordinator under its agreement reads housing's research as needs", p: person(identity.MARACCoordinator), purpose: agency.MARAC, dir: withCoordinator(), setup: onMARAC(risk.High), kind: "housing's research", released: true},
		{name: "coordinator never reads health research", p: person(identity.MARACCoordinator), purpose: agency.MARAC, dir: withCoordinator(), setup: onMARAC(risk.High), kind: "health's research", released: false},
		{name: "coordinator without an agreement reads nothing", p: person(identity.MARACCoordinator), purpose: agency.MARAC, setup: onMARAC(risk.High), kind: "housing's research", released: false},
		{name: "coordinator without an agreement does not read even its own note", p: person(identity.MARACCoordinator), purpose: agency.MARAC, setup: onMARAC(risk.High), kind: "the coordinator's case note", released: false},
		{name: "auditor reads no text", p: person(identity.Auditor), purpose: agency.Referral, setup: consentedAll, kind: "housing's research", cat: ptr(identityC), released: false},
		{name: "declined: a category consent covers is withheld", p: staff("housing"), purpose: agency.Referral, setup: endShare("housing", referral.Declined, now), kind: "health's research", cat: ptr(needsC), released: false},
		{name: "declined: the agency's own text stays its own", p: staff("housing"), purpose: agency.Referral, setup: endShare("housing", referral.Declined, now), kind: "housing's action note", released: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := baseReferral()
			if c.setup != nil {
				c.setup(r)
			}
			dir := c.dir
			if dir == nil {
				dir = directory()
			}
			k := kinds[c.kind]
			cat := k.cat
			if c.cat != nil {
				cat = *c.cat
			}
			about := r.ID
			if c.about != "" {
				about = c.about
			}
			text := sealed.NewText(about, cat, k.author, "SECRET-text")
			if c.unfiled {
				text = sealed.Unclassified(about, k.author, "SECRET-text")
			}
			v, err := Release(c.p, r, c.purpose, dir, now)
			if err != nil {
				t.Fatalf("Release: %v", err)
			}
			got, ok := v.Text(text)
			if ok != c.released || ok && got != "SECRET-text" || !ok && got != "" {
				t.Fatalf("released %v %q, want %v", ok, got, c.released)
			}
			why := v.TextReason(text)
			if ok != (why == "") || strings.Contains(why, "SECRET") {
				t.Fatalf("reason %q for released %v", why, ok)
			}
		})
	}
}

func ptr(c category.Category) *category.Category { return &c }

// A zero View and a refusal release no text at all.
func TestNoViewReleasesNoText(t *testing.T) {
	text := sealed.NewText("", riskC, "", "SECRET")
	if s, ok := (View{}).Text(text); ok || s != "" {
		t.Fatalf("a zero view released text with no referral: %q", s)
	}
	v, err := Release(staff("victim-support"), baseReferral(), agency.Referral, directory(), now)
	if err == nil {
		t.Fatal("victim-support is no recipient")
	}
	if s, ok := v.Text(sealed.NewText("r-1", riskC, "victim-support", "SECRET")); ok || s != "" {
		t.Fatalf("a refused view released its reader's own text: %q", s)
	}
}

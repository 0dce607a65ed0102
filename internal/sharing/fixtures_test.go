package sharing

import (
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// The agencies of the tests, built by hand. Their agreements differ the way
// real ones do.
const (
	safeguarding = "dpa2018_sch8_safeguarding"
	s115         = "crime_and_disorder_act_s115"
)

var (
	now = time.Date(2026, 11, 21, 14, 30, 0, 0, time.UTC)

	victim  = category.SetOf(category.Identity, category.SafeContact, category.Contact)
	allCats = category.Set(1<<category.Count - 1)
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// maracRule is the high-risk MARAC rule most members have.
func maracRule(cats category.Set) agency.Rule {
	return agency.Rule{ID: "marac_high_risk", Categories: cats, MinRisk: risk.High, Basis: safeguarding, Reason: "high-risk MARAC cases may be shared without consent"}
}

func directory() *agency.Directory {
	housingCats := victim.Union(category.SetOf(category.Offence, category.Risk, category.Needs))
	return agency.NewDirectory([]agency.Agency{
		{ID: agency.Police, Name: "Police"},
		{
			ID: "housing", Name: "Housing", ContactsVictim: true,
			Agreement: map[agency.Purpose]agency.Terms{
				agency.Referral: {Categories: housingCats, Basis: "consent", ConsentRequired: true, AccessAfterClose: agency.DefaultAccessAfterClose},
				agency.MARAC:    {Categories: housingCats, Basis: safeguarding, ConsentRequired: true, WithoutConsent: []agency.Rule{maracRule(housingCats)}},
			},
		},
		{
			ID: "health", Name: "Health", ContactsVictim: true,
			Agreement: map[agency.Purpose]agency.Terms{
				agency.Referral: {Categories: victim.Union(category.SetOf(category.Health, category.Risk)), Basis: "consent", ConsentRequired: true},
			},
		},
		{
			ID: "victim-support", Name: "Victim Support", ContactsVictim: true,
			Agreement: map[agency.Purpose]agency.Terms{
				agency.Referral: {Categories: victim.Union(category.SetOf(category.Needs)), Basis: "consent", ConsentRequired: true},
				agency.MARAC:    {Categories: victim.Union(category.SetOf(category.Risk)), Basis: safeguarding, ConsentRequired: true, WithoutConsent: []agency.Rule{maracRule(victim.Union(category.SetOf(category.Risk)))}},
			},
		},
		{
			// Probation never contacts the victim on this path; its MARAC
			// terms let it know who the victim is at high risk.
			ID: "probation", Name: "Probation",
			Agreement: map[agency.Purpose]agency.Terms{
				agency.Referral: {Categories: category.SetOf(category.Offence, category.Risk, category.Suspect), Basis: s115},
				agency.MARAC:    {Categories: category.SetOf(category.Identity, category.Offence, category.Risk, category.Suspect), Basis: s115, ConsentRequired: true, WithoutConsent: []agency.Rule{{ID: "probation_marac", Categories: category.SetOf(category.Identity, category.Offence, category.Risk, category.Suspect), MinRisk: risk.High, Basis: s115}}},
			},
		},
		{
			// An IDVA service: it contacts the victim, and its agreement
			// lists the orders that protect them.
			ID: "idva", Name: "IDVA service", ContactsVictim: true,
			Agreement: map[agency.Purpose]agency.Terms{
				agency.Referral: {Categories: victim.Union(category.SetOf(category.Risk, category.Orders)), Basis: "consent", ConsentRequired: true},
			},
		},
		{
			// An agreement a loader would refuse: a contacting agency with
			// identity but no safe contact. Release must still be safe.
			ID: "no-safe-contact", Name: "Outreach", ContactsVictim: true,
			Agreement: map[agency.Purpose]agency.Terms{
				agency.Referral: {Categories: category.SetOf(category.Identity, category.Contact, category.Needs), Basis: "consent", ConsentRequired: true},
			},
		},
		{
			// Terms that name no lawful basis: a loader refuses them, and
			// Release shows nothing on them.
			ID: "no-basis", Name: "Unnamed",
			Agreement: map[agency.Purpose]agency.Terms{
				agency.Referral: {Categories: category.SetOf(category.Offence, category.Risk), WithoutConsent: []agency.Rule{{ID: "no_basis_rule", Categories: category.SetOf(category.Risk), MinRisk: risk.Standard}}},
			},
		},
		{
			// A recipient whose agreement has no referral terms.
			ID: "marac-only", Name: "Education",
			Agreement: map[agency.Purpose]agency.Terms{
				agency.MARAC: {Categories: category.SetOf(category.Children), Basis: safeguarding, ConsentRequired: true},
			},
		},
	})
}

func staff(agencyID string) identity.Principal {
	return identity.Principal{Subject: "iss|" + agencyID, Roles: []identity.Role{identity.AgencyStaff}, Agency: agencyID}
}

func person(roles ...identity.Role) identity.Principal {
	return identity.Principal{Subject: "iss|someone", Roles: roles}
}

// content is the marker each category's section carries; a reason or a
// withheld category must never contain it.
func content(c category.Category) []byte { return []byte(`{"secret":"SECRET-` + c.String() + `"}`) }

// givenTo is consent given on 1 November 2026, reviewed on 1 May 2027.
func givenTo(agencies []string, cats category.Set) consent.Consent {
	return consent.Consent{
		ID: "c-given", Decision: consent.Given, Agencies: agencies, Categories: cats, Method: consent.Verbal,
		ObtainedOn: date(2026, 11, 1), ReviewOn: date(2027, 5, 1),
		RecordedBy: "iss|officer", RecordedAt: date(2026, 11, 1).Add(11 * time.Hour),
	}
}

func answer(id string, d consent.Decision, on time.Time) consent.Consent {
	return consent.Consent{ID: id, Decision: d, ObtainedOn: on, RecordedBy: "iss|officer", RecordedAt: on.Add(12 * time.Hour)}
}

// overrideFor is an approved override for housing, decided by a supervisor.
func overrideFor(agencies []string, cats category.Set) consent.Override {
	return consent.Override{
		ID: "o-1", Basis: safeguarding, Rationale: sealed.NewText("r-1", category.Risk, agency.Police, "suspect has the new address"), Agencies: agencies, Categories: cats,
		Until: date(2026, 12, 21), RequestedBy: "iss|officer", RequestedAt: date(2026, 11, 20),
		Status: consent.OverrideApproved, DecidedBy: "iss|supervisor", DecidedAt: date(2026, 11, 20).Add(time.Hour),
	}
}

// baseReferral is a medium-risk referral sent to housing, health, probation,
// no-safe-contact and marac-only, holding every category, with no consent
// history yet.
func baseReferral() *referral.Referral {
	r := &referral.Referral{
		ID: "r-1", Reference: "SH-2026-000123", Officer: "iss|officer", Risk: risk.Medium,
		Shares: []referral.Share{
			{Agency: "housing", Status: referral.Sent, Request: "assess for sanctuary scheme"},
			{Agency: "health", Status: referral.Viewed},
			{Agency: "probation", Status: referral.Accepted},
			{Agency: "no-safe-contact", Status: referral.Sent},
			{Agency: "marac-only", Status: referral.Sent},
		},
	}
	for c := range r.Sections {
		r.Sections[c] = sealed.NewSection(content(category.Category(c)))
	}
	return r
}

package sharing

import (
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
)

// benchCase is the release the performance budget is set for: a referral
// holding all nine categories, sent to five agencies, with three consent
// records and two overrides, read by the last of the five, whose every
// category goes through consent, overrides and the no-consent rules.
func benchCase() (*referral.Referral, *agency.Directory) {
	five := []string{"housing", "health", "victim-support", "probation", "idva"}
	var as []agency.Agency
	for _, id := range five {
		as = append(as, agency.Agency{ID: id, ContactsVictim: true, Agreement: map[agency.Purpose]agency.Terms{
			agency.Referral: {Categories: allCats, Basis: "consent", ConsentRequired: true, WithoutConsent: []agency.Rule{
				{ID: "children_safeguarding", Categories: set(childrenC), MinRisk: risk.High, Basis: safeguarding},
				{ID: "suspect_s115", Categories: set(suspectC), MinRisk: risk.Medium, Basis: s115},
			}},
		}})
	}
	r := baseReferral()
	r.Risk = risk.High
	r.Shares = nil
	for _, id := range five {
		r.Shares = append(r.Shares, referral.Share{Agency: id, Status: referral.Sent})
	}
	first := givenTo(five, allCats)
	withdrawn := answer("c-w", consent.Withdrawn, date(2026, 11, 5))
	again := givenTo(five[2:], set(identityC, contactC, needsC))
	again.ID, again.RecordedAt = "c-again", date(2026, 11, 10)
	r.Consents = []consent.Consent{first, withdrawn, again}
	pending := overrideFor(five, set(healthC))
	pending.Status, pending.DecidedBy = consent.OverridePending, ""
	r.Overrides = []consent.Override{pending, overrideFor(five[3:], set(riskC, offenceC))}
	return r, agency.NewDirectory(as)
}

func BenchmarkRelease(b *testing.B) {
	r, dir := benchCase()
	p := staff("idva")
	b.ReportAllocs()
	for b.Loop() {
		v, err := Release(p, r, agency.Referral, dir, now)
		if err != nil || !v.Shown(category.Identity) {
			b.Fatal("the benchmark release must show identity")
		}
	}
}

// TestReleaseBudget keeps Release within its budget of allocations in every
// run of the tests; the time budget is checked by BenchmarkRelease.
func TestReleaseBudget(t *testing.T) {
	r, dir := benchCase()
	p := staff("idva")
	v, err := Release(p, r, agency.Referral, dir, now)
	if err != nil {
		t.Fatal(err)
	}
	// The case must exercise every route, or the budget proves little.
	want := map[category.Category]string{
		identityC: RuleConsent, safeC: RuleSafeContact, contactC: RuleConsent, offenceC: RuleOverride, riskC: RuleOverride,
		suspectC: "suspect_s115", healthC: RuleConsentRequired, childrenC: "children_safeguarding", needsC: RuleConsent,
	}
	for c, rule := range want {
		if got := v.Decision(c).Rule; got != rule {
			t.Errorf("%s: rule %q, want %q", c, got, rule)
		}
	}
	allocs := testing.AllocsPerRun(100, func() { _, _ = Release(p, r, agency.Referral, dir, now) })
	if allocs > 10 {
		t.Fatalf("Release allocates %.0f times per call, budget 10", allocs)
	}
	start := time.Now()
	const n = 1000
	for range n {
		_, _ = Release(p, r, agency.Referral, dir, now)
	}
	t.Logf("Release: %.0f allocations, %v per call", allocs, time.Since(start)/n)
}

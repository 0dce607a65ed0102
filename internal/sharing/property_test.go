package sharing

import (
	"bytes"
	"fmt"
	"math/rand/v2"
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
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// chooser picks the parts of a random scenario: *rand.Rand in the property
// test, the fuzzer's bytes in FuzzRelease.
type chooser interface{ IntN(n int) int }

// fuzzBytes reads choices from the fuzzer's input; past its end every choice is 0.
type fuzzBytes struct{ b []byte }

func (f *fuzzBytes) IntN(n int) int {
	if len(f.b) == 0 {
		return 0
	}
	v := int(f.b[0])
	f.b = f.b[1:]
	return v % n
}

// scenario is one random release: who asks, about what, under which agreements.
type scenario struct {
	p       identity.Principal
	r       *referral.Referral
	purpose agency.Purpose
	dir     *agency.Directory
	now     time.Time
	texts   []sealed.Text // free text about the referral, or another
}

var (
	randomAgencies = []string{"housing", "health", "idva", "probation", "gym", agency.Police, ""}
	randomLevels   = []risk.Level{"", risk.Standard, risk.Medium, risk.High, "extreme"}
	randomPurposes = []agency.Purpose{agency.Referral, agency.MARAC, "research"}
	randomPeople   = []string{"", "iss|officer", "iss|supervisor", "iss|other"}
	randomBases    = []string{"", "consent", safeguarding, s115}
)

func pick[T any](c chooser, from []T) T { return from[c.IntN(len(from))] }

// some returns a random subset of from.
func some[T any](c chooser, from []T) []T {
	var out []T
	for _, x := range from {
		if c.IntN(2) == 1 {
			out = append(out, x)
		}
	}
	return out
}

func randomSet(c chooser) category.Set {
	// Mostly a random set; now and then all or nothing.
	switch c.IntN(8) {
	case 0:
		return 0
	case 1:
		return allCats
	}
	return category.Set(c.IntN(1 << category.Count))
}

// randomDay is a date from, days after 21 November 2026, up to to days after
// it, or now and then no date at all.
func randomDay(c chooser, from, to int) time.Time {
	if c.IntN(10) == 0 {
		return time.Time{}
	}
	return date(2026, 11, 21).AddDate(0, 0, from+c.IntN(to-from+1))
}

func randomScenario(c chooser) scenario {
	s := scenario{now: now.Add(time.Duration(c.IntN(48)-24) * time.Hour)}
	var as []agency.Agency
	for _, id := range randomAgencies[:4] {
		a := agency.Agency{ID: id, ContactsVictim: c.IntN(2) == 1, Agreement: map[agency.Purpose]agency.Terms{}}
		for _, p := range agency.Purposes {
			if c.IntN(5) == 0 {
				continue
			}
			t := agency.Terms{Categories: randomSet(c), Basis: pick(c, randomBases), ConsentRequired: c.IntN(4) != 0, AccessAfterClose: time.Duration(c.IntN(3)) * 15 * 24 * time.Hour}
			for i := c.IntN(3); i > 0; i-- {
				// Rules may reach outside the terms: a loader refuses that,
				// but Release must be safe even so.
				t.WithoutConsent = append(t.WithoutConsent, agency.Rule{ID: "rule-" + id, Categories: randomSet(c), MinRisk: pick(c, randomLevels), Basis: pick(c, randomBases)})
			}
			a.Agreement[p] = t
		}
		as = append(as, a)
	}
	if c.IntN(2) == 1 {
		// The MARAC coordinator's agreement, sometimes.
		co := agency.Agency{ID: "marac-coordinator", Kind: agency.KindCoordinator, Agreement: map[agency.Purpose]agency.Terms{}}
		if c.IntN(4) != 0 {
			co.Agreement[agency.MARAC] = agency.Terms{Categories: randomSet(c), Basis: pick(c, randomBases), ConsentRequired: c.IntN(4) != 0,
				WithoutConsent: []agency.Rule{{ID: "chair", Categories: randomSet(c), MinRisk: pick(c, randomLevels), Basis: pick(c, randomBases)}}}
		}
		as = append(as, co)
	}
	s.dir = agency.NewDirectory(as)

	r := baseReferral()
	r.Risk = pick(c, randomLevels)
	r.OnMARAC = c.IntN(2) == 1
	r.Shares = nil
	for _, id := range some(c, randomAgencies[:5]) {
		sh := referral.Share{Agency: id, Status: pick(c, referral.ShareStatuses)}
		if sh.Status == referral.Closed {
			sh.ClosedAt = randomDay(c, -60, 0)
		}
		r.Shares = append(r.Shares, sh)
	}
	for i := c.IntN(5); i > 0; i-- {
		// Mostly consent given in the past and reviewed in the future.
		d := consent.Given
		if c.IntN(2) == 1 {
			d = pick(c, consent.Decisions)
		}
		obtained := randomDay(c, -60, 3)
		r.Consents = append(r.Consents, consent.Consent{
			ID: "c", Decision: d, Agencies: some(c, randomAgencies), Categories: randomSet(c),
			ObtainedOn: obtained, ReviewOn: randomDay(c, -10, 120), RecordedAt: obtained.Add(time.Duration(c.IntN(24)) * time.Hour),
		})
	}
	statuses := []consent.OverrideStatus{consent.OverridePending, consent.OverrideApproved, consent.OverrideRefused, "bogus"}
	for i := c.IntN(4); i > 0; i-- {
		r.Overrides = append(r.Overrides, consent.Override{
			ID: "o", Basis: pick(c, randomBases), Agencies: some(c, randomAgencies), Categories: randomSet(c),
			Until: randomDay(c, -10, 40), RequestedBy: pick(c, randomPeople), Status: pick(c, statuses), DecidedBy: pick(c, randomPeople),
		})
	}
	if c.IntN(3) == 0 {
		r.Restricted = true
		r.NamedOfficers = some(c, randomPeople)
	}
	s.r = r
	authors := append([]string{"marac-coordinator"}, randomAgencies...)
	for i := c.IntN(6); i > 0; i-- {
		about := r.ID
		if c.IntN(6) == 0 {
			about = "r-other"
		}
		if c.IntN(5) == 0 {
			s.texts = append(s.texts, sealed.Unclassified(about, pick(c, authors), "SECRET-text"))
		} else {
			s.texts = append(s.texts, sealed.NewText(about, category.Category(c.IntN(category.Count)), pick(c, authors), "SECRET-text"))
		}
	}

	s.p = identity.Principal{Subject: pick(c, randomPeople), Agency: pick(c, randomAgencies)}
	if c.IntN(3) != 0 {
		// Mostly agency staff alone: the readers the rules are about.
		s.p.Roles = []identity.Role{identity.AgencyStaff}
	} else {
		s.p.Roles = some(c, identity.Roles)
	}
	s.purpose = pick(c, randomPurposes)
	return s
}

// checkRelease states what must hold for every release, whatever the input,
// and returns the first thing that does not.
func checkRelease(s scenario) error {
	force := s.p.Police() && (s.p.Agency == "" || s.p.Agency == agency.Police)
	// A restricted referral is whole only to its officer, a supervisor and
	// the officers named on it; other officers see that it exists.
	entitled := s.p.Subject != "" && s.p.Subject == s.r.Officer || s.p.Has(identity.Supervisor) || s.p.Subject != "" && slices.Contains(s.r.NamedOfficers, s.p.Subject)
	whole := force && (!s.r.Restricted || entitled)
	a, known := s.dir.Get(s.p.Agency)
	terms, hasTerms := a.Terms(s.purpose)
	staff := s.p.Has(identity.AgencyStaff) && known && s.p.Agency != agency.Police
	recipient, ended := false, false
	for _, sh := range s.r.Shares {
		if sh.Agency == s.p.Agency {
			recipient = true
			// A share the agency declined, had withdrawn, or closed longer ago
			// than its access after close releases nothing for the referral.
			ended = sh.Status == referral.Declined || sh.Status == referral.Withdrawn ||
				sh.Status == referral.Closed && !s.now.Before(sh.ClosedAt.Add(terms.AccessAfterClose))
		}
	}
	basis := staff && (s.purpose == agency.Referral && recipient || s.purpose == agency.MARAC && s.r.OnMARAC && hasTerms)
	metadata := s.p.Has(identity.Auditor) || s.p.Has(identity.MARACCoordinator) && s.purpose == agency.MARAC && s.r.OnMARAC ||
		force && s.r.Restricted && !entitled
	reader := s.p.Agency
	if !whole && !basis && s.p.Has(identity.MARACCoordinator) && s.purpose == agency.MARAC && s.r.OnMARAC {
		// The coordinator reads under its own agreement, where there is one.
		if co, ok := s.dir.Coordinator(); ok {
			if t, ok := co.Terms(agency.MARAC); ok {
				a, terms, basis, reader, ended = co, t, true, co.ID, false
			}
		}
	}

	v, err := Release(s.p, s.r, s.purpose, s.dir, s.now)
	if err := checkTexts(s, v, whole); err != nil {
		return err
	}
	if err != nil {
		if !reflect.DeepEqual(err, referral.NotFound()) || !reflect.DeepEqual(v, View{}) {
			return fmt.Errorf("refusal is not exactly a missing referral: %#v, view %+v", err, v)
		}
		if whole || basis || metadata {
			return fmt.Errorf("refused %+v for %s, who has a basis to see the referral", s.p, s.purpose)
		}
		return nil
	}
	if !whole && !basis && !metadata {
		return fmt.Errorf("released to %+v for %s without any basis", s.p, s.purpose)
	}
	cur, hasConsent := consent.Current(s.r.Consents)
	for _, c := range category.All() {
		d := v.Decision(c)
		b, ok := v.Content(c)
		if d.Shown != ok || (ok && !bytes.Equal(b, content(c))) || (!ok && b != nil) {
			return fmt.Errorf("%s: content does not follow the decision (shown %v, content %v)", c, d.Shown, ok)
		}
		if strings.Contains(d.Reason(), "SECRET") {
			return fmt.Errorf("%s: reason quotes content", c)
		}
		if !d.Shown {
			continue
		}
		if d.Basis == "" || d.Rule == "" {
			return fmt.Errorf("%s shown with no lawful basis or rule: %+v", c, d)
		}
		if whole {
			continue
		}
		if !basis {
			return fmt.Errorf("%s shown to a reader with no agency basis: %+v", c, s.p)
		}
		if ended && s.purpose == agency.Referral {
			return fmt.Errorf("%s shown to %s whose share has ended", c, s.p.Agency)
		}
		if !terms.Categories.Has(c) {
			return fmt.Errorf("%s shown outside the agreement of %s for %s (rule %s)", c, s.p.Agency, s.purpose, d.Rule)
		}
		if !lawful(c, s, reader, terms, cur, hasConsent, v) {
			return fmt.Errorf("%s shown to %s by %s with neither consent, override, no-consent rule nor agreement basis", c, reader, d.Rule)
		}
	}
	if basis && !whole && a.ContactsVictim && (v.Shown(category.Identity) || v.Shown(category.Contact)) && !v.Shown(category.SafeContact) {
		return fmt.Errorf("%s may contact the victim and got identity or contact without safe contact", s.p.Agency)
	}
	return nil
}

// lawful reports whether something other than Release's own choice allows
// category c to go to the reader's agency.
func lawful(c category.Category, s scenario, id string, terms agency.Terms, cur consent.Consent, hasConsent bool, v View) bool {
	if !terms.ConsentRequired && terms.Basis != "" || hasConsent && cur.Covers(id, c, s.now) {
		return true
	}
	for _, o := range s.r.Overrides {
		if o.Covers(id, c, s.now) && o.Basis != "" {
			return true
		}
	}
	for _, rule := range terms.WithoutConsent {
		if rule.Categories.Has(c) && rule.MinRisk.Rank() > 0 && s.r.Risk.AtLeast(rule.MinRisk) && rule.Basis != "" {
			return true
		}
	}
	a, ok := s.dir.Get(id)
	if co, isCo := s.dir.Coordinator(); !ok && isCo && co.ID == id {
		a = co
	}
	// Safe contact travels with identity or contact details, orders with
	// identity, within the agreement.
	return c == category.SafeContact && a.ContactsVictim && (v.Shown(category.Identity) || v.Shown(category.Contact)) ||
		c == category.Orders && a.ContactsVictim && v.Shown(category.Identity)
}

// checkTexts states what must hold for every piece of free text: it is
// released only from a view of its own referral, and only to the
// originating force, where the view shows its category, or to the agency
// that wrote it. A refusal releases none.
func checkTexts(s scenario, v View, whole bool) error {
	for _, t := range s.texts {
		got, ok := v.Text(t)
		if !ok {
			if got != "" || strings.Contains(v.TextReason(t), "SECRET") {
				return fmt.Errorf("withheld text leaks: %q, reason %q", got, v.TextReason(t))
			}
			continue
		}
		cat, classified := t.Category()
		own := t.Author() != "" && t.Author() == v.Agency()
		switch {
		case got != "SECRET-text":
			return fmt.Errorf("released text is not the text: %q", got)
		case v.Restricted():
			return fmt.Errorf("text released to an officer who gave no reason to read a restricted referral")
		case t.Referral() != s.r.ID || v.ReferralID() != s.r.ID:
			return fmt.Errorf("text about %s released by a view of %s", t.Referral(), v.ReferralID())
		case !whole && !own && !(classified && v.Shown(cat)):
			return fmt.Errorf("text of %s (classified %v) by %s released to %+v, who may not see it", cat, classified, t.Author(), s.p)
		}
	}
	return nil
}

func TestReleaseProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 11))
	for i := range 20000 {
		if err := checkRelease(randomScenario(rng)); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
	}
}

func FuzzRelease(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("housing consent given"))
	f.Add(bytes.Repeat([]byte{1}, 200))
	f.Add(bytes.Repeat([]byte{0xff, 0x07, 0x31}, 120))
	rng := rand.New(rand.NewPCG(1, 2))
	for range 8 {
		b := make([]byte, 256)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := checkRelease(randomScenario(&fuzzBytes{b: b})); err != nil {
			t.Fatal(err)
		}
	})
}

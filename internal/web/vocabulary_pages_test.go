package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/vocab"
)

// formTerms are the choices a page offers for the field name, as terms:
// each radio's or checkbox's value, label and hint, in page order.
func formTerms(body, name string) vocab.List {
	re := regexp.MustCompile(`<input class="govuk-(?:radios|checkboxes)__input" id="([^"]+)" name="` + regexp.QuoteMeta(name) +
		`" type="[a-z]+" value="([^"]*)"[^>]*>\s*<label class="govuk-label govuk-(?:radios|checkboxes)__label" for="[^"]+">([^<]*)</label>` +
		`(?:\s*<div id="[^"]+-item-hint" class="govuk-hint govuk-(?:radios|checkboxes)__hint">([^<]*)</div>)?`)
	var out vocab.List
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out = append(out, vocab.Term{Code: html.UnescapeString(m[2]), Label: html.UnescapeString(m[3]), Hint: html.UnescapeString(m[4])})
	}
	return out
}

// The referral form offers each vocabulary as the registry lists it: every
// code, in order, in the registry's words with its hint, so a code or a
// word changed there is changed on the page.
func TestReferralFormChoicesAreTheRegistry(t *testing.T) {
	h := startPagesHub(t)
	start := h.do(http.MethodPost, "/referrals/new", "officer", url.Values{"victim.name": {"Wenna Vocabulary"}, "victim.safe_contact.method": {"phone"}})
	if start.status != http.StatusSeeOther || !strings.HasPrefix(start.location, "/referrals/new/d-") {
		t.Fatalf("starting a referral: %d %q", start.status, start.location)
	}
	draft := start.location[:strings.LastIndex(start.location, "/")]
	recordable := func(l vocab.List) vocab.List {
		var out vocab.List
		for _, t := range l {
			if t.Code != "withdrawn" {
				out = append(out, t)
			}
		}
		return out
	}
	for _, c := range []struct {
		step, field string
		want        vocab.List
	}{
		{"victim", "victim.safe_contact.method", vocab.ContactMethods},
		{"offence", "offence", vocab.Offences},
		{"offence", "aggravating_factors", vocab.AggravatingFactors},
		{"offence", "aggravating_factors.strand", vocab.HateCrimeStrands},
		{"risk", "risk.tool", vocab.RiskTools},
		{"risk", "risk.level", vocab.RiskLevels},
		// A referral is raised with consent given, refused or not sought:
		// it cannot be withdrawn before it is recorded.
		{"consent", "consent.decision", recordable(vocab.ConsentDecisions)},
		{"consent", "consent.categories", vocab.Categories},
		{"consent", "consent.method", vocab.ConsentMethods},
	} {
		page := h.do(http.MethodGet, draft+"/"+c.step, "officer", nil)
		if page.status != http.StatusOK {
			t.Fatalf("%s: %d", c.step, page.status)
		}
		got := formTerms(page.body, c.field)
		if len(got) != len(c.want) {
			t.Errorf("%s offers %d choices %v, the registry %d %v", c.field, len(got), got.Values(), len(c.want), c.want.Values())
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s choice %d is %+v, the registry's %+v", c.field, i, got[i], c.want[i])
			}
		}
	}
}

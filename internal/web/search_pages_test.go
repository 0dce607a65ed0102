package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/referral"
)

func init() {
	pagePeople["victim-support"] = identity.Principal{Subject: "test|vs", Name: "Vic Support", Roles: []identity.Role{identity.AgencyStaff}, Agency: "victim-support"}
}

// The search box of a list posts the term and comes back to the list with
// the term sealed in the address: the name is never in an address, the
// filters in use are kept, another person cannot open the sealed term, and
// an agency finds only what it may see by name.
func TestSearchBoxPages(t *testing.T) {
	h := startPagesHub(t)
	id := h.referral("high", 72*time.Hour)
	other := h.referral("medium", -time.Hour)

	res := h.do(http.MethodPost, "/inbox/search", "housing", url.Values{"q": {"ysolde  BRACKENRIDGE"}, "risk": {"high"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("search: %d %s", res.status, res.body)
	}
	loc, err := url.Parse(res.location)
	if err != nil || loc.Path != "/inbox" || loc.Query().Get("risk") != "high" || loc.Query().Get("search") == "" {
		t.Fatalf("search leads to %q", res.location)
	}
	if strings.Contains(strings.ToLower(res.location), "ysolde") || strings.Contains(strings.ToLower(res.location), "brackenridge") {
		t.Fatalf("the name is in the address: %s", res.location)
	}
	found := h.do(http.MethodGet, res.location, "housing", nil)
	h.expect(found, http.StatusOK, "/referrals/"+id, `value="ysolde  BRACKENRIDGE"`, "1 referral found", "Clear the search")
	if strings.Contains(found.body, "/referrals/"+other) {
		t.Error("the medium-risk referral is listed though the risk filter is kept")
	}
	// Someone else with the same address sees no search at all.
	h.expect(h.do(http.MethodGet, res.location, "health", nil), http.StatusOK)
	if strings.Contains(h.do(http.MethodGet, res.location, "health", nil).body, "ysolde") {
		t.Error("another reader opened the sealed search")
	}
	// Victim support has the referral but no consent to see who it concerns:
	// it cannot find it by the name.
	vs := h.do(http.MethodPost, "/inbox/search", "victim-support", url.Values{"q": {"Ysolde Brackenridge"}})
	if vs.status != http.StatusSeeOther {
		t.Fatalf("victim support's search: %d", vs.status)
	}
	h.expect(h.do(http.MethodGet, "/inbox", "victim-support", nil), http.StatusOK, "/referrals/"+id)
	h.expect(h.do(http.MethodGet, vs.location, "victim-support", nil), http.StatusOK, "0 referrals found")
	// An edited sealed term is no search.
	h.expect(h.do(http.MethodGet, "/inbox?search=x~AAAA", "housing", nil), http.StatusOK, "/referrals/"+id)

	// The officer's list sorts and filters by attention; home links to it.
	mine := h.do(http.MethodGet, "/referrals?attention=true", "officer", nil)
	h.expect(mine, http.StatusOK, "/referrals/"+other, "Needs attention")
	if strings.Contains(mine.body, `href="/referrals/`+id+`"`) {
		t.Error("a referral on time is listed as needing attention")
	}
	byRisk := h.do(http.MethodGet, "/referrals?sort=risk", "officer", nil).body
	if strings.Index(byRisk, "/referrals/"+id+`"`) > strings.Index(byRisk, "/referrals/"+other+`"`) {
		t.Error("sorted by risk, the high-risk referral is not first")
	}
	h.expect(h.do(http.MethodGet, "/", "officer", nil), http.StatusOK, `href="/referrals?attention=true"`)
	h.expect(h.do(http.MethodGet, "/", "housing", nil), http.StatusOK, `href="/inbox?status=new"`, `href="/inbox?overdue=true"`)
	h.expect(h.do(http.MethodGet, "/inbox?status=new", "housing", nil), http.StatusOK, "/referrals/"+id, "Status: New: not yet answered")
}

// The consent step offers only the agencies the referral goes to.
func TestConsentStepOffersTheChosenAgencies(t *testing.T) {
	h := startPagesHub(t)
	var s referral.Submission
	s.Agencies = []referral.Request{{Agency: "housing"}}
	id, err := h.db.SaveDraft(context.Background(), pagePeople["officer"], "", s)
	if err != nil {
		t.Fatal(err)
	}
	page := h.do(http.MethodGet, "/referrals/new/"+id+"/consent", "officer", nil)
	h.expect(page, http.StatusOK, `name="consent.agencies" type="checkbox" value="housing"`)
	if strings.Contains(page.body, `name="consent.agencies" type="checkbox" value="victim-support"`) {
		t.Error("the consent step offers an agency the referral does not go to")
	}
}

package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/store"
	"github.com/stalking-hub/hub/internal/store/storetest"
	"github.com/stalking-hub/hub/internal/web"
)

// The referral pages through the real router on a real database, without a
// browser: the rules a browser test would be slow to cover one by one.

var pagePeople = map[string]identity.Principal{
	"officer":    {Subject: "test|officer", Name: "PC One", Roles: []identity.Role{identity.Officer}},
	"officer2":   {Subject: "test|officer2", Name: "PC Two", Roles: []identity.Role{identity.Officer}},
	"supervisor": {Subject: "test|supervisor", Name: "Sgt Three", Roles: []identity.Role{identity.Supervisor}},
	"housing":    {Subject: "test|housing", Name: "Hal Housing", Roles: []identity.Role{identity.AgencyStaff}, Agency: "housing"},
	"health":     {Subject: "test|health", Name: "Hetty Health", Roles: []identity.Role{identity.AgencyStaff}, Agency: "health"},
}

type pagesHub struct {
	t   *testing.T
	url string
	db  *store.DB
}

func startPagesHub(t *testing.T) *pagesHub {
	t.Helper()
	db := storetest.Open(t)
	cfg := config.Defaults()
	cfg.Server.BaseURL = "http://127.0.0.1"
	dir, err := agency.Load(filepath.Join(apptest.Root(), "agencies"), cfg.Sharing.LawfulBases)
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Deps{Config: cfg, DB: db, Agencies: dir, Auth: fakeAuth{sessions: pagePeople},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &pagesHub{t: t, url: srv.URL, db: db}
}

type pageAnswer struct {
	status   int
	body     string
	location string
}

// do sends a request as the person behind token; a form gets their CSRF
// token unless it carries one. Redirects are not followed.
func (h *pagesHub) do(method, path, token string, form url.Values) pageAnswer {
	h.t.Helper()
	var body io.Reader
	if form != nil {
		if _, ok := form["csrf"]; !ok {
			form.Set("csrf", "csrf-"+token)
		}
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, h.url+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: "__Host-hub_session", Value: token})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return pageAnswer{resp.StatusCode, string(b), resp.Header.Get("Location")}
}

func (h *pagesHub) expect(a pageAnswer, status int, want ...string) {
	h.t.Helper()
	if a.status != status {
		h.t.Fatalf("status %d, want %d: %s", a.status, status, a.body)
	}
	for _, w := range want {
		if !strings.Contains(a.body, w) {
			h.t.Errorf("the page lacks %q", w)
		}
	}
}

// referral stores a referral from the officer to housing and victim
// support, with consent for housing.
func (h *pagesHub) referral(level string, due time.Duration) string {
	h.t.Helper()
	var s referral.Submission
	s.Offence, s.Summary = "stalking", "Followed to work."
	s.Risk.Level = level
	s.Victim.Name, s.Victim.SafeContact.Method, s.Victim.SafeContact.Instructions = "Ysolde Brackenridge", "text", "Text only, never call"
	s.Victim.SafeContact.OtherMethods = []string{"letter"}
	s.Agencies = []referral.Request{{Agency: "housing", Request: "Sanctuary"}, {Agency: "victim-support"}}
	now := h.db.Now()
	id, _, err := h.db.CreateReferral(context.Background(), referral.NewReferral{Submission: s, Officer: pagePeople["officer"],
		Due: map[string]time.Time{"housing": now.Add(due), "victim-support": now.Add(due)},
		Consent: consent.Consent{Decision: consent.Given, Agencies: []string{"housing"}, Categories: category.SetOf(category.Identity, category.SafeContact),
			ObtainedOn: now.AddDate(0, 0, -1), ReviewOn: now.AddDate(0, 6, 0), RecordedBy: "test|officer", RecordedAt: now}})
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

// A draft is its officer's alone; a step that does not check out saves
// nothing; a draft with gaps cannot be sent, and says where each gap is.
func TestDraftPages(t *testing.T) {
	h := startPagesHub(t)
	a := h.do(http.MethodPost, "/referrals/new", "officer", url.Values{"victim.name": {"Ysolde Brackenridge"}, "victim.safe_contact.method": {"text"}, "action": {"continue"}})
	if a.status != http.StatusSeeOther || !regexp.MustCompile(`^/referrals/new/d-[0-9a-f]+/contact$`).MatchString(a.location) {
		t.Fatalf("first step: %d %q", a.status, a.location)
	}
	draft := strings.TrimSuffix(a.location, "/contact")

	h.expect(h.do(http.MethodGet, draft+"/victim", "officer", nil), http.StatusOK, "Ysolde Brackenridge")
	for _, try := range []struct{ method, path string }{
		{http.MethodGet, draft + "/victim"}, {http.MethodGet, draft + "/check"},
		{http.MethodPost, draft + "/contact"}, {http.MethodPost, draft + "/send"}, {http.MethodPost, draft + "/delete"},
	} {
		var form url.Values
		if try.method == http.MethodPost {
			form = url.Values{}
		}
		got := h.do(try.method, try.path, "officer2", form)
		if got.status != http.StatusNotFound || strings.Contains(got.body, "Ysolde") {
			t.Errorf("another officer %s %s: %d", try.method, try.path, got.status)
		}
	}

	h.expect(h.do(http.MethodPost, draft+"/contact", "officer", url.Values{"victim.email": {"not an address"}, "victim.phone": {"0770"}}),
		http.StatusUnprocessableEntity, "Enter an e-mail address in the correct format", `value="0770"`)
	check := h.do(http.MethodGet, draft+"/check", "officer", nil)
	h.expect(check, http.StatusOK, "Ysolde Brackenridge")
	if strings.Contains(check.body, "0770") {
		t.Error("a step that did not check out was saved in part")
	}

	// A change from the check page goes back there; "come back later" goes
	// to the list, where the draft picks up at its first gap.
	if a := h.do(http.MethodPost, draft+"/contact", "officer", url.Values{"victim.phone": {"0770"}, "return": {"check"}}); a.location != draft+"/check" {
		t.Errorf("a change from the check page leads to %q", a.location)
	}
	if a := h.do(http.MethodPost, draft+"/suspect", "officer", url.Values{"suspect.name": {"Rufus Harrowgate"}, "action": {"later"}}); a.location != "/referrals" {
		t.Errorf("come back later leads to %q", a.location)
	}
	h.expect(h.do(http.MethodGet, "/referrals", "officer", nil), http.StatusOK, "Drafts not yet sent", `href="`+draft+`/offence"`)

	// Children are added one by one, checked, and removed.
	h.expect(h.do(http.MethodPost, draft+"/children", "officer", url.Values{"child.school": {"Hill Primary"}, "action": {"add"}}),
		http.StatusUnprocessableEntity, "Enter the child&#39;s name", `value="Hill Primary"`)
	if a := h.do(http.MethodPost, draft+"/children", "officer", url.Values{"child.name": {"Pip Brackenridge"}, "action": {"add"}}); a.location != draft+"/children" {
		t.Fatalf("adding a child leads to %q", a.location)
	}
	h.expect(h.do(http.MethodGet, draft+"/children", "officer", nil), http.StatusOK, "Child 1", "Pip Brackenridge", "Add another child")
	if a := h.do(http.MethodPost, draft+"/children", "officer", url.Values{"action": {"remove-0"}}); a.status != http.StatusSeeOther {
		t.Fatalf("removing a child: %d", a.status)
	}
	h.expect(h.do(http.MethodGet, draft+"/check", "officer", nil), http.StatusOK, "None added", "Rufus Harrowgate")

	send := h.do(http.MethodPost, draft+"/send", "officer", url.Values{})
	h.expect(send, http.StatusUnprocessableEntity, "The referral cannot be sent", "Choose the offence", "Choose the risk level",
		`href="`+draft+`/offence?return=check#offence"`, `href="`+draft+`/agencies?return=check#agencies"`)
	h.expect(h.do(http.MethodGet, draft+"/check", "officer", nil), http.StatusOK)
	if p, _ := h.db.Referrals(context.Background(), store.ListFilter{Now: time.Now()}); len(p.Referrals) != 0 {
		t.Fatal("a draft with gaps was sent")
	}

	if a := h.do(http.MethodPost, draft+"/delete", "officer", url.Values{}); a.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", a.status)
	}
	h.expect(h.do(http.MethodGet, draft+"/victim", "officer", nil), http.StatusNotFound)
}

// Each agency reads only what was sent to it; its answers go through the
// share's lifecycle and its version; and a form without its token is refused.
func TestReferralPageAnswers(t *testing.T) {
	h := startPagesHub(t)
	id := h.referral("medium", 72*time.Hour)
	path := "/referrals/" + id

	h.expect(h.do(http.MethodGet, path, "health", nil), http.StatusNotFound, "Page not found")
	if got := h.do(http.MethodPost, path+"/messages", "health", url.Values{"body": {"hello"}}); got.status != http.StatusNotFound {
		t.Errorf("a message from an agency the referral was not sent to: %d", got.status)
	}

	page := h.do(http.MethodGet, path, "housing", nil)
	h.expect(page, http.StatusOK, "Safe contact", "Text only, never call", "Other ways</dt>", "Letter</dd>", "Ysolde Brackenridge", "Withheld")
	if i, j := strings.Index(page.body, "Text only, never call"), strings.Index(page.body, "Ysolde Brackenridge"); i > j {
		t.Error("safe contact does not come before the victim's details")
	}
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page.body)
	if version == nil || version[1] != "2" {
		t.Fatalf("the status form carries version %v, want 2 (sent, then viewed)", version)
	}

	h.expect(h.do(http.MethodPost, path+"/status", "housing", url.Values{"status": {"accepted"}, "version": {"1"}}),
		http.StatusPreconditionFailed, "This referral changed since you opened it")
	h.expect(h.do(http.MethodPost, path+"/status", "housing", url.Values{"status": {"declined"}, "version": {"2"}}),
		http.StatusUnprocessableEntity, "Say why your agency is declining the referral")
	h.expect(h.do(http.MethodPost, path+"/status", "housing", url.Values{"version": {"2"}}),
		http.StatusUnprocessableEntity, "Choose your agency&#39;s answer")
	if got := h.do(http.MethodPost, path+"/status", "housing", url.Values{"status": {"accepted"}, "version": {"2"}, "csrf": {"forged"}}); got.status != http.StatusForbidden {
		t.Errorf("a form without its token: %d", got.status)
	}
	if got := h.do(http.MethodPost, path+"/status", "housing", url.Values{"status": {"accepted"}, "version": {"2"}}); got.status != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", got.status, got.body)
	}
	h.expect(h.do(http.MethodPost, path+"/status", "housing", url.Values{"status": {"accepted"}, "version": {"3"}}),
		http.StatusConflict, "A referral that is accepted cannot become accepted.")

	h.expect(h.do(http.MethodPost, path+"/messages", "housing", url.Values{"body": {"  "}}), http.StatusUnprocessableEntity, "Enter a message")
	h.expect(h.do(http.MethodPost, path+"/messages", "officer", url.Values{"body": {"Hello"}}), http.StatusUnprocessableEntity, "Choose the agency to send the message to")
	if got := h.do(http.MethodPost, path+"/messages", "officer", url.Values{"body": {"For victim support only"}, "agency": {"victim-support"}}); got.status != http.StatusSeeOther {
		t.Fatalf("officer's message: %d", got.status)
	}
	if strings.Contains(h.do(http.MethodGet, path, "housing", nil).body, "For victim support only") {
		t.Error("housing reads victim support's thread")
	}
	h.expect(h.do(http.MethodGet, path, "officer", nil), http.StatusOK, "For victim support only", "With Northshire Victim Support")

	// A message is free text of a category: one the officer files as
	// health stays with the police, whatever thread it is in.
	h.expect(h.do(http.MethodPost, path+"/messages", "officer", url.Values{"body": {"x"}, "agency": {"housing"}, "category": {"gossip"}}),
		http.StatusUnprocessableEntity, "Choose the kind of information the message holds")
	if got := h.do(http.MethodPost, path+"/messages", "officer", url.Values{"body": {"Her GP says she is on sertraline"}, "agency": {"housing"}, "category": {"health"}}); got.status != http.StatusSeeOther {
		t.Fatalf("officer's health message: %d", got.status)
	}
	housing := h.do(http.MethodGet, path, "housing", nil)
	if strings.Contains(housing.body, "sertraline") || !strings.Contains(housing.body, "Withheld: not in your agency") {
		t.Errorf("housing reads a message filed as health")
	}
	h.expect(h.do(http.MethodGet, path, "officer", nil), http.StatusOK, "Her GP says she is on sertraline")
}

// Lists: an agency's inbox holds its own shares with the overdue ones
// marked; the police lists mark a referral that needs attention; the home
// pages count them.
func TestListsAndCounts(t *testing.T) {
	h := startPagesHub(t)
	late := h.referral("high", -time.Hour)
	h.db.Now = func() time.Time { return time.Now().Add(-time.Minute) }
	onTime := h.referral("standard", 72*time.Hour)

	inbox := h.do(http.MethodGet, "/inbox", "housing", nil)
	h.expect(inbox, http.StatusOK, "/referrals/"+late, "/referrals/"+onTime, "Overdue")
	if strings.Index(inbox.body, "/referrals/"+late) > strings.Index(inbox.body, "/referrals/"+onTime) {
		t.Error("the high-risk referral is not first")
	}
	overdue := h.do(http.MethodGet, "/inbox?overdue=true", "housing", nil)
	h.expect(overdue, http.StatusOK, "/referrals/"+late, "Only overdue", "Clear filters")
	if strings.Contains(overdue.body, "/referrals/"+onTime) {
		t.Error("the overdue filter lets a referral in time through")
	}
	if strings.Contains(inbox.body, "Ysolde") {
		t.Error("the inbox shows personal data")
	}
	h.expect(h.do(http.MethodGet, "/inbox", "health", nil), http.StatusOK, "No referrals have been sent to your agency")
	h.expect(h.do(http.MethodGet, "/", "housing", nil), http.StatusOK, "2 new, 0 open, 1 overdue")

	mine := h.do(http.MethodGet, "/referrals", "officer", nil)
	h.expect(mine, http.StatusOK, "My referrals", "Needs attention", "/referrals/"+late, "/referrals/"+onTime)
	h.expect(h.do(http.MethodGet, "/referrals", "officer2", nil), http.StatusOK, "No referrals have been sent yet")
	h.expect(h.do(http.MethodGet, "/referrals", "supervisor", nil), http.StatusOK, "Team referrals", "/referrals/"+late, "PC One")
	h.expect(h.do(http.MethodGet, "/", "officer", nil), http.StatusOK, "1 needs attention", `href="/referrals/new"`)
	if got := h.do(http.MethodGet, "/inbox", "officer", nil); got.status != http.StatusForbidden {
		t.Errorf("an officer opens an inbox: %d", got.status)
	}
}

// The inbox comes a page at a time, each page leading to the next with the
// filters kept, and the last back to the first.
func TestInboxPaging(t *testing.T) {
	h := startPagesHub(t)
	for range 51 {
		h.referral("medium", 72*time.Hour)
	}
	first := h.do(http.MethodGet, "/inbox?risk=medium", "housing", nil)
	h.expect(first, http.StatusOK, "Next page")
	if n := strings.Count(first.body, `href="/referrals/r-`); n != 50 {
		t.Fatalf("the first page lists %d referrals, want 50", n)
	}
	next := regexp.MustCompile(`href="(/inbox\?[^"]*cursor=[^"]+)" rel="next"`).FindStringSubmatch(first.body)
	if next == nil || !strings.Contains(next[1], "risk=medium") {
		t.Fatalf("no next page keeping the filter: %v", next)
	}
	second := h.do(http.MethodGet, strings.ReplaceAll(next[1], "&amp;", "&"), "housing", nil)
	h.expect(second, http.StatusOK, "First page", `href="/inbox?risk=medium"`)
	if n := strings.Count(second.body, `href="/referrals/r-`); n != 1 || strings.Contains(second.body, "Next page") {
		t.Fatalf("the second page lists %d referrals", n)
	}
}

// The form asks for several hate-crime strands and other safe-contact
// methods as checkboxes: a wrong answer re-renders the step with an error
// summary and saves nothing of it; a right one is kept and shown again.
func TestSeveralStrandsAndMethodsOnTheForm(t *testing.T) {
	h := startPagesHub(t)
	h.expect(h.do(http.MethodPost, "/referrals/new", "officer", url.Values{"victim.name": {"Ysolde Brackenridge"},
		"victim.safe_contact.method": {"text"}, "victim.safe_contact.other_methods": {"letter", "text"}, "action": {"continue"}}),
		http.StatusUnprocessableEntity, "govuk-error-summary", "Other safe contact methods cannot repeat the first method",
		`href="#victim-safe_contact-other_methods"`)
	a := h.do(http.MethodPost, "/referrals/new", "officer", url.Values{"victim.name": {"Ysolde Brackenridge"},
		"victim.safe_contact.method": {"text"}, "victim.safe_contact.other_methods": {"letter", "in_person"}, "action": {"continue"}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("victim step: %d %s", a.status, a.body)
	}
	draft := strings.TrimSuffix(a.location, "/contact")
	victim := h.do(http.MethodGet, draft+"/victim", "officer", nil)
	for _, m := range []string{"letter", "in_person"} {
		if !strings.Contains(victim.body, `name="victim.safe_contact.other_methods" type="checkbox" value="`+m+`" checked`) {
			t.Errorf("other method %s is not ticked again", m)
		}
	}

	h.expect(h.do(http.MethodPost, draft+"/offence", "officer", url.Values{"offence": {"stalking"}, "summary": {"Followed."},
		"aggravating_factors": {"hate_crime"}}),
		http.StatusUnprocessableEntity, "govuk-error-summary", "Choose the strand of the hate crime")
	if a := h.do(http.MethodPost, draft+"/offence", "officer", url.Values{"offence": {"stalking"}, "summary": {"Followed."},
		"aggravating_factors": {"hate_crime"}, "aggravating_factors.strand": {"race", "disability"}}); a.status != http.StatusSeeOther {
		t.Fatalf("offence step: %d %s", a.status, a.body)
	}
	offence := h.do(http.MethodGet, draft+"/offence", "officer", nil)
	for _, s := range []string{"race", "disability"} {
		if !strings.Contains(offence.body, `name="aggravating_factors.strand" type="checkbox" value="`+s+`" checked`) {
			t.Errorf("strand %s is not ticked again", s)
		}
	}
	h.expect(h.do(http.MethodGet, draft+"/check", "officer", nil), http.StatusOK, "Hate crime strands</dt>", "Race<br>Disability",
		"Other ways agencies may contact the victim safely (optional)</dt>", "Letter<br>In person")
}

package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/browsertest"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/store/storetest"
	"github.com/stalking-hub/hub/internal/web"
)

func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }

// The people the browser tests sign in as, by session cookie token.
var (
	officer = identity.Principal{Subject: "test|officer", Name: "Olive Officer", Email: "olive.officer@police.example", Roles: []identity.Role{identity.Officer}}
	housing = identity.Principal{Subject: "test|housing", Name: "Harriet Housing", Email: "harriet@housing.example", Roles: []identity.Role{identity.AgencyStaff}, Agency: "northtown-housing"}
	admin   = identity.Principal{Subject: "test|admin", Name: "Ada Admin", Email: "ada.admin@hub.example", Roles: []identity.Role{identity.Admin}}
	nobody  = identity.Principal{Subject: "test|nobody", Name: "Noel Nobody", Email: "noel@council.example"}
)

// fakeAuth stands in for OIDC sign-in: a cookie token names a fixed person.
// The real sign-in has its own tests; these are about the pages.
type fakeAuth struct{ sessions map[string]identity.Principal }

func (a fakeAuth) BeginSignin(context.Context, string, bool, string) (string, error) {
	return "/signed-out", nil
}

func (a fakeAuth) FinishSignin(context.Context, string, string, string) (string, identity.Session, string, error) {
	return "", identity.Session{}, "", problem.New(problem.NotFound, "no sign-in in tests")
}

func (a fakeAuth) Session(_ context.Context, token string) (identity.Session, error) {
	p, ok := a.sessions[token]
	if !ok {
		return identity.Session{}, problem.New(problem.Unauthorized, "sign in to continue")
	}
	return identity.Session{Principal: p, CSRF: "csrf-" + token}, nil
}

func (a fakeAuth) Signout(context.Context, string) (string, error) { return "", nil }

func (a fakeAuth) EndSessions(context.Context, identity.SessionsOf, identity.Principal) (int, error) {
	return 0, nil
}

func (a fakeAuth) Bearer(context.Context, string) (identity.Principal, error) {
	return identity.Principal{}, problem.New(problem.Unauthorized, "no bearer tokens in tests")
}

// hub is the real server on a real database, listening on loopback.
type hub struct {
	url string
	b   *browsertest.Browser
}

func startHub(t *testing.T) *hub {
	t.Helper()
	b := browsertest.Start(t)
	db := storetest.Open(t)
	cfg := config.Defaults()
	cfg.Server.BaseURL = "http://127.0.0.1"
	s, err := web.New(web.Deps{
		Config: cfg,
		DB:     db,
		Agencies: agency.NewDirectory([]agency.Agency{
			{ID: "northtown-housing", Name: "Northtown Housing", Kind: "housing"},
			{ID: "victim-support", Name: "Victim Support Northtown", Kind: "victim_support", ContactsVictim: true},
		}),
		Auth: fakeAuth{sessions: map[string]identity.Principal{"officer": officer, "housing": housing, "admin": admin, "nobody": nobody}},
		Log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	h := &hub{url: srv.URL, b: b}
	h.needAssets(t)
	return h
}

// needAssets checks that the vendor stylesheet was built into the binary:
// without `npm run build:assets` the pages are unstyled and these tests
// would judge the wrong thing.
func (h *hub) needAssets(t *testing.T) {
	t.Helper()
	resp, err := http.Get(h.url + "/signed-out")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	built := strings.Contains(string(body), "/vendor/hub-frontend.css") && !strings.Contains(string(body), "/assets//vendor/")
	browsertest.Need(t, built, "the front-end assets are not built (npm ci && npm run build:assets)")
}

// tab opens a tab signed in as the person behind token, or signed out.
func (h *hub) tab(t *testing.T, token string) context.Context {
	t.Helper()
	ctx := h.b.NewTab(t, 60*time.Second)
	if token != "" {
		c := &http.Cookie{Name: "__Host-hub_session", Value: token, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}
		if err := browsertest.SetCookie(ctx, h.url, c); err != nil {
			t.Fatalf("setting the session cookie: %v", err)
		}
	}
	return ctx
}

// visit loads a page and checks its status.
func visit(t *testing.T, ctx context.Context, url string, want int) {
	t.Helper()
	status, err := browsertest.Visit(ctx, url)
	if err != nil {
		t.Fatalf("visit %s: %v", url, err)
	}
	if status != want {
		t.Fatalf("visit %s: status %d, want %d", url, status, want)
	}
}

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("reading %s: %v", css, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

func contains(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s: %q does not contain %q", what, got, w)
		}
	}
}

// checkPage holds for every page: one h1, styles applied under the strict
// CSP, the scripts started, a clean console and no serious axe violation.
func checkPage(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if n := eval[int](t, ctx, `document.querySelectorAll("h1").length`); n != 1 {
		t.Errorf("%s: %d h1 elements, want 1", name, n)
	}
	font := eval[string](t, ctx, `getComputedStyle(document.querySelector("h1")).fontFamily`)
	if !strings.HasPrefix(font, "system-ui") {
		t.Errorf("%s: the heading's font is %q: the stylesheet did not apply", name, font)
	}
	if strings.Contains(font, "GDS Transport") {
		t.Errorf("%s: the page uses GDS Transport", name)
	}
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("body.govuk-frontend-supported"))); err != nil {
		t.Errorf("%s: GOV.UK Frontend did not start: %v; console: %v", name, err, browsertest.Console(ctx))
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("[style]").length`); n != 0 {
		t.Errorf("%s: %d elements with a style attribute, which the CSP refuses", name, n)
	}
	browsertest.AssertCleanConsole(t, ctx, name)
	browsertest.AssertNoSeriousViolations(t, ctx, name)
}

func TestBrowserOfficerHome(t *testing.T) {
	h := startHub(t)
	ctx := h.tab(t, "officer")
	visit(t, ctx, h.url+"/", http.StatusOK)

	if got := eval[string](t, ctx, `document.title`); got != "Home – The hub" {
		t.Errorf("title %q", got)
	}
	contains(t, "header", text(t, ctx, "header"), "The hub", "Olive Officer", "Home", "Sign out")
	contains(t, "phase banner", text(t, ctx, ".govuk-phase-banner"), "This is a restricted system. Every view of a record is recorded.")
	contains(t, "main", text(t, ctx, "main"), "Hello, Olive Officer", "Police officer")
	if got := text(t, ctx, `.govuk-service-navigation__list [aria-current="page"]`); got != "Home" {
		t.Errorf("current navigation item %q, want Home", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('a[href="/admin/memberships"]').length`); n != 0 {
		t.Errorf("an officer is offered the memberships page")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('form[action="/signout"][method="post"] input[name="csrf"][value="csrf-officer"]').length`); n != 1 {
		t.Errorf("the sign-out form does not carry the session's CSRF token")
	}
	for _, sel := range []string{"header", "main#main-content", "footer", `a.govuk-skip-link[href="#main-content"]`} {
		if n := eval[int](t, ctx, `document.querySelectorAll('`+sel+`').length`); n != 1 {
			t.Errorf("%d %s, want 1", n, sel)
		}
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('svg, img').length`); n != 0 {
		t.Errorf("%d images or SVGs on the page; the hub shows no crown or logo", n)
	}
	checkPage(t, ctx, "officer home")
	browsertest.Screenshot(t, ctx, "")

	// Sign out: the POST form with its CSRF token ends the session.
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(".hub-account__signout-button")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(resp.URL, "/signed-out") || resp.Status != http.StatusOK {
		t.Errorf("sign out led to %s (%d)", resp.URL, resp.Status)
	}
	cookies, err := browsertest.Cookies(ctx, h.url)
	if err != nil {
		t.Fatal(err)
	}
	if len(cookies) != 0 {
		t.Errorf("the session cookie outlived sign-out: %v", cookies)
	}
}

func TestBrowserAgencyStaffHome(t *testing.T) {
	h := startHub(t)
	ctx := h.tab(t, "housing")
	visit(t, ctx, h.url+"/", http.StatusOK)
	contains(t, "main", text(t, ctx, "main"), "Northtown Housing", "Hello, Harriet Housing", "Partner agency")
	contains(t, "header", text(t, ctx, "header"), "Harriet Housing")
	checkPage(t, ctx, "agency staff home")
}

func TestBrowserMemberships(t *testing.T) {
	h := startHub(t)
	ctx := h.tab(t, "admin")
	visit(t, ctx, h.url+"/", http.StatusOK)
	contains(t, "main", text(t, ctx, "main"), "Administration", "Memberships")

	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`.govuk-service-navigation a[href="/admin/memberships"]`)))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("following the navigation to memberships: %v %v", resp, err)
	}
	contains(t, "table", text(t, ctx, "table"), "No one has been given a role in the hub yet.")
	checkPage(t, ctx, "memberships")

	// Submitted empty: the error summary lists the fields in page order.
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/admin/memberships"] button[type="submit"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusUnprocessableEntity {
		t.Errorf("empty form: status %d, want 422", resp.Status)
	}
	if got := eval[string](t, ctx, `document.title`); got != "Error: Memberships – The hub" {
		t.Errorf("title %q", got)
	}
	summary := text(t, ctx, ".govuk-error-summary")
	contains(t, "error summary", summary, "There is a problem", "Enter an e-mail address", "Choose a role")
	if strings.Index(summary, "Enter an e-mail address") > strings.Index(summary, "Choose a role") {
		t.Errorf("error summary out of page order: %q", summary)
	}
	if got := eval[string](t, ctx, `document.querySelector('.govuk-error-summary a').getAttribute("href")`); got != "#email" {
		t.Errorf("the first error links to %q, want #email", got)
	}
	contains(t, "email error", text(t, ctx, "#email-error"), "Error: Enter an e-mail address")
	if got := eval[string](t, ctx, `document.getElementById("email").getAttribute("aria-describedby")`); got != "email-hint email-error" {
		t.Errorf("email aria-describedby %q", got)
	}
	if !eval[bool](t, ctx, `document.activeElement.classList.contains("govuk-error-summary")`) {
		t.Errorf("the error summary did not take focus")
	}
	checkPage(t, ctx, "memberships with errors")
	browsertest.Screenshot(t, ctx, "")

	// Filled in: post, redirect, get; the new membership is listed.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("email"), "new.worker@housing.example"),
		chromedp.SetValue(chromedp.ID("role"), "agency_staff"),
		chromedp.SetValue(chromedp.ID("agency"), "northtown-housing"),
	); err != nil {
		t.Fatal(err)
	}
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/admin/memberships"] button[type="submit"]`)))
	if err != nil || resp.Status != http.StatusOK || !strings.HasSuffix(resp.URL, "/admin/memberships?done=granted") {
		t.Fatalf("granting: %v %v", resp, err)
	}
	contains(t, "success banner", text(t, ctx, ".govuk-notification-banner--success"), "The role is given")
	contains(t, "table", text(t, ctx, "table"), "new.worker@housing.example", "Partner agency staff", "Northtown Housing", "Revoke")
	if n := eval[int](t, ctx, `document.querySelectorAll(".govuk-error-summary").length`); n != 0 {
		t.Errorf("an error summary after a good grant")
	}
	checkPage(t, ctx, "memberships with a member")

	// A privileged role waits for a second administrator; the one who asked
	// sees it waiting, with no button to approve it.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("email"), "new.auditor@hub.example"),
		chromedp.SetValue(chromedp.ID("role"), "auditor"),
		chromedp.SetValue(chromedp.ID("agency"), ""),
	); err != nil {
		t.Fatal(err)
	}
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/admin/memberships"] button[type="submit"]`)))
	if err != nil || resp.Status != http.StatusOK || !strings.HasSuffix(resp.URL, "/admin/memberships?done=requested") {
		t.Fatalf("asking for a privileged role: %v %v", resp, err)
	}
	contains(t, "success banner", text(t, ctx, ".govuk-notification-banner--success"), "waiting for a second administrator")
	contains(t, "main", text(t, ctx, "main"), "Waiting for a second administrator", "new.auditor@hub.example", "Another administrator decides")
	if n := eval[int](t, ctx, `document.querySelectorAll('form[action^="/admin/memberships/requests/"]').length`); n != 0 {
		t.Errorf("the admin who asked is offered %d approval forms", n)
	}
	checkPage(t, ctx, "memberships with a request waiting")

	// Ending someone's sessions: a bad address re-renders with the error
	// linked to its field; a good one says how many ended.
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/admin/sessions/end"] button[type="submit"]`)))
	if err != nil || resp.Status != http.StatusUnprocessableEntity {
		t.Fatalf("ending the sessions of no one: %v %v, want 422", resp, err)
	}
	if got := eval[string](t, ctx, `document.querySelector('.govuk-error-summary a').getAttribute("href")`); got != "#end-email" {
		t.Errorf("the error links to %q, want #end-email", got)
	}
	checkPage(t, ctx, "memberships with an end-sessions error")
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("end-email"), "new.worker@housing.example")); err != nil {
		t.Fatal(err)
	}
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/admin/sessions/end"] button[type="submit"]`)))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("ending sessions: %v %v", resp, err)
	}
	contains(t, "banner", text(t, ctx, ".govuk-notification-banner"), "Sessions ended: 0")
	checkPage(t, ctx, "memberships after ending sessions")
}

// The memberships form needs no JavaScript: validation is the server's.
func TestBrowserMembershipsWithoutJavaScript(t *testing.T) {
	h := startHub(t)
	ctx := h.tab(t, "admin")
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	visit(t, ctx, h.url+"/admin/memberships", http.StatusOK)
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/admin/memberships"] button[type="submit"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusUnprocessableEntity {
		t.Errorf("empty form without JavaScript: status %d, want 422", resp.Status)
	}
	contains(t, "error summary", text(t, ctx, ".govuk-error-summary"), "Enter an e-mail address", "Choose a role")
}

func TestBrowserNoRole(t *testing.T) {
	h := startHub(t)
	ctx := h.tab(t, "nobody")
	visit(t, ctx, h.url+"/", http.StatusOK)
	contains(t, "main", text(t, ctx, "main"), "You do not have access yet", "noel@council.example", "What to do next")
	contains(t, "header", text(t, ctx, "header"), "Noel Nobody", "Sign out")
	checkPage(t, ctx, "no role")
}

func TestBrowserErrorPages(t *testing.T) {
	h := startHub(t)
	ctx := h.tab(t, "officer")
	visit(t, ctx, h.url+"/no-such-page", http.StatusNotFound)
	if got := text(t, ctx, "h1"); got != "Page not found" {
		t.Errorf("h1 %q", got)
	}
	contains(t, "main", text(t, ctx, "main"), "If you ask for help, quote reference")
	if got := eval[string](t, ctx, `document.title`); got != "Page not found – The hub" {
		t.Errorf("title %q", got)
	}
	checkPage(t, ctx, "not found")

	visit(t, ctx, h.url+"/admin/memberships", http.StatusForbidden)
	if got := text(t, ctx, "h1"); got != "You do not have access to this page" {
		t.Errorf("h1 %q", got)
	}
	contains(t, "main", text(t, ctx, "main"), "Your role does not give access to this.")
	checkPage(t, ctx, "forbidden")
}

func TestBrowserSignedOut(t *testing.T) {
	h := startHub(t)
	ctx := h.tab(t, "")
	visit(t, ctx, h.url+"/signed-out", http.StatusOK)
	contains(t, "main", text(t, ctx, "main"), "You have signed out", "Sign in again")
	if n := eval[int](t, ctx, `document.querySelectorAll('form[action="/signout"], .govuk-service-navigation__list').length`); n != 0 {
		t.Errorf("a signed-out page shows the signed-in navigation")
	}
	checkPage(t, ctx, "signed out")
}

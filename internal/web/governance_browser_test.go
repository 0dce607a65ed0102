package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/browsertest"
	"github.com/stalking-hub/hub/internal/identity"
)

// submit presses a form's button and checks where the browser ends up.
func press(t *testing.T, ctx context.Context, button string, wantStatus int, wantSuffix string) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		t.Fatalf("pressing %s: %v", button, err)
	}
	if resp.Status != int64(wantStatus) || !strings.HasSuffix(resp.URL, wantSuffix) {
		t.Fatalf("pressing %s led to %s (%d), want …%s (%d)", button, resp.URL, resp.Status, wantSuffix, wantStatus)
	}
}

func typeDate(t *testing.T, ctx context.Context, id string, d time.Time) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID(id+"-day"), d.Format("2")),
		chromedp.SendKeys(chromedp.ID(id+"-month"), d.Format("1")),
		chromedp.SendKeys(chromedp.ID(id+"-year"), d.Format("2006")),
	); err != nil {
		t.Fatalf("typing the date %s: %v", id, err)
	}
}

// An officer withdraws consent and asks to share without it; a supervisor,
// whose sign-in is too old, signs in again through the provider and
// approves; an auditor sees who read the referral, and on what basis.
func TestBrowserConsentOverrideAndAudit(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	today := time.Now().UTC()

	// The officer withdraws consent on the consent page.
	officerTab := b.NewTab(t, 90*time.Second)
	if err := h.SignIn(officerTab, "officer", "/referrals/"+r.ID+"/consent"); err != nil {
		t.Fatal(err)
	}
	contains(t, "consent page", text(t, officerTab, "main"), r.Reference, "Consent history", "Consent given", "A withdrawal applies to every read after it")
	checkPage(t, officerTab, "consent page")
	press(t, officerTab, `form[action$="/consent"] button[type="submit"]`, http.StatusUnprocessableEntity, "/consent")
	contains(t, "error summary", text(t, officerTab, ".govuk-error-summary"), "Choose whether consent was given")
	checkPage(t, officerTab, "consent page with errors")
	if err := chromedp.Do(officerTab, chromedp.Click(chromedp.ID("decision-withdrawn"))); err != nil {
		t.Fatal(err)
	}
	typeDate(t, officerTab, "obtained_on", today)
	press(t, officerTab, `form[action$="/consent"] button[type="submit"]`, http.StatusOK, "/referrals/"+r.ID+"/consent?done=consent")
	contains(t, "success banner", text(t, officerTab, ".govuk-notification-banner--success"), "The consent decision is recorded.")
	history := text(t, officerTab, "table")
	if !strings.HasPrefix(strings.TrimPrefix(history, "Consent history "), "Decision What it covers How and when Recorded Consent withdrawn Current") {
		t.Errorf("the withdrawal is not the current decision: %q", history)
	}
	if shown := housingSees(t, h, r.ID); len(shown) != 0 {
		t.Fatalf("after the withdrawal housing sees %v", shown)
	}

	// ...and asks a supervisor to share without consent.
	press(t, officerTab, `a[href$="/overrides/new"]`, http.StatusOK, "/overrides/new")
	checkPage(t, officerTab, "ask to share without consent")
	if err := chromedp.Do(officerTab,
		chromedp.Click(chromedp.ID("basis")),
		chromedp.SendKeys(chromedp.ID("rationale"), "Risk of harm at home; housing must secure the property now."),
		chromedp.Click(chromedp.ID("agencies")),
		chromedp.Click(chromedp.ID("categories")),
		chromedp.Click(chromedp.ID("categories-safe_contact")),
	); err != nil {
		t.Fatal(err)
	}
	typeDate(t, officerTab, "until", today.AddDate(0, 1, 0))
	press(t, officerTab, `form[action$="/overrides"] button[type="submit"]`, http.StatusOK, "/consent?done=request")
	contains(t, "success banner", text(t, officerTab, ".govuk-notification-banner--success"), "sent to a supervisor to decide")
	contains(t, "requests", text(t, officerTab, "main"), "Waiting for a supervisor", "Data Protection Act 2018, Schedule 8")

	// A supervisor whose sign-in is an hour old opens the pending requests.
	stale := sessionOf(h, "supervisor", identity.Supervisor)
	stale.AuthTime = time.Now().Add(-time.Hour).Unix()
	token, _ := pageSession(t, h, stale)
	supTab := b.NewTab(t, 90*time.Second)
	if err := browsertest.SetCookie(supTab, h.URL, &http.Cookie{Name: "__Host-hub_session", Value: token, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}); err != nil {
		t.Fatal(err)
	}
	visit(t, supTab, h.URL+"/overrides", http.StatusOK)
	contains(t, "pending requests", text(t, supTab, "main"), r.Reference, "Identity, Safe contact")
	checkPage(t, supTab, "pending requests")
	press(t, supTab, `a[href^="/overrides/o-"]`, http.StatusOK, "")
	contains(t, "stale request page", text(t, supTab, "main"), "Sign in again to decide")
	checkPage(t, supTab, "request, sign in again")
	loc, _ := chromedp.Run(supTab, chromedp.Location())
	if _, err := chromedp.RunResponse(supTab, chromedp.Click(chromedp.CSS(`a.govuk-button[href^="/signin?"]`))); err != nil {
		t.Fatal(err)
	}
	button := `button[name="persona"][value="supervisor"]`
	if _, err := chromedp.RunResponse(supTab, chromedp.WaitVisible(chromedp.CSS(button)), chromedp.Click(chromedp.CSS(button))); err != nil {
		t.Fatalf("the provider's persona picker: %v", err)
	}
	if err := chromedp.Do(supTab, chromedp.WaitVisible(chromedp.CSS(`form[action$="/decision"]`))); err != nil {
		t.Fatalf("not back at the request with the decision form: %v", err)
	}
	if back, _ := chromedp.Run(supTab, chromedp.Location()); back != loc {
		t.Errorf("after signing in again at %s, want %s", back, loc)
	}
	checkPage(t, supTab, "request, decision form")
	if err := chromedp.Do(supTab,
		chromedp.Click(chromedp.ID("decision")),
		chromedp.SendKeys(chromedp.ID("note"), "Necessary and proportionate."),
	); err != nil {
		t.Fatal(err)
	}
	press(t, supTab, `form[action$="/decision"] button[type="submit"]`, http.StatusOK, strings.TrimPrefix(loc, h.URL))
	contains(t, "decided request", text(t, supTab, "main"), "Approved", "Necessary and proportionate.")
	checkPage(t, supTab, "request, decided")
	browsertest.Screenshot(t, supTab, "")

	// Housing reads what the approval releases.
	for range 2 {
		if shown := housingSees(t, h, r.ID); len(shown) != 2 {
			t.Fatalf("after approval housing sees %v", shown)
		}
	}

	// The auditor sees who read it, and on what basis.
	auditTab := b.NewTab(t, 90*time.Second)
	if err := h.SignIn(auditTab, "auditor", "/referrals/"+r.ID+"/audit"); err != nil {
		t.Fatal(err)
	}
	reads := text(t, auditTab, "table")
	contains(t, "reads", reads, "Northshire Council Housing Options", "Identity, Safe contact", "An approved request to share without consent",
		"Data Protection Act 2018, Schedule 8 — safeguarding of children and individuals at risk")
	if n := eval[int](t, auditTab, `[...document.querySelectorAll("table:first-of-type tbody tr")].filter(r => r.textContent.includes("Northshire Council Housing Options")).length`); n != 3 {
		t.Errorf("%d housing reads listed, want 3 (one after the withdrawal, two after the approval)", n)
	}
	checkPage(t, auditTab, "who has seen this")
	browsertest.Screenshot(t, auditTab, "")

	visit(t, auditTab, h.URL+"/audit", http.StatusOK)
	checkPage(t, auditTab, "audit search")
	if err := chromedp.Do(auditTab, chromedp.SendKeys(chromedp.ID("referral"), r.Reference)); err != nil {
		t.Fatal(err)
	}
	press(t, auditTab, `form[action="/audit"] button[type="submit"]`, http.StatusOK, "")
	contains(t, "audit results", text(t, auditTab, "main"), "Entries found", "Decided on sharing without consent", "Asked to share without consent")
	checkPage(t, auditTab, "audit results")
}

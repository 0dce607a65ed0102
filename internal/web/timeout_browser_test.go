package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/browsertest"
)

// A session that times out while the officer is typing: the step posted
// after the timeout is kept, the officer signs in again, and what they
// typed is on the page, put back by the server (scripts are off here).
func TestBrowserTimeoutKeepsTheForm(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, map[string]string{"HUB_SESSION_IDLE_TIMEOUT": "3s"})
	officer := journey{t: t, ctx: b.NewTab(t, 2*time.Minute), who: "officer", noJS: true}
	if err := h.SignIn(officer.ctx, "officer", "/referrals/new"); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(officer.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	visit(t, officer.ctx, h.URL+"/referrals/new", http.StatusOK)
	const instructions = "Text first; never call after 6pm. Her brother answers the landline."
	officer.fill("victim-name", "Philippa Latepost", "victim-safe_contact-instructions", instructions)
	time.Sleep(4 * time.Second) // the idle timeout passes while she types

	// Continue: the session has ended, so the browser is sent to sign in.
	resp, err := chromedp.RunResponse(officer.ctx, chromedp.Click(chromedp.CSS(continueButton)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(resp.URL, "persona") && !strings.Contains(text(t, officer.ctx, "body"), "officer") {
		t.Fatalf("after the timeout the browser is at %s: %s", resp.URL, text(t, officer.ctx, "body"))
	}
	if strings.Contains(strings.ToLower(resp.URL), "latepost") || strings.Contains(strings.ToLower(resp.URL), "brother") {
		t.Fatalf("what was typed is in an address: %s", resp.URL)
	}
	if err := h.SignIn(officer.ctx, "officer", "/referrals/new"); err != nil {
		t.Fatal(err)
	}
	got := eval[string](t, officer.ctx, `document.getElementById("victim-name").value + "|" + document.getElementById("victim-safe_contact-instructions").value`)
	if got != "Philippa Latepost|"+instructions {
		t.Fatalf("after signing in again the form holds %q", got)
	}
	contains(t, "the page", text(t, officer.ctx, "main"), "We kept what you typed")
	// It is put back once only.
	visit(t, officer.ctx, h.URL+"/referrals/new", http.StatusOK)
	if v := eval[string](t, officer.ctx, `document.getElementById("victim-name").value`); v != "" {
		t.Errorf("the kept form came back twice: %q", v)
	}
}

// Two minutes before the idle timeout (half way, for this short one) a
// dialog warns; "Stay signed in" keeps the session and closes it.
func TestBrowserTimeoutWarning(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, map[string]string{"HUB_SESSION_IDLE_TIMEOUT": "8s"})
	ctx := b.NewTab(t, 2*time.Minute)
	if err := h.SignIn(ctx, "housing", "/inbox"); err != nil {
		t.Fatal(err)
	}
	checkPage(t, ctx, "inbox")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("hub-timeout"))); err != nil {
		t.Fatalf("no warning: %v", err)
	}
	contains(t, "warning", text(t, ctx, "#hub-timeout"), "You are about to be signed out", "Stay signed in")
	browsertest.AssertNoSeriousViolations(t, ctx, "timeout warning")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("hub-stay")), chromedp.WaitNotVisible(chromedp.ID("hub-timeout"))); err != nil {
		t.Fatalf("staying signed in: %v", err)
	}
	time.Sleep(5 * time.Second) // past the first timeout, within the renewed one
	visit(t, ctx, h.URL+"/inbox", http.StatusOK)
	contains(t, "inbox", text(t, ctx, "h1"), "Inbox")
}

// Any other form posted after a timeout (here a message on a referral, with
// scripts on) is put back into its page after signing in again.
func TestBrowserTimeoutKeepsAMessage(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, map[string]string{"HUB_SESSION_IDLE_TIMEOUT": "5s"})
	r := createReferral(t, h, exampleReferral())
	ctx := b.NewTab(t, 2*time.Minute)
	if err := h.SignIn(ctx, "housing", "/referrals/"+r.ID); err != nil {
		t.Fatal(err)
	}
	const message = "Can we visit on Thursday morning? Please confirm the safe number."
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("body"), message)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(6 * time.Second)
	// The warning is open by now; the form is sent as if its button had
	// been pressed before it opened.
	submit := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`document.querySelector('form[action$="/messages"]').requestSubmit(), true`)(ctx, tg)
		return err
	})
	resp, err := chromedp.RunResponse(ctx, submit)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(resp.URL, "/referrals/"+r.ID) {
		t.Fatalf("the message was taken on an ended session: %s", resp.URL)
	}
	if err := h.SignIn(ctx, "housing", "/referrals/"+r.ID); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("held-banner"))); err != nil {
		t.Fatalf("no notice of the kept form: %v", err)
	}
	if got := eval[string](t, ctx, `document.getElementById("body").value`); got != message {
		t.Fatalf("the message box holds %q", got)
	}
}

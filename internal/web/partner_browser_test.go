package web_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/browsertest"
)

// An administrator registers a webhook on the Partner systems page: errors
// re-render with a summary, the secret is shown once, a webhook paused after
// failures says so and is resumed from the page.
func TestBrowserPartnerSystemsPage(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	// The receiver answers 410 Gone until the administrator has mended it;
	// then it takes deliveries, so the resumed webhook stays resumed.
	var mended atomic.Bool
	gone := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) {
		if mended.Load() {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.WriteHeader(http.StatusGone)
	})

	tab := b.NewTab(t, 90*time.Second)
	if err := h.SignIn(tab, "admin", "/admin/webhooks"); err != nil {
		t.Fatal(err)
	}
	contains(t, "empty page", text(t, tab, "main"), "Partner systems", "No partner system has a webhook yet")
	checkPage(t, tab, "partner systems")

	press(t, tab, `form[action="/admin/webhooks"] button[type="submit"]`, http.StatusUnprocessableEntity, "/admin/webhooks")
	contains(t, "error summary", text(t, tab, ".govuk-error-summary"), "Choose the agency whose system this is", "Give an absolute https:// URL", "Choose the events")
	checkPage(t, tab, "partner systems with errors")

	if err := chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("agency"), "housing"),
		chromedp.SendKeys(chromedp.ID("url"), gone.URL+"/hub-events"),
		chromedp.Click(chromedp.ID("events")),
	); err != nil {
		t.Fatal(err)
	}
	press(t, tab, `form[action="/admin/webhooks"] button[type="submit"]`, http.StatusCreated, "/admin/webhooks")
	secret := eval[string](t, tab, `document.querySelector("#secret").value`)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("the secret shown is %q", secret)
	}
	checkPage(t, tab, "webhook registered")

	createReferral(t, h, housingOnly())
	var l webhookList
	waitFor(t, 20*time.Second, "the webhook paused by 410 Gone", func() bool {
		h.Do("GET", "/api/v1/webhooks", "admin", nil).JSON(t, &l)
		return len(l.Webhooks) == 1 && l.Webhooks[0].Paused
	})
	visit(t, tab, h.URL+"/admin/webhooks", http.StatusOK)
	page := text(t, tab, "main")
	contains(t, "paused webhook", page, "are paused: the receiver answered 410 Gone", "Paused", "share.created", "Given up", "0 delivered, 0 pending, 1 given up")
	if strings.Contains(page, secret[6:]) || eval[int](t, tab, `document.querySelectorAll("#secret").length`) != 0 {
		t.Fatal("the secret is shown again")
	}
	checkPage(t, tab, "paused webhook")
	mended.Store(true)
	press(t, tab, `form[action$="/resume"] button[type="submit"]`, http.StatusOK, "/admin/webhooks")
	h.Do("GET", "/api/v1/webhooks", "admin", nil).JSON(t, &l)
	if l.Webhooks[0].Paused {
		t.Fatal("still paused after resuming")
	}
}

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
)

// searchFor types a term into a list's search box and presses Search; the
// list that comes back must not carry the term in its address.
func searchFor(t *testing.T, ctx context.Context, term string) string {
	t.Helper()
	eval[string](t, ctx, `document.getElementById("q").value = ""`)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("q"), term)); err != nil {
		t.Fatal(err)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action$="/search"] button`)))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("search: status %d", resp.Status)
	}
	for _, w := range strings.Fields(strings.ToLower(term)) {
		if len(w) < 5 {
			continue // "26" is in any address of this year
		}
		if strings.Contains(strings.ToLower(resp.URL), w) {
			t.Fatalf("the address %s holds %q", resp.URL, w)
		}
	}
	checkPage(t, ctx, "search results")
	return text(t, ctx, "main")
}

// Search in the browser: the officer by name in another case and spacing
// with a date of birth, and by crime reference; housing finds its own by
// name; health, which was not sent it, finds nothing by the same name.
func TestBrowserSearch(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	one := createReferral(t, h, exampleReferral())
	two := createReferral(t, h, secondReferral())

	officer := b.NewTab(t, 2*time.Minute)
	if err := h.SignIn(officer, "officer", "/referrals"); err != nil {
		t.Fatal(err)
	}
	got := searchFor(t, officer, "ROWENA   testperson 02/04/1990")
	contains(t, "officer's search", got, one.Reference, "1 referral found")
	if strings.Contains(got, two.Reference) {
		t.Errorf("the officer's search by name lists the other referral")
	}
	if v := eval[string](t, officer, `document.getElementById("q").value`); v != "ROWENA   testperson 02/04/1990" {
		t.Errorf("the search box holds %q", v)
	}
	got = searchFor(t, officer, "ns 26 777111")
	contains(t, "by crime reference", got, two.Reference, "1 referral found")

	housing := b.NewTab(t, 2*time.Minute)
	if err := h.SignIn(housing, "housing", "/inbox"); err != nil {
		t.Fatal(err)
	}
	contains(t, "housing's search", searchFor(t, housing, "Testperson Rowena"), one.Reference, "1 referral found")

	health := b.NewTab(t, 2*time.Minute)
	if err := h.SignIn(health, "health", "/inbox"); err != nil {
		t.Fatal(err)
	}
	got = searchFor(t, health, "Rowena Testperson")
	contains(t, "health's search", got, "0 referrals found")
	if strings.Contains(got, one.Reference) {
		t.Error("health finds a referral it was not sent")
	}
}

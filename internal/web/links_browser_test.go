package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/browsertest"
)

// An officer opens a referral's links, sees the earlier referral of the
// same victim suggested, links it, and sees the two together as a pattern;
// then sets aside a namesake's referral of the same suspect.
func TestBrowserLinkReferrals(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	first := createReferral(t, h, referralFor("Rowena Testperson", "1990-04-02", "Sid Suspectson"))
	second := createReferral(t, h, referralFor("rowena  TESTPERSON", "1990-04-02", "Other Person"))
	third := createReferral(t, h, referralFor("Quinn Quayle", "1966-06-06", "Other Person"))

	ctx := b.NewTab(t, 60*time.Second)
	if err := h.SignIn(ctx, "officer", "/referrals/"+second.ID+"/links"); err != nil {
		t.Fatal(err)
	}
	contains(t, "links page", text(t, ctx, "main"), second.Reference, "Linked referrals", "Repeat victim", first.Reference, third.Reference,
		"No referral has been linked to this one yet")
	if strings.Contains(text(t, ctx, "main"), "Rowena") {
		t.Fatal("the links page shows personal data")
	}
	checkPage(t, ctx, "links")

	link := `form:has(input[name="other"][value="` + first.ID + `"]) button[value="confirm"]`
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(link)))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusOK || !strings.HasSuffix(resp.URL, "/referrals/"+second.ID+"/links") {
		t.Fatalf("after linking: %d %s", resp.Status, resp.URL)
	}
	pattern := text(t, ctx, "main")
	contains(t, "pattern", pattern, "The pattern", "Linked referrals 2, this one included", "Incidents reported 12", "2 Mar 2026 to",
		"stalking fear alarm distress: 2", "Risk over time", "same victim", "(this referral)")
	if strings.Contains(text(t, ctx, "#candidates + table"), first.Reference) {
		t.Fatalf("the linked referral is still suggested")
	}
	checkPage(t, ctx, "links with a pattern")
	browsertest.Screenshot(t, ctx, "")

	reject := `form:has(input[name="other"][value="` + third.ID + `"]) button[value="reject"]`
	if resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(reject))); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("setting aside: %v %+v", err, resp)
	}
	contains(t, "after setting aside", text(t, ctx, "main"), "No other referral waiting for a decision")
}

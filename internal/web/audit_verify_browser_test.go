package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/browsertest"
)

// An auditor verifies the audit log from the hub: the page shows the
// verification under way, then the verdict, which stays as the last result
// on the page and on the auditor's home page. The audit table names people.
func TestBrowserAuditVerify(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	one := createReferral(t, h, exampleReferral())
	ctx := b.NewTab(t, 2*time.Minute)
	if err := h.SignIn(ctx, "auditor", "/audit/verify"); err != nil {
		t.Fatal(err)
	}
	checkPage(t, ctx, "verify, never run")
	contains(t, "before", text(t, ctx, "main"), "has not been verified from the hub yet")
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/audit/verify"] button`)))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("starting: %v %v", resp, err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("verify-result"))); err != nil {
		t.Fatalf("no result: %v; page: %s", err, text(t, ctx, "main"))
	}
	checkPage(t, ctx, "verify, done")
	contains(t, "result", text(t, ctx, "#verify-result"), "Intact", "audit log OK", "Neil Forsyth", "GMT")
	visit(t, ctx, h.URL+"/", http.StatusOK)
	contains(t, "home", text(t, ctx, "main"), "Verify the audit log", "Intact")

	visit(t, ctx, h.URL+"/audit?referral="+one.Reference, http.StatusOK)
	checkPage(t, ctx, "audit log")
	contains(t, "audit table", text(t, ctx, "#audit-table"), "What was shown and why")
	contains(t, "audit details", eval[string](t, ctx, `document.getElementById("audit-table").textContent`), "The force that raised it sees it all")
}

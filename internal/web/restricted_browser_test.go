package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/browsertest"
)

// An officer meets a restricted referral in the browser: the page says it
// is restricted and asks why; without a reason it refuses with an error
// summary; with one it shows the referral, marked as a break-glass read,
// and the supervisor finds the read on the break-glass page.
func TestBrowserBreakGlass(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	if res := h.Do("PUT", "/api/v1/referrals/"+r.ID+"/restriction", "officer", map[string]any{"restricted": true}); res.Status != 200 {
		t.Fatalf("restrict: %d %s", res.Status, res.Body)
	}
	other := maracSignedIn(t, b, h, "officer2", "/referrals/"+r.ID)
	page := text(t, other, "main")
	contains(t, "restricted referral", page, r.Reference, "This referral is restricted", "Why do you need to read it?")
	if strings.Contains(page, "Rowena") || strings.Contains(page, "do not leave voicemail") {
		t.Errorf("the restricted page shows the referral: %s", page)
	}
	checkPage(t, other, "restricted referral")
	if status, _ := maracPress(t, other, `form[action$="/break-glass"] button[type="submit"]`); status != http.StatusUnprocessableEntity {
		t.Errorf("no reason: status %d, want 422", status)
	}
	contains(t, "no reason", text(t, other, ".govuk-error-summary"), "Say why you need to read this restricted referral")
	checkPage(t, other, "break-glass without a reason")
	maracFill(t, other, "#reason", "Suspect arrested on my shift; checking bail conditions")
	if status, _ := maracPress(t, other, `form[action$="/break-glass"] button[type="submit"]`); status != http.StatusOK {
		t.Fatalf("break-glass: status %d", status)
	}
	page = text(t, other, "main")
	contains(t, "break-glass read", page, "Rowena Testperson", "recorded as break-glass")
	checkPage(t, other, "break-glass read")

	sup := maracSignedIn(t, b, h, "supervisor", "/break-glass")
	contains(t, "break-glass reads", text(t, sup, "main"), r.Reference, "PC Marcus Oyelaran", "checking bail conditions")
	checkPage(t, sup, "break-glass reads")
	visit(t, sup, h.URL+"/referrals/"+r.ID, http.StatusOK)
	contains(t, "supervisor's referral", text(t, sup, "main"), "Rowena Testperson", "Who may read it")
	checkPage(t, sup, "restricted referral for a supervisor")
}

// After housing declines a referral, its page still shows the referral and
// its own answer, but every kind of information withheld, saying why.
func TestBrowserDeclinedShareReadsNothing(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	if res := status(h, r.ID, "housing", "housing", map[string]any{"status": "declined", "reason": "Out of area"}); res.Status != 200 {
		t.Fatalf("decline: %d %s", res.Status, res.Body)
	}
	housing := maracSignedIn(t, b, h, "housing", "/referrals/"+r.ID)
	page := text(t, housing, "main")
	contains(t, "declined referral", page, r.Reference, "DECLINED", "Your agency declined this referral")
	for _, secret := range []string{"Rowena", "do not leave voicemail", "07700900123", "wants help to move"} {
		if strings.Contains(page, secret) {
			t.Errorf("after declining, housing reads %q", secret)
		}
	}
	checkPage(t, housing, "declined referral")
}

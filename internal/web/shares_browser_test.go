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

// The officer sends a referral to the IDVA service as well, then withdraws
// it from victim support, from the referral's page; the forms refuse a
// withdrawal without a reason; victim support then reads nothing of it but
// still finds it in its inbox, withdrawn. Every page passes axe-core.
func TestBrowserAddAndWithdrawAgency(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())

	ctx := b.NewTab(t, 60*time.Second)
	if err := h.SignIn(ctx, "officer", "/referrals/"+r.ID); err != nil {
		t.Fatal(err)
	}
	officer := journey{t: t, ctx: ctx, who: "officer"}
	officer.check("referral")
	contains(t, "referral page", officer.main(), "Send to another agency", "Withdraw from an agency")

	officer.do(chromedp.SetValue(chromedp.ID("share_agency"), "idva"))
	officer.fill("share_request", "Safety planning with the victim")
	officer.submit(`form[action$="/shares"] button[type="submit"]`, http.StatusOK, "sent to idva")
	contains(t, "after adding idva", officer.main(), "The referral has been sent to the agency", "Northshire IDVA Service")
	if got := officer.content("#share-idva"); !strings.Contains(got, "Sent") || !strings.Contains(got, "Safety planning with the victim") {
		t.Errorf("the idva row: %q", got)
	}

	// Without a reason: the error summary, the page again, nothing changed.
	officer.do(chromedp.SetValue(chromedp.ID("withdraw_agency"), "victim-support"))
	officer.submit(`form[action$="/withdraw"] button[type="submit"]`, http.StatusUnprocessableEntity, "withdraw without a reason")
	contains(t, "withdraw without a reason", officer.main(), "There is a problem", "Say why the referral is withdrawn from this agency")

	officer.do(chromedp.SetValue(chromedp.ID("withdraw_agency"), "victim-support"))
	officer.fill("withdraw_reason", "The victim has asked for support elsewhere")
	officer.submit(`form[action$="/withdraw"] button[type="submit"]`, http.StatusOK, "withdrawn from victim support")
	contains(t, "after withdrawing", officer.main(), "The referral has been withdrawn from the agency", "Northshire Victim Support: withdrawn by PC Dana Whitfield")
	if got := officer.content("#share-victim-support"); !strings.Contains(got, "Withdrawn") {
		t.Errorf("the victim support row: %q", got)
	}
	browsertest.Screenshot(t, ctx, "")

	vs := b.NewTab(t, 60*time.Second)
	if err := h.SignIn(vs, "victim-support", "/inbox"); err != nil {
		t.Fatal(err)
	}
	staff := journey{t: t, ctx: vs, who: "victim support"}
	staff.check("inbox")
	contains(t, "victim support's inbox", staff.content("main"), r.Reference, "Withdrawn")
	staff.visit(h.URL+"/referrals/"+r.ID, "withdrawn referral")
	page := staff.main()
	contains(t, "victim support's read", page, r.Reference, "The police withdrew this referral from your agency", "With the police")
	if strings.Contains(page, "Send message") {
		t.Error("victim support may still write on the thread of a withdrawn share")
	}
	for _, p := range []string{"Rowena", "do not leave voicemail", "support elsewhere"} {
		if strings.Contains(page, p) {
			t.Errorf("after the withdrawal victim support reads %q", p)
		}
	}
}

package web_test

import (
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/app/apptest"
)

// An agency whose share has ended reads the referral's existence and its own
// share, with every category withheld: at once after a decline, and after the
// agreement's access after close (30 days for housing) once it closed.
func TestEndedSharesWithholdEverything(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	read := func(persona string) released {
		t.Helper()
		res := h.Do("GET", "/api/v1/referrals/"+r.ID, persona, nil)
		if res.Status != 200 {
			t.Fatalf("%s reads: %d %s", persona, res.Status, res.Body)
		}
		var got released
		res.JSON(t, &got)
		return got
	}
	if got := read("victim-support"); len(got.Sections) == 0 {
		t.Fatal("victim-support sees nothing before it declines")
	}
	if res := status(h, r.ID, "victim-support", "victim-support", map[string]any{"status": "declined", "reason": "Out of area"}); res.Status != 200 {
		t.Fatalf("decline: %d %s", res.Status, res.Body)
	}
	got := read("victim-support")
	if len(got.Sections) != 0 {
		t.Errorf("after declining victim-support still sees %v", got.shown())
	}
	if len(got.Withheld) != 10 || got.Withheld[0].Reason != "your agency declined this referral" {
		t.Errorf("withheld = %+v", got.Withheld)
	}
	if len(got.Shares) != 1 || got.Shares[0].Status != "declined" {
		t.Errorf("its own share = %+v", got.Shares)
	}

	for _, s := range []map[string]any{{"status": "accepted"}, {"status": "closed", "outcome": "Sanctuary measures fitted"}} {
		if res := status(h, r.ID, "housing", "housing", s); res.Status != 200 {
			t.Fatalf("%v: %d %s", s, res.Status, res.Body)
		}
	}
	if got := read("housing"); !got.has("identity") || !got.has("safe_contact") {
		t.Errorf("housing lost what was released the day it closed: %v", got.shown())
	}
	h.App.Web.Now = func() time.Time { return time.Now().Add(30*24*time.Hour + time.Minute) }
	got = read("housing")
	if len(got.Sections) != 0 || len(got.Shares) != 1 || got.Shares[0].Status != "closed" {
		t.Errorf("30 days after closing housing sees %v, shares %+v", got.shown(), got.Shares)
	}
}

package web_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/browsertest"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/store"
)

// The orders and the victim's journey in the browser: the officer records a
// Stalking Protection Order with an exclusion zone; housing sees it beside
// safe contact; a breach moves the incident count and raises the notice to
// housing; an update owed after a charge is overdue on the supervisor's
// view. Every page passes axe-core.
func TestBrowserOrdersJourney(t *testing.T) {
	h := startPagesHub(t)
	b := browsertest.Start(t)
	(&hub{url: h.url, b: b}).needAssets(t)
	dir, err := agency.Load(filepath.Join(apptest.Root(), "agencies"), config.Defaults().Sharing.LawfulBases)
	if err != nil {
		t.Fatal(err)
	}
	h.db.SetNotices(store.Notices{BaseURL: "http://127.0.0.1", Agencies: dir})
	id := h.referral("medium", 48*time.Hour)
	tab := func(who string) journey {
		ctx := b.NewTab(t, 60*time.Second)
		c := &http.Cookie{Name: "__Host-hub_session", Value: who, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}
		if err := browsertest.SetCookie(ctx, h.url, c); err != nil {
			t.Fatal(err)
		}
		return journey{t: t, ctx: ctx, who: who}
	}
	now := time.Now().UTC()
	date := func(j journey, field string, d time.Time) {
		j.date(field, strconv.Itoa(d.Day()), strconv.Itoa(int(d.Month())), strconv.Itoa(d.Year()))
	}

	officer := tab("officer")
	officer.visit(h.url+"/referrals/"+id, "referral")
	officer.open(`a[href$="/orders/new"]`, "order form")
	officer.choose("kind", "stalking_protection_order")
	officer.fill("conditions", "Exclusion zone: must not enter Orchard Road or the streets around it")
	date(officer, "starts_on", now.AddDate(0, 0, -3))
	date(officer, "ends_on", now.AddDate(0, 2, 0))
	officer.fill("court", "Northshire Magistrates' Court")
	officer.submit(`main form button[type="submit"]`, http.StatusOK, "referral with the order")
	contains(t, "the officer's orders", officer.content("#orders-section"), "Stalking Protection Order", "Exclusion zone: must not enter Orchard Road", "Breaches recorded 0")

	housing := tab("housing")
	housing.visit(h.url+"/referrals/"+id, "housing's referral")
	contains(t, "housing's orders", housing.content("#orders-section"), "Stalking Protection Order", "Exclusion zone: must not enter Orchard Road")
	beside := eval[bool](t, housing.ctx, `(() => { const s = document.getElementById("safe-contact-section"), o = document.getElementById("orders-section");
		return !!s && !!o && s.nextElementSibling === o; })()`)
	if !beside {
		t.Error("housing does not see the orders right after safe contact")
	}

	officer.open(`a[href$="/breach"]`, "breach form")
	officer.submit(`main form button[type="submit"]`, http.StatusUnprocessableEntity, "breach form with errors")
	contains(t, "the breach form's errors", officer.content(".govuk-error-summary"), "Enter the date of the breach", "Say what happened")
	date(officer, "occurred_on", now.AddDate(0, 0, -1))
	officer.fill("summary", "Seen on Orchard Road at 9pm")
	officer.submit(`main form button[type="submit"]`, http.StatusOK, "referral after the breach")
	contains(t, "after the breach", officer.content("main"), "Breach recorded", "Breaches recorded 1", "Raise a referral for the breach")
	if got := officer.content("#offence"); !strings.Contains(got, "Number of incidents 1") {
		t.Errorf("the incident count did not move: %s", got)
	}
	sent, err := h.db.Outbox(context.Background(), store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	noticed := false
	for _, n := range sent {
		noticed = noticed || n.Kind == notify.OrderBreached && strings.HasPrefix(n.To, "housing")
	}
	if !noticed {
		t.Error("housing was not told of the breach")
	}

	officer.visit(h.url+"/referrals/"+id+"/victim-updates/new", "update form")
	officer.choose("event", "charge")
	date(officer, "event_on", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	officer.submit(`main form button[type="submit"]`, http.StatusOK, "referral with the update")
	contains(t, "the officer's updates", officer.content("#victim-updates"), "Suspect charged", "30 November 2026", "Overdue")

	supervisor := tab("supervisor")
	supervisor.visit(h.url+"/referrals", "team referrals")
	contains(t, "the team's referrals", supervisor.content("#overdue-updates-warning"), "1 Victims' Code update is overdue")
	supervisor.visit(h.url+"/", "supervisor's home")
	contains(t, "the supervisor's home", supervisor.content("main"), "Victims' Code updates overdue", "1 overdue")
	supervisor.open(`a[href="/victim-updates"]`, "team's overdue updates")
	contains(t, "the team's overdue updates", supervisor.content("#overdue-updates"), "Suspect charged", "30 November 2026", "Overdue")
}

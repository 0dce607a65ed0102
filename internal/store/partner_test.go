package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

const testSecret = "whsec_c2VjcmV0IG9mIGF0IGxlYXN0IDI0IGJ5dGVzIQ=="

func eventsOf(t *testing.T, db *DB, agencyID string) []string {
	t.Helper()
	es, err := db.PartnerEvents(context.Background(), agencyID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, string(e.Type)+":"+e.Status)
	}
	return out
}

// Each change that exists today records its event for the agency it
// concerns, in the change's own transaction, and only for that agency.
func TestPartnerEventsGoToTheAgencyTheyConcern(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	id, _ := create(t, db, submission("Ada Ames", "high"), "", "")
	housing := identity.Principal{Subject: "iss|housing", Roles: []identity.Role{identity.AgencyStaff}, Agency: "housing"}
	if err := db.MarkViewed(ctx, id, "housing", housing); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ChangeShareStatus(ctx, referral.StatusChange{ReferralID: id, Agency: "housing", To: referral.Accepted, Actor: housing}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddMessage(ctx, id, "housing", referral.Message{Body: sealed.NewText("", category.Needs, "police", "which floor?"), AuthorSide: "police"}, officer); err != nil {
		t.Fatal(err)
	}
	if err := db.AddMessage(ctx, id, "housing", referral.Message{Body: sealed.NewText("", category.Needs, "housing", "second floor"), AuthorSide: "housing"}, housing); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddConsent(ctx, id, consent.Consent{Decision: consent.Withdrawn}, officer); err != nil {
		t.Fatal(err)
	}
	m := meeting(t, db, "north", "2026-12-10")
	c := addCase(t, db, m.ID, id, marac.VisibleHighRisk, "")
	act, err := db.AddAction(ctx, c.ID, marac.Action{Agency: "health", Description: txt("check GP"), Due: mdate("2026-12-20")}, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	healthStaff := identity.Principal{Subject: "iss|health", Roles: []identity.Role{identity.AgencyStaff}, Agency: "health"}
	if _, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: act.ID, Status: "done", By: healthStaff}); err != nil {
		t.Fatal(err)
	}
	for agencyID, want := range map[string]string{
		"housing":        "share.created:sent share.status_changed:viewed share.status_changed:accepted message.created: consent.withdrawn:",
		"health":         "share.created:sent consent.withdrawn: marac.action_changed:open marac.action_changed:done",
		"police":         "message.created: marac.case_listed:",
		"victim-support": "",
	} {
		if got := strings.Join(eventsOf(t, db, agencyID), " "); got != want {
			t.Errorf("%s's events:\n got %s\nwant %s", agencyID, got, want)
		}
	}
	es, _ := db.PartnerEvents(ctx, "housing", 0, 100)
	for _, e := range es {
		if e.Referral != id || !strings.HasPrefix(e.Reference, "SH-") || !strings.HasPrefix(e.ID, "msg_") {
			t.Errorf("event %+v does not name the referral", e)
		}
	}
	// The feed pages: after the second event, the rest in order.
	page, _ := db.PartnerEvents(ctx, "housing", es[1].Cursor, 2)
	if len(page) != 2 || page[0].Cursor != es[2].Cursor || page[1].Cursor != es[3].Cursor {
		t.Fatalf("page after %d: %+v", es[1].Cursor, page)
	}
}

// A failed change records no event: the event is part of its transaction.
func TestPartnerEventRollsBackWithItsChange(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	id, _ := create(t, db, submission("Bea Bell", "high"), "", "")
	housing := identity.Principal{Subject: "iss|housing", Roles: []identity.Role{identity.AgencyStaff}, Agency: "housing"}
	// Closing a share that was never accepted is refused.
	if _, err := db.ChangeShareStatus(ctx, referral.StatusChange{ReferralID: id, Agency: "housing", To: referral.Closed, Outcome: "x", Actor: housing}); err == nil {
		t.Fatal("closing a sent share was allowed")
	}
	if got := eventsOf(t, db, "housing"); len(got) != 1 {
		t.Fatalf("events after a refused change: %v", got)
	}
}

// Deliveries are made only for the agency's webhooks that want the type;
// a claim leases them; giving up pauses the webhook until it is resumed.
func TestWebhookDeliveriesClaimFailPauseResume(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return t0 }
	wh, err := db.CreateWebhook(ctx, partner.Webhook{Agency: "housing", URL: "https://housing.example/hook", Events: []partner.Type{partner.ShareCreated}}, testSecret, admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateWebhook(ctx, partner.Webhook{Agency: "housing", URL: "https://housing.example/other", Events: []partner.Type{partner.MessageCreated}}, testSecret, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateWebhook(ctx, partner.Webhook{Agency: "victim-support", URL: "https://vs.example/hook", Events: partner.Types}, testSecret, admin); err != nil {
		t.Fatal(err)
	}
	create(t, db, submission("Cy Cole", "high"), "", "")
	ds, err := db.ClaimDeliveries(ctx, t0, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].WebhookID != wh.ID || ds[0].Secret != testSecret || ds[0].Event.Type != partner.ShareCreated || ds[0].Attempts != 1 {
		t.Fatalf("claimed %+v, want the one share.created delivery to housing's first webhook", ds)
	}
	if again, _ := db.ClaimDeliveries(ctx, t0, time.Minute, 10); len(again) != 0 {
		t.Fatalf("a leased delivery was claimed twice: %+v", again)
	}
	if err := db.DeliveryFailed(ctx, ds[0].ID, t0, partner.Failure{Status: 500, Error: "HTTP 500", Next: t0.Add(5 * time.Second), GiveUp: true, Pause: "failed for 25h"}); err != nil {
		t.Fatal(err)
	}
	hooks, _ := db.Webhooks(ctx)
	for _, h := range hooks {
		paused := h.ID == wh.ID
		if h.Paused() != paused || (paused && (h.Failed != 1 || h.LastError != "HTTP 500")) || (!paused && h.Pending+h.Failed+h.Delivered != 0) {
			t.Errorf("after giving up on %s: %+v", wh.ID, h)
		}
	}
	create(t, db, submission("Di Dunn", "high"), "", "")
	if held, _ := db.ClaimDeliveries(ctx, t0.Add(time.Hour), time.Minute, 10); len(held) != 0 {
		t.Fatalf("a paused webhook's delivery was claimed: %+v", held)
	}
	if err := db.ResumeWebhook(ctx, wh.ID, admin); err != nil {
		t.Fatal(err)
	}
	back, _ := db.ClaimDeliveries(ctx, t0, time.Minute, 10)
	if len(back) != 2 || back[0].Event.ID != ds[0].Event.ID {
		t.Fatalf("after resuming: %+v", back)
	}
	if err := db.DeliveryDone(ctx, back[0].ID, t0, 204); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteWebhook(ctx, wh.ID, admin); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteWebhook(ctx, wh.ID, admin); err == nil {
		t.Fatal("deleted a webhook twice")
	}
}

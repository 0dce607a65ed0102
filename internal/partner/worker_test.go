package partner_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/store"
	"github.com/stalking-hub/hub/internal/store/storetest"
)

// openStore is a migrated database with sealing keys and an audit signer,
// and the notices of the demo agencies.
func openStore(t *testing.T) *store.DB {
	t.Helper()
	db := storetest.Open(t)
	agencies, err := agency.Load(filepath.Join("..", "..", "agencies"), []string{"dpa2018_sch8_safeguarding", "crime_and_disorder_act_s115", "vital_interests"})
	if err != nil {
		t.Fatal(err)
	}
	db.SetNotices(store.Notices{BaseURL: "https://hub.example.gov.uk", Agencies: agencies, WebhookAlerts: []string{"ops@example.gov.uk"}})
	return db
}

// pausedAlerts are the notifications telling of a pause.
func pausedAlerts(t *testing.T, db *store.DB) []notify.Notification {
	t.Helper()
	ns, err := db.Outbox(context.Background(), store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.Notification
	for _, n := range ns {
		if n.Kind == notify.WebhookPaused {
			out = append(out, n)
		}
	}
	return out
}

var officer = identity.Principal{Subject: "iss|officer", Name: "PC Test", Roles: []identity.Role{identity.Officer}}

func sendToHousing(t *testing.T, db *store.DB) {
	t.Helper()
	var s referral.Submission
	s.Offence, s.Summary, s.Risk.Level = "stalking", "Followed to work.", "high"
	s.Victim.Name, s.Victim.SafeContact.Method = "Wren Worker", "phone"
	s.Agencies = []referral.Request{{Agency: "housing"}}
	now := db.Now()
	if _, _, err := db.CreateReferral(context.Background(), referral.NewReferral{Submission: s, Officer: officer,
		Due:     map[string]time.Time{"housing": now.Add(time.Hour)},
		Consent: consent.Consent{Decision: consent.Given, Agencies: []string{"housing"}, Categories: category.SetOf(category.Identity), RecordedAt: now}}); err != nil {
		t.Fatal(err)
	}
}

// A receiver that keeps failing is retried until the hub gives up after a
// day; then the webhook is paused and nothing more is sent until resumed.
func TestWorkerPausesAfterADayOfFailures(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	secret, _ := partner.NewSecret()
	wh, err := db.CreateWebhook(ctx, partner.Webhook{Agency: "housing", URL: srv.URL, Events: partner.Types}, secret, officer)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	db.Now = func() time.Time { return now }
	sendToHousing(t, db)
	w := partner.NewWorker(db, partner.WorkerOptions{Now: func() time.Time { return now },
		Client: partner.NewClient(partner.ClientRules{AllowLoopback: true, Timeout: 5 * time.Second}), URLs: partner.URLRules{LoopbackHTTP: true}})
	var attempts int
	for step := 0; step < 200 && attempts < 100; step++ {
		n, err := w.DeliverDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		attempts += n
		hooks, _ := db.Webhooks(ctx)
		if hooks[0].Paused() {
			break
		}
		now = now.Add(10 * time.Minute)
	}
	hooks, _ := db.Webhooks(ctx)
	if !hooks[0].Paused() || hooks[0].Failed != 1 || hooks[0].LastError != "the receiver answered HTTP 500" {
		t.Fatalf("after %d attempts: %+v", attempts, hooks[0])
	}
	ds, _ := db.WebhookDeliveries(ctx, wh.ID, 10)
	if span := ds[0].FailedAt.Sub(ds[0].CreatedAt); span < 24*time.Hour || ds[0].Attempts < 25 {
		t.Fatalf("gave up after %s and %d attempts", span, ds[0].Attempts)
	}
	if alerts := pausedAlerts(t, db); len(alerts) != 1 || alerts[0].To != "ops@example.gov.uk" || alerts[0].Link != "https://hub.example.gov.uk/admin/webhooks" {
		t.Fatalf("the administrators were told %+v", alerts)
	}
	before := hits.Load()
	sendToHousing(t, db)
	now = now.Add(time.Hour)
	if n, _ := w.DeliverDue(ctx); n != 0 || hits.Load() != before {
		t.Fatalf("a paused webhook was called: %d claimed", n)
	}
}

// 410 Gone pauses the webhook at once, as Standard Webhooks advises.
func TestWorkerPausesOnGone(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) }))
	defer srv.Close()
	secret, _ := partner.NewSecret()
	if _, err := db.CreateWebhook(ctx, partner.Webhook{Agency: "housing", URL: srv.URL, Events: partner.Types}, secret, officer); err != nil {
		t.Fatal(err)
	}
	sendToHousing(t, db)
	w := partner.NewWorker(db, partner.WorkerOptions{Client: partner.NewClient(partner.ClientRules{AllowLoopback: true}), URLs: partner.URLRules{LoopbackHTTP: true}})
	if n, err := w.DeliverDue(ctx); n != 1 || err != nil {
		t.Fatalf("claimed %d (%v)", n, err)
	}
	if hooks, _ := db.Webhooks(ctx); !hooks[0].Paused() {
		t.Fatalf("not paused after 410: %+v", hooks[0])
	}
}

// A webhook registered over http in development is not called once
// development sign-in is off: the URL is checked again before each send.
func TestWorkerChecksTheURLAgain(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	defer srv.Close()
	secret, _ := partner.NewSecret()
	if _, err := db.CreateWebhook(ctx, partner.Webhook{Agency: "housing", URL: srv.URL, Events: partner.Types}, secret, officer); err != nil {
		t.Fatal(err)
	}
	sendToHousing(t, db)
	w := partner.NewWorker(db, partner.WorkerOptions{Client: partner.NewClient(partner.ClientRules{AllowLoopback: true})})
	if n, err := w.DeliverDue(ctx); n != 1 || err != nil {
		t.Fatalf("claimed %d (%v)", n, err)
	}
	hooks, _ := db.Webhooks(ctx)
	if hits.Load() != 0 || hooks[0].Delivered != 0 || !strings.Contains(hooks[0].LastError, "https") {
		t.Fatalf("called over http outside development: %d hits, %+v", hits.Load(), hooks[0])
	}
}

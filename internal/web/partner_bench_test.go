package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/app/apptest"
)

// How long a partner waits: from the officer's POST /api/v1/referrals to its
// system receiving the signed share.created delivery, through the whole hub
// (release and audit of the create, the event in the same transaction, the
// worker woken, the guarded client, a real receiver). Run with
//
//	go test ./internal/web -run '^$' -bench WebhookDelivery -benchtime 50x
func BenchmarkWebhookDelivery(b *testing.B) {
	h := apptest.Start(b, nil)
	got := make(chan time.Time, 1)
	rc := newReceiver(b, func(w http.ResponseWriter, _ *http.Request) {
		got <- time.Now()
		w.WriteHeader(http.StatusNoContent)
	})
	res := h.Do("POST", "/api/v1/webhooks", "admin", map[string]any{"agency": "housing", "url": rc.URL, "events": []string{"share.created"}})
	if res.Status != http.StatusCreated {
		b.Fatalf("register: %d %s", res.Status, res.Body)
	}
	body := housingOnly()
	var lat latencies
	for b.Loop() {
		sent := time.Now()
		if res := h.Do("POST", "/api/v1/referrals", "officer", body); res.Status != http.StatusCreated {
			b.Fatalf("create: %d %s", res.Status, res.Body)
		}
		select {
		case at := <-got:
			lat.add(at.Sub(sent))
		case <-time.After(30 * time.Second):
			b.Fatal("no delivery within 30s")
		}
	}
	lat.report(b)
}

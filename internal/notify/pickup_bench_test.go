package notify_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/app/apptest"
)

// BenchmarkRiskNoticePickup measures how long a receiving agency waits
// between an officer's re-assessment (the API's 201) and its notice arriving
// at the mail server, through the whole hub: the re-assessment's
// transaction, the outbox, the mail worker and SMTP to a server on loopback.
// Each iteration re-assesses once and waits for both agencies' notices.
// Reported: the mean and the slowest wait, in milliseconds.
func BenchmarkRiskNoticePickup(b *testing.B) {
	server, port := startMailServer(b, "127.0.0.1:0")
	h := apptest.Start(b, map[string]string{"HUB_MAIL_HOST": "127.0.0.1", "HUB_MAIL_PORT": strconv.Itoa(port),
		"HUB_MAIL_TLS": "opportunistic", "HUB_MAIL_FROM": "hub-noreply@example.gov.uk"})
	res := h.Do("POST", "/api/v1/referrals", "officer", map[string]any{
		"offence": "stalking", "summary": "Followed to work.", "risk": map[string]any{"tool": "professional_judgement", "level": "medium"},
		"victim":   map[string]any{"name": "Benchmark Person", "safe_contact": map[string]any{"method": "phone"}},
		"agencies": []any{map[string]any{"agency": "housing"}, map[string]any{"agency": "victim-support"}},
		"consent":  map[string]any{"decision": "refused", "obtained_on": "2026-11-21"}})
	if res.Status != http.StatusCreated {
		b.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var r struct{ ID string }
	res.JSON(b, &r)
	// The new-referral notices go first, so that they are not counted.
	waitMail(b, server, 2)
	var waits []time.Duration
	b.ResetTimer()
	for i := range b.N {
		level := []string{"high", "medium"}[i%2]
		before := len(server.received())
		res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/risk", "officer",
			map[string]any{"tool": "professional_judgement", "level": level, "reason": "benchmark"})
		if res.Status != http.StatusCreated {
			b.Fatalf("re-assess: %d %s", res.Status, res.Body)
		}
		start := time.Now()
		waitMail(b, server, before+2)
		waits = append(waits, time.Since(start))
	}
	b.StopTimer()
	var sum time.Duration
	for _, w := range waits {
		sum += w
	}
	b.ReportMetric(float64(sum.Milliseconds())/float64(len(waits)), "mean-ms")
	b.ReportMetric(float64(slices.Max(waits).Milliseconds()), "max-ms")
}

// waitMail waits, for up to 30 seconds, until the server has n messages.
func waitMail(b *testing.B, server *mailServer, n int) {
	b.Helper()
	for deadline := time.Now().Add(30 * time.Second); len(server.received()) < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("the mail server has %d messages, want %d", len(server.received()), n)
		}
	}
}

package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/app/apptest"
)

// The API's speed through the whole hub: real HTTP on loopback, bearer
// tokens checked, the release decided and audited before each answer.
// bench/run.sh measures the same against a running hub with 100,000
// referrals; these are the quick version, run with
//
//	go test ./internal/web -run '^$' -bench API -benchtime 3000x

// latencies gathers request times from parallel workers.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, d)
	l.mu.Unlock()
}

// report adds the rate and the 50th and 99th percentiles to the benchmark.
func (l *latencies) report(b *testing.B) {
	if len(l.all) == 0 {
		return
	}
	slices.Sort(l.all)
	at := func(p float64) float64 {
		return float64(l.all[min(len(l.all)-1, int(p*float64(len(l.all))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(l.all))/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// benchHub starts a hub with n referrals sent to housing and returns their ids.
func benchHub(b *testing.B, n int) (*apptest.Hub, []string) {
	b.Helper()
	h := apptest.Start(b, nil)
	ids := make([]string, n)
	for i := range ids {
		body := exampleReferral()
		body["victim"].(map[string]any)["name"] = fmt.Sprintf("Bench Person %d", i)
		res := h.Do("POST", "/api/v1/referrals", "officer", body)
		var r released
		res.JSON(b, &r)
		if res.Status != http.StatusCreated {
			b.Fatalf("seeding: %d %s", res.Status, res.Body)
		}
		ids[i] = r.ID
	}
	return h, ids
}

// call sends one request and checks the status.
func call(b *testing.B, client *http.Client, method, url, token string, body []byte, want int) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := client.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		b.Errorf("%s %s: %d", method, url, res.StatusCode)
	}
}

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
}

// BenchmarkAPIGetReferral is a partner reading referrals sent to it.
func BenchmarkAPIGetReferral(b *testing.B) {
	h, ids := benchHub(b, 100)
	token, client := h.Token("housing"), benchClient()
	for _, id := range ids {
		// The first open marks the share viewed; steady state is what counts.
		call(b, client, "GET", h.URL+"/api/v1/referrals/"+id, token, nil, http.StatusOK)
	}
	var l latencies
	var next sync.Mutex
	i := 0
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			next.Lock()
			id := ids[i%len(ids)]
			i++
			next.Unlock()
			t0 := time.Now()
			call(b, client, "GET", h.URL+"/api/v1/referrals/"+id, token, nil, http.StatusOK)
			l.add(time.Since(t0))
		}
	})
	l.report(b)
}

// BenchmarkAPIInbox is a partner reading the first page of its inbox.
func BenchmarkAPIInbox(b *testing.B) {
	h, _ := benchHub(b, 120)
	token, client := h.Token("housing"), benchClient()
	var l latencies
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			t0 := time.Now()
			call(b, client, "GET", h.URL+"/api/v1/referrals?limit=50", token, nil, http.StatusOK)
			l.add(time.Since(t0))
		}
	})
	l.report(b)
}

// BenchmarkAPICreateReferral is officers raising referrals at once.
func BenchmarkAPICreateReferral(b *testing.B) {
	h := apptest.Start(b, nil)
	token, client := h.Token("officer"), benchClient()
	body, _ := json.Marshal(exampleReferral())
	var l latencies
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			t0 := time.Now()
			call(b, client, "POST", h.URL+"/api/v1/referrals", token, body, http.StatusCreated)
			l.add(time.Since(t0))
		}
	})
	l.report(b)
}

// BenchmarkAPIPreview is officers previewing referrals before sending:
// validation and one release decision per named agency, nothing written.
func BenchmarkAPIPreview(b *testing.B) {
	h := apptest.Start(b, nil)
	token, client := h.Token("officer"), benchClient()
	body, _ := json.Marshal(exampleReferral())
	var l latencies
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			t0 := time.Now()
			call(b, client, "POST", h.URL+"/api/v1/referrals/preview", token, body, http.StatusOK)
			l.add(time.Since(t0))
		}
	})
	l.report(b)
}

// Command load drives a running hub with concurrent API requests and
// reports the rate and the latency percentiles. It starts nothing: point it
// at a hub on this machine (loopback only) with a token from `hub dev token`.
//
//	load -url http://127.0.0.1:8080 -token "$(bin/hub dev token victim-support)" -scenario get
//
// -url may name several replicas of one hub, comma-separated: the requests
// go to each in turn, as a round-robin load balancer sends them.
//
// Scenarios:
//
//	get     GET /api/v1/referrals/{id} for ids from the caller's own list
//	inbox   GET /api/v1/referrals?limit=50, the caller's first page
//	create  POST /api/v1/referrals, as an officer, a new synthetic referral each time
//
// It stops after -requests requests or -duration, whichever comes first.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	var (
		base     = flag.String("url", "http://127.0.0.1:8080", "the hub's base URL (loopback only); several replicas' URLs comma-separated, used in turn")
		token    = flag.String("token", "", "bearer access token (hub dev token PERSONA)")
		scenario = flag.String("scenario", "get", "get, inbox or create")
		workers  = flag.Int("workers", 32, "concurrent requests")
		requests = flag.Int("requests", 100000, "stop after this many requests")
		duration = flag.Duration("duration", 20*time.Second, "stop after this long")
		warmup   = flag.Duration("warmup", 2*time.Second, "requests in this first stretch are not counted")
		ids      = flag.Int("ids", 2000, "get: how many referral ids to collect from the caller's list")
		rate     = flag.Int("rate", 0, "requests per second to hold (0: as fast as the workers go); latency then counts from when each request was due")
	)
	flag.Parse()
	if err := run(*base, *token, *scenario, *workers, *requests, *rate, *duration, *warmup, *ids); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(base, token, scenario string, workers, requests, rate int, duration, warmup time.Duration, idCount int) error {
	var bases []string
	for b := range strings.SplitSeq(base, ",") {
		u, err := url.Parse(b)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("%s is not on this machine: load only drives a hub on loopback", b)
		}
		bases = append(bases, strings.TrimSuffix(b, "/"))
	}
	if token == "" {
		return errors.New("-token is required")
	}
	if workers < 1 || requests < 1 || rate < 0 || duration <= 0 || duration > 10*time.Minute {
		return errors.New("-workers and -requests must be positive, -rate not negative, -duration at most 10m")
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}}
	c := &caller{client: client, bases: bases, token: token}

	var next func(r *rand.Rand) (*http.Request, error)
	switch scenario {
	case "get":
		list, err := c.collect(idCount)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return errors.New("the caller's list is empty: seed the hub first (hub demo seed)")
		}
		fmt.Printf("collected %d referral ids\n", len(list))
		next = func(r *rand.Rand) (*http.Request, error) {
			return c.request(http.MethodGet, "/api/v1/referrals/"+list[r.IntN(len(list))], nil)
		}
	case "inbox":
		next = func(*rand.Rand) (*http.Request, error) {
			return c.request(http.MethodGet, "/api/v1/referrals?limit=50", nil)
		}
	case "create":
		next = func(r *rand.Rand) (*http.Request, error) {
			return c.request(http.MethodPost, "/api/v1/referrals", newReferral(r))
		}
	default:
		return fmt.Errorf("unknown scenario %q", scenario)
	}

	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	start := time.Now()
	countFrom := start.Add(warmup)
	var issued, sent atomic.Int64 // sent counts the warm-up too
	var mu sync.Mutex
	var latencies []time.Duration
	statuses := map[int]int{}
	var firstCounted, lastDone time.Time
	// due says when each request should start. Without -rate a worker starts
	// the next as soon as the last is answered; with it, a pacer hands out
	// start times, and a request that waits for a free worker counts its
	// wait, so a slow server cannot hide its queue by slowing the load.
	due := func() (time.Time, bool) { return time.Now(), true }
	if rate > 0 {
		slots := make(chan time.Time)
		go func() {
			defer close(slots)
			interval := time.Second / time.Duration(rate)
			for i := 0; ; i++ {
				t := start.Add(time.Duration(i) * interval)
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Until(t)):
				}
				select {
				case <-ctx.Done():
					return
				case slots <- t:
				}
			}
		}()
		due = func() (time.Time, bool) { t, ok := <-slots; return t, ok }
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			for ctx.Err() == nil && issued.Add(1) <= int64(requests) {
				req, err := next(r)
				if err != nil {
					return
				}
				t0, ok := due()
				if !ok {
					return
				}
				res, err := client.Do(req.WithContext(ctx))
				status := 0
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					status = res.StatusCode
				} else if ctx.Err() != nil {
					return
				}
				t1 := time.Now()
				sent.Add(1)
				if t0.Before(countFrom) {
					continue
				}
				mu.Lock()
				if firstCounted.IsZero() || t0.Before(firstCounted) {
					firstCounted = t0
				}
				lastDone = t1
				latencies = append(latencies, t1.Sub(t0))
				statuses[status]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(latencies) == 0 {
		return errors.New("no request finished after the warm-up; give it a longer -duration")
	}
	slices.Sort(latencies)
	elapsed := lastDone.Sub(firstCounted)
	pct := func(p float64) time.Duration { return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))] }
	var codes []string
	for code, n := range statuses {
		codes = append(codes, fmt.Sprintf("%d:%d", code, n))
	}
	sort.Strings(codes)
	fmt.Printf("scenario=%s rate=%d workers=%d sent=%d requests=%d seconds=%.1f rps=%.0f p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f max_ms=%.1f statuses=%s\n",
		scenario, rate, workers, sent.Load(), len(latencies), elapsed.Seconds(), float64(len(latencies))/elapsed.Seconds(),
		ms(pct(0.50)), ms(pct(0.95)), ms(pct(0.99)), ms(latencies[len(latencies)-1]), strings.Join(codes, ","))
	for code := range statuses {
		if code < 200 || code > 299 {
			return fmt.Errorf("some requests failed: %s", strings.Join(codes, ","))
		}
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// caller sends the hub requests with one bearer token.
type caller struct {
	client *http.Client
	bases  []string // the replicas, used in turn
	next   atomic.Uint64
	token  string
}

func (c *caller) request(method, path string, body any) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	base := c.bases[c.next.Add(1)%uint64(len(c.bases))]
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// collect pages through the caller's list for up to n referral ids.
func (c *caller) collect(n int) ([]string, error) {
	var out []string
	cursor := ""
	for len(out) < n {
		req, err := c.request(http.MethodGet, "/api/v1/referrals?limit=200&cursor="+url.QueryEscape(cursor), nil)
		if err != nil {
			return nil, err
		}
		res, err := c.client.Do(req)
		if err != nil {
			return nil, err
		}
		var page struct {
			Referrals []struct{ ID string }
			Next      string `json:"next_cursor"`
		}
		err = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || err != nil {
			return nil, fmt.Errorf("listing referrals: status %d %v", res.StatusCode, err)
		}
		for _, r := range page.Referrals {
			out = append(out, r.ID)
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	return out[:min(len(out), n)], nil
}

var (
	firstNames = []string{"Ada", "Bryn", "Cleo", "Dara", "Esme", "Fern", "Gwen", "Hedy", "Iona", "Jude"}
	surnames   = []string{"Loadtest", "Benchley", "Sampleton", "Trialford", "Exampleby"}
)

// newReferral is a synthetic referral of the shape api.md shows, about a
// made-up person.
func newReferral(r *rand.Rand) map[string]any {
	level := []string{"standard", "medium", "medium", "high"}[r.IntN(4)]
	today := time.Now().UTC().Format(time.DateOnly)
	return map[string]any{
		"offence": "stalking_fear_alarm_distress",
		"summary": "Repeated unwanted contact; followed to work twice.",
		"risk":    map[string]any{"tool": "professional_judgement", "level": level, "assessed_on": today},
		"victim": map[string]any{
			"name":          firstNames[r.IntN(len(firstNames))] + " " + surnames[r.IntN(len(surnames))],
			"date_of_birth": fmt.Sprintf("19%02d-%02d-%02d", 50+r.IntN(50), 1+r.IntN(12), 1+r.IntN(28)),
			"address":       fmt.Sprintf("%d Example Row", 1+r.IntN(99)),
			"phone":         fmt.Sprintf("07700 900%03d", r.IntN(1000)),
			"safe_contact":  map[string]any{"method": "phone", "times": "weekdays 10-12", "instructions": "do not leave voicemail"},
			"needs":         "wants help to feel safe at home",
		},
		"suspect":  map[string]any{"name": "Sam Suspectington", "relationship": "ex_partner"},
		"agencies": []any{map[string]any{"agency": "housing", "request": "sanctuary scheme"}, map[string]any{"agency": "victim-support", "request": "ISVA support"}},
		"consent": map[string]any{"decision": "given", "agencies": []string{"housing", "victim-support"},
			"categories": []string{"identity", "contact", "safe_contact", "needs", "risk"}, "method": "verbal", "obtained_on": today,
			"review_on": time.Now().UTC().AddDate(0, 6, 0).Format(time.DateOnly)},
	}
}

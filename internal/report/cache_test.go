package report

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestCacheKeepsFiguresForTheirTime(t *testing.T) {
	c := NewCache(time.Minute, 2)
	p := Period{date("2026-01-01"), date("2026-03-31")}
	q := Period{date("2025-01-01"), date("2025-12-31")}
	t0 := date("2026-04-10")
	works := 0
	work := func(total int) func() (Figures, error) {
		return func() (Figures, error) { works++; return Figures{Referrals: Referrals{Total: total}}, nil }
	}
	steps := []struct {
		name   string
		p      Period
		agency string
		at     time.Duration
		total  int // what work would give
		want   int // what the cache gives
		works  int // works so far
	}{
		{"first time: worked out", p, "", 0, 1, 1, 1},
		{"within the minute: kept", p, "", 59 * time.Second, 2, 1, 1},
		{"another agency: its own", p, "housing", 59 * time.Second, 3, 3, 2},
		{"a minute on: worked out again", p, "", time.Minute, 4, 4, 3},
		{"a third filter pushes the oldest out", q, "", time.Minute, 5, 5, 4},
		{"the one pushed out is worked out again", p, "housing", time.Minute, 6, 6, 5},
	}
	for _, s := range steps {
		f, err := c.Figures(context.Background(), s.p, s.agency, t0.Add(s.at), work(s.total))
		if err != nil || f.Referrals.Total != s.want || works != s.works {
			t.Errorf("%s: got %d (%v) after %d works, want %d after %d", s.name, f.Referrals.Total, err, works, s.want, s.works)
		}
		if len(c.entries) > 2 {
			t.Errorf("%s: %d entries kept", s.name, len(c.entries))
		}
	}
}

func TestCacheKeepsNoFailure(t *testing.T) {
	c := NewCache(time.Minute, 4)
	p := Period{date("2026-01-01"), date("2026-03-31")}
	now := date("2026-04-10")
	if _, err := c.Figures(context.Background(), p, "", now, func() (Figures, error) { return Figures{}, errors.New("database down") }); err == nil {
		t.Fatal("the failure was not returned")
	}
	f, err := c.Figures(context.Background(), p, "", now, func() (Figures, error) { return Figures{Referrals: Referrals{Total: 7}}, nil })
	if err != nil || f.Referrals.Total != 7 {
		t.Fatalf("after a failure: %v %v", f.Referrals.Total, err)
	}
}

// Requests that come while figures are worked out wait for them.
func TestCacheWorksOutOnce(t *testing.T) {
	c := NewCache(time.Minute, 4)
	p := Period{date("2026-01-01"), date("2026-03-31")}
	now := date("2026-04-10")
	release := make(chan struct{})
	var mu sync.Mutex
	works := 0
	work := func() (Figures, error) {
		mu.Lock()
		works++
		mu.Unlock()
		<-release
		return Figures{Referrals: Referrals{Total: 9}}, nil
	}
	var wg sync.WaitGroup
	results := make(chan int, 5)
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, _ := c.Figures(context.Background(), p, "", now, work)
			results <- f.Referrals.Total
		}()
	}
	for {
		c.mu.Lock()
		started := len(c.entries) == 1
		c.mu.Unlock()
		if started {
			break
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	close(results)
	for n := range results {
		if n != 9 {
			t.Errorf("a waiter got %d", n)
		}
	}
	if works != 1 {
		t.Errorf("worked out %d times", works)
	}
	// A waiter that gives up is told so.
	ctx, cancel := context.WithCancel(context.Background())
	block := make(chan struct{})
	go c.Figures(context.Background(), p, "x", now, func() (Figures, error) { <-block; return Figures{}, nil })
	for {
		c.mu.Lock()
		_, started := c.entries[cacheKey{p, "x"}]
		c.mu.Unlock()
		if started {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if _, err := c.Figures(ctx, p, "x", now, work); !errors.Is(err, context.Canceled) {
		t.Errorf("a waiter that gave up: %v", err)
	}
	close(block)
}

package report

import (
	"context"
	"sync"
	"time"
)

// Cache keeps the figures of each filter (period and agency) for a while:
// over a year of 100,000 referrals they take a second or more to work out,
// a performance report need not be fresher than a minute, and a page, its
// CSV downloads and the JSON then agree. Requests for figures being worked
// out wait for them rather than work them out again.
type Cache struct {
	ttl  time.Duration
	size int

	mu      sync.Mutex
	entries map[cacheKey]*cacheEntry
}

type cacheKey struct {
	period Period
	agency string
}

type cacheEntry struct {
	done    chan struct{} // closed once figures or err is set
	figures Figures
	err     error
	at      time.Time
}

// NewCache keeps figures for ttl, and at most size (at least one) filters
// at a time.
func NewCache(ttl time.Duration, size int) *Cache {
	return &Cache{ttl: ttl, size: max(size, 1), entries: map[cacheKey]*cacheEntry{}}
}

// Figures returns the figures of a period and agency worked out less than
// ttl before now, or works them out with work. A failure is not kept.
func (c *Cache) Figures(ctx context.Context, p Period, agency string, now time.Time, work func() (Figures, error)) (Figures, error) {
	key := cacheKey{p, agency}
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && now.Sub(e.at) < c.ttl {
		c.mu.Unlock()
		select {
		case <-e.done:
			return e.figures, e.err
		case <-ctx.Done():
			return Figures{}, ctx.Err()
		}
	}
	e := &cacheEntry{done: make(chan struct{}), at: now}
	c.evict(now)
	c.entries[key] = e
	c.mu.Unlock()

	e.figures, e.err = work()
	if e.err != nil {
		c.mu.Lock()
		if c.entries[key] == e {
			delete(c.entries, key)
		}
		c.mu.Unlock()
	}
	close(e.done)
	return e.figures, e.err
}

// evict makes room for one more entry: expired entries go, then, while
// the cache is full, the oldest. The caller holds mu.
func (c *Cache) evict(now time.Time) {
	for k, e := range c.entries {
		if now.Sub(e.at) >= c.ttl {
			delete(c.entries, k)
		}
	}
	for len(c.entries) >= c.size {
		var oldest cacheKey
		first := true
		for k, e := range c.entries {
			if first || e.at.Before(c.entries[oldest].at) {
				oldest, first = k, false
			}
		}
		delete(c.entries, oldest)
	}
}

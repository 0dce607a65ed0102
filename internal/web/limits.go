package web

import (
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// clientAddress is how the hub tells who a request comes from, for the rate
// limits: the peer address, unless the peer is one of the trusted proxies,
// which alone may name the client in X-Forwarded-For.
func clientAddress(trusted []string) (echo.IPExtractor, error) {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect(), nil
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, cidr := range trusted {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			return nil, fmt.Errorf("key server.trusted_proxies: %q is not a CIDR", cidr)
		}
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...), nil
}

// failures counts refused attempts per client address (refused bearer
// tokens): each address may fail perMinute times in a burst, then once every
// 60/perMinute seconds. Only failures count; a client with a good token is
// never slowed.
type failures struct {
	mu        sync.Mutex
	perMinute int
	now       func() time.Time
	by        map[string]*failureCount
	swept     time.Time
}

type failureCount struct {
	limiter *rate.Limiter
	last    time.Time
}

func newFailures(perMinute int, now func() time.Time) *failures {
	if perMinute < 1 {
		perMinute = 1
	}
	return &failures{perMinute: perMinute, now: now, by: map[string]*failureCount{}}
}

// blocked reports whether addr has failed too often, and when it may try again.
func (f *failures) blocked(addr string) (time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fc, ok := f.by[addr]
	if !ok {
		return 0, false
	}
	now := f.now()
	tokens := fc.limiter.TokensAt(now)
	if tokens >= 1 {
		return 0, false
	}
	perSecond := float64(f.perMinute) / 60
	return time.Duration((1 - tokens) / perSecond * float64(time.Second)), true
}

// fail counts one failure of addr.
func (f *failures) fail(addr string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	// Forget addresses quiet for ten minutes, at most once a minute, so that
	// the map does not grow without bound.
	if now.Sub(f.swept) > time.Minute {
		for a, fc := range f.by {
			if now.Sub(fc.last) > 10*time.Minute {
				delete(f.by, a)
			}
		}
		f.swept = now
	}
	fc, ok := f.by[addr]
	if !ok {
		fc = &failureCount{limiter: rate.NewLimiter(rate.Limit(float64(f.perMinute)/60), f.perMinute)}
		f.by[addr] = fc
	}
	fc.last = now
	fc.limiter.AllowN(now, 1)
}

// retryAfter sets Retry-After to whole seconds, at least one.
func retryAfter(c echo.Context, d time.Duration) {
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
}

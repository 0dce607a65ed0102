package identity

import (
	"crypto/sha256"
	"sync"
	"time"
)

// Verified access tokens are kept a short while, so that a partner's
// system sending the same token on every request pays for the signature
// check once (about a tenth of a partner's GET). What is kept is the
// verified claims only: the memberships are read afresh on every request,
// so a revoked membership still takes effect at the next one.
const (
	// tokenCacheTTL is the longest a verified token is trusted without
	// checking it again.
	tokenCacheTTL = 60 * time.Second
	// tokenCacheSize bounds the entries kept.
	tokenCacheSize = 4096
)

// tokenCache holds verified access tokens by the SHA-256 of the token, never
// the token itself. An entry lasts until the token's exp or tokenCacheTTL,
// whichever comes first.
type tokenCache struct {
	mu      sync.Mutex
	size    int
	entries map[[sha256.Size]byte]verifiedToken
}

// verifiedToken is what Bearer learnt from a token it accepted.
type verifiedToken struct {
	issuer  string
	claims  map[string]any // read only once stored
	expires time.Time
}

func newTokenCache(size int) *tokenCache {
	return &tokenCache{size: size, entries: make(map[[sha256.Size]byte]verifiedToken)}
}

// get returns the verified claims of raw if they were kept and have not
// expired at now.
func (c *tokenCache) get(raw string, now time.Time) (verifiedToken, bool) {
	key := sha256.Sum256([]byte(raw))
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.entries[key]
	if !ok {
		return verifiedToken{}, false
	}
	if !now.Before(v.expires) {
		delete(c.entries, key)
		return verifiedToken{}, false
	}
	return v, true
}

// put keeps the verified claims of raw until its exp (a token without one is
// not kept) or tokenCacheTTL after now. When the cache is full the expired
// entries go, and if none had, one entry chosen by the map's order does.
func (c *tokenCache) put(raw string, v verifiedToken, now time.Time) {
	exp, ok := v.claims["exp"].(float64)
	if !ok {
		return
	}
	v.expires = time.Unix(int64(exp), 0)
	if limit := now.Add(tokenCacheTTL); v.expires.After(limit) {
		v.expires = limit
	}
	if !now.Before(v.expires) {
		return
	}
	key := sha256.Sum256([]byte(raw))
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.size {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) < c.size {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[key] = v
}

// len is the number of entries kept, expired or not.
func (c *tokenCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

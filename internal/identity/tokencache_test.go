package identity

import (
	"fmt"
	"testing"
	"time"
)

func TestTokenCache(t *testing.T) {
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	token := func(exp time.Time) verifiedToken {
		return verifiedToken{issuer: "https://idp.example", claims: map[string]any{"sub": "s", "exp": float64(exp.Unix())}}
	}

	t.Run("kept until the token's exp", func(t *testing.T) {
		c := newTokenCache(8)
		c.put("a", token(now.Add(20*time.Second)), now)
		if _, ok := c.get("a", now.Add(19*time.Second)); !ok {
			t.Fatal("a token 1 s before its exp was not kept")
		}
		if _, ok := c.get("a", now.Add(20*time.Second)); ok {
			t.Fatal("a token at its exp was still answered from the cache")
		}
		if c.len() != 0 {
			t.Errorf("the expired entry was not dropped: %d left", c.len())
		}
	})
	t.Run("kept at most a minute", func(t *testing.T) {
		c := newTokenCache(8)
		c.put("a", token(now.Add(time.Hour)), now)
		if _, ok := c.get("a", now.Add(tokenCacheTTL-time.Second)); !ok {
			t.Fatal("not kept within the minute")
		}
		if _, ok := c.get("a", now.Add(tokenCacheTTL)); ok {
			t.Fatal("kept after the minute")
		}
	})
	t.Run("expired or without exp: not kept", func(t *testing.T) {
		c := newTokenCache(8)
		c.put("old", token(now.Add(-time.Second)), now)
		c.put("no-exp", verifiedToken{claims: map[string]any{"sub": "s"}}, now)
		if c.len() != 0 {
			t.Errorf("%d entries kept", c.len())
		}
	})
	t.Run("a different token never hits", func(t *testing.T) {
		c := newTokenCache(8)
		c.put("a.b.c", token(now.Add(time.Hour)), now)
		for _, other := range []string{"a.b.d", "a.b.c ", "A.b.c", "", "a.b"} {
			if _, ok := c.get(other, now); ok {
				t.Errorf("%q answered from the entry of another token", other)
			}
		}
		if v, ok := c.get("a.b.c", now); !ok || v.issuer != "https://idp.example" {
			t.Errorf("the token itself: %v %+v", ok, v)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		c := newTokenCache(16)
		for i := range 100 {
			c.put(fmt.Sprint("token-", i), token(now.Add(time.Hour)), now)
			if c.len() > 16 {
				t.Fatalf("%d entries after %d tokens, bound 16", c.len(), i+1)
			}
		}
		if _, ok := c.get("token-99", now); !ok {
			t.Error("the newest token was not kept")
		}
		// Expired entries go first when the cache is full.
		c = newTokenCache(2)
		c.put("short", token(now.Add(time.Second)), now)
		c.put("long", token(now.Add(time.Hour)), now)
		later := now.Add(2 * time.Second)
		c.put("new", token(later.Add(time.Hour)), later)
		if _, ok := c.get("long", later); !ok {
			t.Error("a live entry went while an expired one could")
		}
	})
}

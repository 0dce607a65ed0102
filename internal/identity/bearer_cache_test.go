package identity_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/identity"
)

// A verified token is kept for a while (tokenCache), but never past its exp,
// a refused one is refused every time, and the memberships of a kept one are
// read afresh on every request.
func TestBearerCache(t *testing.T) {
	h := newHub(t, setup{opts: func(o *identity.Options) { o.Leeway = 0 }})
	access := func(extra map[string]any) map[string]any {
		now := h.Clock.Now()
		c := map[string]any{"iss": h.IdP.URL, "aud": apiAudience, "sub": "housing-system", "roles": []string{"agency_staff"}, "agency": "housing",
			"exp": now.Add(30 * time.Second).Unix(), "iat": now.Unix()}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}

	t.Run("expiry honoured", func(t *testing.T) {
		token := h.IdP.Sign("at+jwt", access(nil))
		for _, wait := range []time.Duration{0, 29 * time.Second} {
			h.Clock.Advance(wait)
			if r := h.bearer("/api/v1/me", token); r.Status != http.StatusOK {
				t.Fatalf("%v later: %d %s", wait, r.Status, r.Body)
			}
		}
		h.Clock.Advance(2 * time.Second) // past its exp, within the minute
		if r := h.bearer("/api/v1/me", token); r.Status != http.StatusUnauthorized {
			t.Fatalf("after its exp the token was still accepted: %d %s", r.Status, r.Body)
		}
	})

	t.Run("a refused token is refused again", func(t *testing.T) {
		// Signed for the API, so the signature check passes; refused after it.
		token := h.IdP.Sign("at+jwt", access(map[string]any{"nonce": "n"}))
		for i := range 2 {
			if r := h.bearer("/api/v1/me", token); r.Status != http.StatusUnauthorized {
				t.Fatalf("request %d: %d %s", i+1, r.Status, r.Body)
			}
		}
	})

	t.Run("memberships re-read", func(t *testing.T) {
		grant(t, h, "rory@force.example", identity.Officer, "")
		token := h.IdP.Sign("at+jwt", map[string]any{"iss": h.IdP.URL, "aud": apiAudience, "sub": "r-1", "email": "rory@force.example",
			"email_verified": true, "exp": h.Clock.Now().Add(time.Hour).Unix(), "iat": h.Clock.Now().Unix()})
		if r := h.bearer("/api/v1/me", token); r.Status != http.StatusOK || !strings.Contains(r.Body, "officer") {
			t.Fatalf("before the revocation: %d %s", r.Status, r.Body)
		}
		if err := h.DB.Revoke(context.Background(), "rory@force.example", identity.Officer, "", identity.Principal{Subject: "test|admin"}); err != nil {
			t.Fatal(err)
		}
		if r := h.bearer("/api/v1/me", token); r.Status != http.StatusOK || strings.Contains(r.Body, "officer") {
			t.Fatalf("the kept token after the revocation: %d %s", r.Status, r.Body)
		}
	})
}

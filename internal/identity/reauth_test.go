package identity_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A decision that needs a recent sign-in sends the person to sign in again
// with prompt=login and max_age=0; the round trip gives a session whose
// time of sign-in is the new one. An ordinary sign-in asks for neither.
func TestSigninAgainIsFresh(t *testing.T) {
	h := newHub(t, setup{})
	h.IdP.SetUser(map[string]any{"sub": "s-1", "name": "Sam Supervisor", "roles": []string{"supervisor"}})
	first := h.signIn()
	h.Clock.Advance(20 * time.Minute)

	plain := h.get("/signin?return_to=/overrides/o-1", "")
	if u, _ := url.Parse(plain.Location); u == nil || u.Query().Has("prompt") || u.Query().Has("max_age") {
		t.Fatalf("an ordinary sign-in asks for re-authentication: %q", plain.Location)
	}
	r := h.get("/signin?return_to=/overrides/o-1&prompt=login", "")
	u, err := url.Parse(r.Location)
	if err != nil || r.Status != http.StatusSeeOther || u.Query().Get("prompt") != "login" || u.Query().Get("max_age") != "0" {
		t.Fatalf("signing in again: %d to %q, want prompt=login and max_age=0", r.Status, r.Location)
	}
	r = h.get(r.Location, "")
	if r.Status != http.StatusFound || !strings.HasPrefix(r.Location, h.URL+"/auth/callback?") {
		t.Fatalf("provider: %d to %q", r.Status, r.Location)
	}
	r = h.get(r.Location, "")
	again := sessionCookie(r)
	if r.Status != http.StatusSeeOther || r.Location != "/overrides/o-1" || again == "" || again == first {
		t.Fatalf("callback: %d to %q; want a new session and the way back", r.Status, r.Location)
	}
	old, err := h.Auth.Session(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := h.Auth.Session(context.Background(), again)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Principal.AuthTime != h.Clock.Now().Unix() || fresh.Principal.AuthTime-old.Principal.AuthTime != int64(20*time.Minute/time.Second) {
		t.Fatalf("auth time %d after %d, want the new sign-in's %d", fresh.Principal.AuthTime, old.Principal.AuthTime, h.Clock.Now().Unix())
	}
}

package identity_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/identity/oidctest"
)

// A provider that keeps e-mail and name for UserInfo: the hub asks there,
// with the sign-in's access token, before it decides who the person is.
func TestUserInfoFillsWhatTheIDTokenLacks(t *testing.T) {
	h := newHub(t, setup{idp: oidctest.Options{UserInfoOnly: []string{"email", "email_verified", "name"}}})
	grant(t, h, "uma@housing.example", identity.AgencyStaff, "housing")
	h.IdP.SetUser(map[string]any{"sub": "u-1", "name": "Uma User", "email": "uma@housing.example", "email_verified": true})
	sess, err := h.Auth.Session(context.Background(), h.signIn())
	if err != nil {
		t.Fatal(err)
	}
	if p := sess.Principal; p.Email != "uma@housing.example" || p.Name != "Uma User" || p.Agency != "housing" {
		t.Fatalf("principal %+v: want the e-mail and name from UserInfo and the membership they give", p)
	}
}

// email_verified false gives no memberships unless the issuer's claims say
// its addresses are trusted without it (Entra ID), and then email_claims
// choose where the address is.
func TestEmailVerifiedRequired(t *testing.T) {
	cases := []struct {
		name       string
		trust      bool
		emailClaim []string
		user       map[string]any
		want       bool
	}{
		{"required, false", false, nil, map[string]any{"sub": "s", "email": "eve@housing.example", "email_verified": false}, false},
		{"required, absent", false, nil, map[string]any{"sub": "s", "email": "eve@housing.example"}, false},
		{"required, true", false, nil, map[string]any{"sub": "s", "email": "eve@housing.example", "email_verified": true}, true},
		{"not required, false", true, nil, map[string]any{"sub": "s", "email": "eve@housing.example", "email_verified": false}, true},
		{"not required, absent", true, nil, map[string]any{"sub": "s", "email": "Eve@Housing.example"}, true},
		{"not required, address in upn", true, []string{"email", "preferred_username", "upn"}, map[string]any{"sub": "s", "upn": "eve@housing.example"}, true},
		{"first present wins", true, []string{"email", "upn"}, map[string]any{"sub": "s", "email": "other@housing.example", "upn": "eve@housing.example"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHub(t, setup{opts: func(o *identity.Options) {
				o.Claims[0].TrustEmail, o.Claims[0].EmailClaims = c.trust, c.emailClaim
			}})
			grant(t, h, "eve@housing.example", identity.AgencyStaff, "housing")
			h.IdP.SetUser(c.user)
			cookie := h.signIn()
			sess, err := h.Auth.Session(context.Background(), cookie)
			if err != nil {
				t.Fatal(err)
			}
			if got := sess.Principal.Has(identity.AgencyStaff); got != c.want {
				t.Fatalf("membership applies: %v, want %v (principal %+v)", got, c.want, sess.Principal)
			}
			if !c.want {
				// The no-role page shows what the hub received, so that an admin can grant it.
				r := h.get("/", cookie)
				shown := sess.Principal.Received
				if r.Status != http.StatusOK || !strings.Contains(r.Body, "You do not have access yet") || shown == "" || !strings.Contains(r.Body, shown) {
					t.Errorf("no-role page: %d, want it to show %q\n%s", r.Status, shown, r.Body)
				}
			}
		})
	}
}

// Without any e-mail the no-role page shows the subject.
func TestNoRolePageShowsSubject(t *testing.T) {
	h := newHub(t, setup{})
	h.IdP.SetUser(map[string]any{"sub": "subject-4711"})
	r := h.get("/", h.signIn())
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "subject-4711") {
		t.Fatalf("no-role page: %d, want the subject shown\n%s", r.Status, r.Body)
	}
}

// An ID token is never an API access token, whatever its audience says.
func TestIDTokenIsNotAnAccessToken(t *testing.T) {
	h := newHub(t, setup{})
	user := map[string]any{"sub": "p-1", "roles": []string{"officer"}}
	cases := []struct {
		name  string
		token string
	}{
		{"ID token for the client", h.IdP.IDToken(user, oidctest.None)},
		{"ID token whose audience includes the API", h.IdP.IDToken(merge(user, map[string]any{"aud": []string{clientID, apiAudience}}), oidctest.None)},
		{"any token with a nonce", h.IdP.AccessToken(merge(user, map[string]any{"nonce": "n-1"}), oidctest.None)},
		{"untyped token for the client and the API", h.IdP.Sign("JWT", merge(user, map[string]any{"iss": h.IdP.URL, "aud": []string{apiAudience, clientID},
			"iat": h.Clock.Now().Unix(), "exp": h.Clock.Now().Add(time.Hour).Unix()}))},
	}
	for _, c := range cases {
		if r := h.bearer("/api/v1/me", c.token); r.Status != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", c.name, r.Status)
		}
	}
	if r := h.bearer("/api/v1/me", h.IdP.AccessToken(user, oidctest.None)); r.Status != http.StatusOK {
		t.Fatalf("a real access token: %d %s", r.Status, r.Body)
	}
}

// The provider's clock may be a little off: within the leeway an expired or
// future token passes, beyond it not.
func TestClockLeeway(t *testing.T) {
	h := newHub(t, setup{opts: func(o *identity.Options) { o.Leeway = 2 * time.Minute }})
	now := h.Clock.Now()
	tok := func(iat, exp time.Time) string {
		return h.IdP.AccessToken(map[string]any{"sub": "p-1", "roles": []string{"officer"}, "iat": iat.Unix(), "exp": exp.Unix()}, oidctest.None)
	}
	cases := []struct {
		name     string
		iat, exp time.Time
		want     int
	}{
		{"expired a minute ago", now.Add(-time.Hour), now.Add(-time.Minute), http.StatusOK},
		{"expired three minutes ago", now.Add(-time.Hour), now.Add(-3 * time.Minute), http.StatusUnauthorized},
		{"issued a minute ahead", now.Add(time.Minute), now.Add(time.Hour), http.StatusOK},
		{"issued five minutes ahead", now.Add(5 * time.Minute), now.Add(time.Hour), http.StatusUnauthorized},
	}
	for _, c := range cases {
		if r := h.bearer("/api/v1/me", tok(c.iat, c.exp)); r.Status != c.want {
			t.Errorf("%s: %d, want %d", c.name, r.Status, c.want)
		}
	}
}

// An unknown time of sign-in is never a recent one.
func TestMissingAuthTimeIsNotFresh(t *testing.T) {
	h := newHub(t, setup{})
	cases := []struct {
		name   string
		claims map[string]any
		want   int64
	}{
		{"no auth_time", map[string]any{"sub": "p-1"}, 0},
		{"auth_time zero", map[string]any{"sub": "p-1", "auth_time": 0}, 0},
		{"auth_time not a number", map[string]any{"sub": "p-1", "auth_time": "now"}, 0},
		{"auth_time given", map[string]any{"sub": "p-1", "auth_time": h.Clock.Now().Add(-time.Minute).Unix()}, h.Clock.Now().Add(-time.Minute).Unix()},
	}
	for _, c := range cases {
		p, err := h.Auth.Bearer(context.Background(), h.IdP.AccessToken(c.claims, oidctest.None))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if p.AuthTime != c.want {
			t.Errorf("%s: auth time %d, want %d", c.name, p.AuthTime, c.want)
		}
	}
}

// Login CSRF: a callback URL minted in one browser does not sign another in.
func TestCallbackFromAnotherBrowserRefused(t *testing.T) {
	h := newHub(t, setup{})
	cb := h.callback("")
	other := *h
	other.binding = ""
	r := other.get(cb, "")
	if r.Status != http.StatusUnauthorized || sessionCookie(r) != "" {
		t.Fatalf("callback in a browser that did not start the sign-in: %d, want 401 and no session", r.Status)
	}
	// Nor does a browser with a binding of its own.
	cb = h.callback("")
	other.binding = identity.NewBinding()
	if r := other.get(cb, ""); r.Status != http.StatusUnauthorized || sessionCookie(r) != "" {
		t.Fatalf("callback with another browser's binding: %d, want 401", r.Status)
	}
	// The browser that started it still can (the state was not spent by the refusals above).
	if r := h.get(h.callback(""), ""); r.Status != http.StatusSeeOther || sessionCookie(r) == "" {
		t.Fatalf("callback in the right browser: %d", r.Status)
	}
}

// A membership revoked takes effect on an open session and on tokens at
// their next request; an admin can end a person's sessions; a person can
// sign out everywhere.
func TestSessionsFollowMemberships(t *testing.T) {
	ctx := context.Background()
	h := newHub(t, setup{})
	grant(t, h, "rory@force.example", identity.Officer, "")
	h.IdP.SetUser(map[string]any{"sub": "r-1", "email": "rory@force.example", "email_verified": true})
	cookie := h.signIn()
	token := h.IdP.AccessToken(map[string]any{"sub": "r-1", "email": "rory@force.example", "email_verified": true}, oidctest.None)
	if sess, err := h.Auth.Session(ctx, cookie); err != nil || !sess.Principal.Has(identity.Officer) {
		t.Fatalf("before: %+v %v", sess.Principal, err)
	}
	if err := h.DB.Revoke(ctx, "rory@force.example", identity.Officer, "", identity.Principal{Subject: "test|admin"}); err != nil {
		t.Fatal(err)
	}
	if sess, err := h.Auth.Session(ctx, cookie); err != nil || len(sess.Principal.Roles) != 0 {
		t.Fatalf("after the revocation the session still has %v (%v)", sess.Principal.Roles, err)
	}
	r := h.bearer("/api/v1/me", token)
	if r.Status != http.StatusOK || strings.Contains(r.Body, "officer") {
		t.Fatalf("token after the revocation: %d %s", r.Status, r.Body)
	}

	second := h.signIn()
	n, err := h.Auth.EndSessions(ctx, identity.SessionsOf{Email: "Rory@force.example"}, identity.Principal{Subject: "test|admin"})
	if err != nil || n != 2 {
		t.Fatalf("an admin ending the sessions: %d ended, %v; want 2", n, err)
	}
	h.signedOut(cookie)
	h.signedOut(second)

	a, b := h.signIn(), h.signIn()
	if r := h.post("/signout/everywhere", a, url.Values{"csrf": {h.csrf(a)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d", r.Status)
	}
	h.signedOut(a)
	h.signedOut(b)
}

func grant(t testing.TB, h *hub, email string, r identity.Role, agency string) {
	t.Helper()
	if err := h.DB.Grant(context.Background(), identity.Membership{Email: email, Role: r, Agency: agency}, identity.Principal{Subject: "test|admin"}); err != nil {
		t.Fatal(err)
	}
}

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// Every reason a person ends with no role is logged, with the request id
// the person sees, and without their e-mail address.
func TestNoRoleReasonsLogged(t *testing.T) {
	var logs syncBuffer
	h := newHub(t, setup{log: &logs, opts: func(o *identity.Options) {
		o.KnownAgency = func(id string) bool { return id == "housing" }
	}})
	cases := []struct {
		user   map[string]any
		reason string
	}{
		{map[string]any{"sub": "a", "email": "a@x.example", "email_verified": false}, "email_verified is not true"},
		{map[string]any{"sub": "b"}, "no e-mail address in the claims email"},
		{map[string]any{"sub": "c", "email": "c@x.example", "email_verified": true}, "no membership for the e-mail address"},
		{map[string]any{"sub": "d", "roles": []string{"agency_staff"}, "agency": "nowhere"}, `agency \"nowhere\" is not in the agency files`},
		{map[string]any{"sub": "e", "roles": []string{"agency_staff"}}, "no string at the agency path agency"},
		{map[string]any{"sub": "f", "roles": []string{"nothing"}}, "none mapped to a role"},
	}
	h.IdP.SetUser(map[string]any{"sub": "g", "roles": []string{"agency_staff", "auditor"}, "agency": "nowhere"})
	before := logs.Len()
	h.get(h.callback(""), "")
	if line := logs.String()[before:]; !strings.Contains(line, `"msg":"a role was dropped"`) || !strings.Contains(line, `nowhere`) || !requestIDField.MatchString(line) {
		t.Errorf("agency_staff of an unknown agency dropped beside another role: want a line saying why, got:\n%s", line)
	}
	for _, c := range cases {
		h.IdP.SetUser(c.user)
		before := logs.Len()
		r := h.get(h.callback(""), "")
		line := logs.String()[before:]
		if r.Status != http.StatusSeeOther || !strings.Contains(line, `"msg":"signed in with no role"`) || !strings.Contains(line, c.reason) {
			t.Errorf("%v: want a no-role line naming %q, got:\n%s", c.user, c.reason, line)
		}
		if m := requestIDField.FindStringSubmatch(line); m == nil || len(m[1]) < 16 {
			t.Errorf("%v: the line carries no request id:\n%s", c.user, line)
		}
		if strings.Contains(line, "@x.example") {
			t.Errorf("the log holds an e-mail address:\n%s", line)
		}
	}
}

var requestIDField = regexp.MustCompile(`"request_id":"([0-9a-f]*)"`)

// syncBuffer is a log destination the hub's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

// Expired sign-in states are pruned as new ones come.
func TestExpiredSigninStatesPruned(t *testing.T) {
	h := newHub(t, setup{})
	ctx := context.Background()
	old := identity.SigninState{State: "old-state", Nonce: "n", Verifier: "v", ReturnTo: "/", Browser: "b", CreatedAt: h.Clock.Now()}
	if err := h.DB.SaveSigninState(ctx, old); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(identity.SigninTTL + time.Second)
	fresh := old
	fresh.State, fresh.CreatedAt = "fresh-state", h.Clock.Now()
	if err := h.DB.SaveSigninState(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if _, err := h.DB.TakeSigninState(ctx, "old-state"); err == nil {
		t.Fatalf("an expired sign-in state was kept")
	}
	if _, err := h.DB.TakeSigninState(ctx, "fresh-state"); err != nil {
		t.Fatalf("the new state: %v", err)
	}
}

// The cost of reading a session, now that every request reads the person's
// memberships again so that a revocation takes effect at once.
func BenchmarkSessionFollowsMemberships(b *testing.B) {
	h := newHub(b, setup{})
	grant(b, h, "bea@force.example", identity.Officer, "")
	h.IdP.SetUser(map[string]any{"sub": "b-1", "email": "bea@force.example", "email_verified": true})
	cookie := h.signIn()
	ctx := context.Background()
	b.Run("session row only", func(b *testing.B) {
		for b.Loop() {
			if _, err := h.DB.TouchSession(ctx, cookie, time.Hour, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("with memberships", func(b *testing.B) {
		for b.Loop() {
			if _, err := h.Auth.Session(ctx, cookie); err != nil {
				b.Fatal(err)
			}
		}
	})
}

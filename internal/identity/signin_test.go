package identity_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/identity/oidctest"
)

func TestSigninHappyPath(t *testing.T) {
	h := newHub(t, setup{})
	if n := h.IdP.Discoveries(); n != 0 {
		t.Fatalf("the provider was contacted %d times before the first sign-in", n)
	}
	h.IdP.SetUser(map[string]any{"sub": "p-7", "name": "Olive Officer", "email": "olive@force.example", "email_verified": true, "roles": []string{"officer"}})

	r := h.get(h.callback("/admin/memberships?x=1"), "")
	cookie := sessionCookie(r)
	if r.Status != http.StatusSeeOther || r.Location != "/admin/memberships?x=1" || cookie == "" {
		t.Fatalf("callback: %d to %q; want 303 back to where the person was going", r.Status, r.Location)
	}
	for _, c := range r.Cookies {
		if c.Name == cookieName && (!c.Secure || !c.HttpOnly || c.Path != "/") {
			t.Errorf("session cookie %+v: want Secure, HttpOnly, Path=/", c)
		}
	}
	r = h.get("/", cookie)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Olive Officer") || !strings.Contains(r.Body, "Police officer") {
		t.Fatalf("home: %d\n%s", r.Status, r.Body)
	}
	sess, err := h.Auth.Session(context.Background(), cookie)
	if err != nil {
		t.Fatal(err)
	}
	p := sess.Principal
	if p.Subject != h.IdP.URL+"|p-7" || p.Email != "olive@force.example" || !p.Has(identity.Officer) || len(p.Roles) != 1 {
		t.Errorf("principal %+v", p)
	}
	if p.AuthTime != h.Clock.Now().Unix() {
		t.Errorf("auth time %d, want the provider's auth_time %d", p.AuthTime, h.Clock.Now().Unix())
	}
	if sess.IDToken == "" || len(sess.CSRF) < 43 || len(cookie) < 43 {
		t.Errorf("session lacks the ID token, or a strong CSRF or cookie token")
	}
	if n := h.IdP.Discoveries(); n != 1 {
		t.Errorf("discovery ran %d times, want once", n)
	}
}

func TestSigninRefused(t *testing.T) {
	cases := []struct {
		name   string
		fault  oidctest.Fault
		mangle func(h *hub, callback string) string
	}{
		{name: "tampered state", mangle: func(_ *hub, cb string) string {
			u, _ := url.Parse(cb)
			q := u.Query()
			q.Set("state", q.Get("state")+"x")
			u.RawQuery = q.Encode()
			return u.String()
		}},
		{name: "replayed state", mangle: func(h *hub, cb string) string {
			if r := h.get(cb, ""); r.Status != http.StatusSeeOther || sessionCookie(r) == "" {
				h.t.Fatalf("first use of the callback: %d", r.Status)
			}
			return cb
		}},
		{name: "state older than ten minutes", mangle: func(h *hub, cb string) string {
			h.Clock.Advance(11 * time.Minute)
			return cb
		}},
		{name: "no code", mangle: func(_ *hub, cb string) string {
			u, _ := url.Parse(cb)
			q := u.Query()
			q.Del("code")
			u.RawQuery = q.Encode()
			return u.String()
		}},
		{name: "code not from the provider", mangle: func(_ *hub, cb string) string {
			u, _ := url.Parse(cb)
			q := u.Query()
			q.Set("code", "forged")
			u.RawQuery = q.Encode()
			return u.String()
		}},
		{name: "wrong nonce", fault: oidctest.WrongNonce},
		{name: "expired ID token", fault: oidctest.Expired},
		{name: "wrong audience", fault: oidctest.WrongAudience},
		{name: "wrong issuer", fault: oidctest.WrongIssuer},
		{name: "unknown signing key", fault: oidctest.UnknownKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHub(t, setup{})
			h.IdP.SetFault(c.fault)
			cb := h.callback("")
			if c.mangle != nil {
				cb = c.mangle(h, cb)
			}
			r := h.get(cb, "")
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("callback: %d to %q, want 401", r.Status, r.Location)
			}
			if !strings.Contains(r.Body, "sign in again") || !strings.Contains(r.Body, "<html") {
				t.Errorf("want an error page that says to sign in again:\n%s", r.Body)
			}
			if token := sessionCookie(r); token != "" {
				t.Fatalf("a refused sign-in set a session cookie")
			}
			h.signedOut("")
		})
	}
}

// The provider shares the hub's listener in development: nothing may reach
// it at start, and a failed discovery must be tried again later.
func TestDiscoveryIsLazyAndRetried(t *testing.T) {
	h := newHub(t, setup{})
	h.IdP.SetDown(true)
	if r := h.get("/signin", ""); r.Status != http.StatusServiceUnavailable {
		t.Fatalf("signin with the provider down: %d, want 503", r.Status)
	}
	h.IdP.SetDown(false)
	h.signIn()
	if n := h.IdP.Discoveries(); n != 2 {
		t.Errorf("discovery ran %d times, want 2 (one failure, one success)", n)
	}
}

func TestSigninWithoutRole(t *testing.T) {
	h := newHub(t, setup{})
	h.IdP.SetUser(map[string]any{"sub": "p-9", "name": "Nora Norole", "email": "nora@example.org", "email_verified": true})
	r := h.get("/", h.signIn())
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "You do not have access yet") || !strings.Contains(r.Body, "nora@example.org") {
		t.Fatalf("home without a role: %d\n%s", r.Status, r.Body)
	}
}

func TestSigninMemberships(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		user  map[string]any
		roles []identity.Role
		agcy  string
	}{
		{"verified e-mail gets its memberships", map[string]any{"sub": "s", "email": "Sam@Housing.example", "email_verified": true},
			[]identity.Role{identity.AgencyStaff, identity.Admin}, "housing"},
		{"email_verified as a string", map[string]any{"sub": "s", "email": "sam@housing.example", "email_verified": "true"},
			[]identity.Role{identity.AgencyStaff, identity.Admin}, "housing"},
		{"unverified e-mail gets none", map[string]any{"sub": "s", "email": "sam@housing.example", "email_verified": false}, nil, ""},
		{"no email_verified claim gets none", map[string]any{"sub": "s", "email": "sam@housing.example"}, nil, ""},
		// An empty e-mail must not be taken as "everyone's memberships".
		{"no e-mail gets none", map[string]any{"sub": "s", "email_verified": true}, nil, ""},
		{"claims and memberships together", map[string]any{"sub": "s", "email": "sam@housing.example", "email_verified": true, "roles": []string{"auditor"}},
			[]identity.Role{identity.AgencyStaff, identity.Auditor, identity.Admin}, "housing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHub(t, setup{})
			for _, m := range []identity.Membership{
				{Email: "sam@housing.example", Role: identity.AgencyStaff, Agency: "housing", GrantedBy: "test"},
				{Email: "sam@housing.example", Role: identity.Admin, GrantedBy: "test"},
			} {
				if err := h.DB.Grant(ctx, m, identity.Principal{Subject: "test|admin"}); err != nil {
					t.Fatal(err)
				}
			}
			h.IdP.SetUser(c.user)
			sess, err := h.Auth.Session(ctx, h.signIn())
			if err != nil {
				t.Fatal(err)
			}
			if got := sess.Principal; !equalRoles(got.Roles, c.roles) || got.Agency != c.agcy {
				t.Errorf("roles %v agency %q, want %v %q", got.Roles, got.Agency, c.roles, c.agcy)
			}
		})
	}
}

func TestUnknownAgencyDropped(t *testing.T) {
	h := newHub(t, setup{opts: func(o *identity.Options) { o.KnownAgency = func(id string) bool { return id == "housing" } }})
	h.IdP.SetUser(map[string]any{"sub": "s", "roles": []string{"agency_staff", "auditor"}, "agency": "nowhere"})
	sess, err := h.Auth.Session(context.Background(), h.signIn())
	if err != nil {
		t.Fatal(err)
	}
	if got := sess.Principal; !equalRoles(got.Roles, []identity.Role{identity.Auditor}) || got.Agency != "" {
		t.Errorf("roles %v agency %q: agency_staff of an unknown agency must be dropped", got.Roles, got.Agency)
	}
}

func TestSessionTimeouts(t *testing.T) {
	t.Run("idle", func(t *testing.T) {
		h := newHub(t, setup{})
		cookie := h.signIn()
		h.Clock.Advance(29 * time.Minute)
		if r := h.get("/", cookie); r.Status != http.StatusOK {
			t.Fatalf("after 29 idle minutes: %d, want 200", r.Status)
		}
		h.Clock.Advance(31 * time.Minute)
		h.signedOut(cookie)
		h.Clock.Advance(-31 * time.Minute)
		h.signedOut(cookie) // the expired session was deleted, not merely refused
	})
	t.Run("absolute", func(t *testing.T) {
		h := newHub(t, setup{})
		cookie := h.signIn()
		for range 5 { // active every 20 minutes, up to 1h40
			h.Clock.Advance(20 * time.Minute)
			if r := h.get("/", cookie); r.Status != http.StatusOK {
				t.Fatalf("at %v: %d, want 200", h.Clock.Now(), r.Status)
			}
		}
		h.Clock.Advance(21 * time.Minute) // 2h01 since sign-in, 21 minutes idle
		h.signedOut(cookie)
	})
}

func TestSignout(t *testing.T) {
	h := newHub(t, setup{})
	cookie := h.signIn()
	csrf := h.csrf(cookie)

	if r := h.post("/signout", cookie, url.Values{"csrf": {"wrong"}}); r.Status != http.StatusForbidden {
		t.Fatalf("signout with a wrong CSRF token: %d, want 403", r.Status)
	}
	if r := h.get("/", cookie); r.Status != http.StatusOK {
		t.Fatalf("a refused signout ended the session: %d", r.Status)
	}

	r := h.post("/signout", cookie, url.Values{"csrf": {csrf}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, h.IdP.URL+"/logout?") {
		t.Fatalf("signout: %d to %q, want 303 to the provider's end-session endpoint", r.Status, r.Location)
	}
	h.signedOut(cookie)
	r = h.get(r.Location, "")
	if r.Status != http.StatusFound || r.Location != h.URL+"/signed-out" {
		t.Fatalf("provider logout: %d to %q", r.Status, r.Location)
	}
	q := h.IdP.Logouts()[0]
	if q.Get("id_token_hint") == "" || q.Get("client_id") != clientID || q.Get("post_logout_redirect_uri") != h.URL+"/signed-out" {
		t.Errorf("end-session request %v", q)
	}
	if r := h.get("/signed-out", ""); r.Status != http.StatusOK {
		t.Errorf("signed-out page: %d", r.Status)
	}
}

func TestSignoutWithoutEndSession(t *testing.T) {
	h := newHub(t, setup{idp: oidctest.Options{NoEndSession: true}})
	cookie := h.signIn()
	r := h.post("/signout", cookie, url.Values{"csrf": {h.csrf(cookie)}})
	if r.Status != http.StatusSeeOther || r.Location != "/signed-out" {
		t.Fatalf("signout: %d to %q, want 303 to /signed-out", r.Status, r.Location)
	}
	h.signedOut(cookie)
}

func TestConfidentialClient(t *testing.T) {
	h := newHub(t, setup{idp: oidctest.Options{ClientSecret: "s3cret"}, opts: func(o *identity.Options) { o.ClientSecret = "s3cret" }})
	h.signIn()
	h2 := newHub(t, setup{idp: oidctest.Options{ClientSecret: "s3cret"}, opts: func(o *identity.Options) { o.ClientSecret = "wrong" }})
	if r := h2.get(h2.callback(""), ""); r.Status != http.StatusUnauthorized {
		t.Fatalf("callback with a wrong client secret: %d, want 401", r.Status)
	}
}

func TestNewServiceRefuses(t *testing.T) {
	good := identity.Options{BaseURL: "http://127.0.0.1:8080", Issuer: "https://idp.example", ClientID: "hub", APIAudience: "hub-api", Idle: time.Minute, Absolute: time.Hour}
	cases := []struct {
		name string
		edit func(*identity.Options)
	}{
		{"relative base URL", func(o *identity.Options) { o.BaseURL = "/hub" }},
		{"no issuer", func(o *identity.Options) { o.Issuer = "" }},
		{"no client", func(o *identity.Options) { o.ClientID = "" }},
		{"no audience", func(o *identity.Options) { o.APIAudience = "" }},
		{"audience is the client", func(o *identity.Options) { o.APIAudience = o.ClientID }},
		{"no idle timeout", func(o *identity.Options) { o.Idle = 0 }},
		{"absolute shorter than idle", func(o *identity.Options) { o.Absolute = time.Second }},
		{"claims without issuer", func(o *identity.Options) { o.Claims = []identity.ClaimRules{{RolePaths: []string{"roles"}}} }},
		{"claims twice for one issuer", func(o *identity.Options) {
			o.Claims = []identity.ClaimRules{{Issuer: "https://idp.example"}, {Issuer: "https://idp.example"}}
		}},
		{"map to no role", func(o *identity.Options) {
			o.Claims = []identity.ClaimRules{{Issuer: "https://idp.example", Map: map[string]string{"Hub.Boss": "boss"}}}
		}},
	}
	if _, err := identity.NewService(good, nil, nil); err != nil {
		t.Fatalf("good options refused: %v", err)
	}
	for _, c := range cases {
		o := good
		c.edit(&o)
		if _, err := identity.NewService(o, nil, nil); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
}

func equalRoles(a, b []identity.Role) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

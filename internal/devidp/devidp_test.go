package devidp

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"
)

// env is the provider mounted at /devidp on a test server, as the hub mounts
// it, with go-oidc and x/oauth2 as the relying party.
type env struct {
	cfg     Config
	p       *Provider
	op      *gooidc.Provider
	oauth   oauth2.Config
	mounted atomic.Pointer[http.Handler]
}

// serve mounts p in place of the provider served so far, as a restart would.
func (e *env) serve(p *Provider) {
	h := p.Handler()
	e.mounted.Store(&h)
	e.p = p
}

func start(t *testing.T, dir string, now func() time.Time) *env {
	t.Helper()
	return startOn(t, dir, now, func(h http.Handler) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/devidp/", h)
		return mux
	})
}

// startOn serves the provider on the router that mount builds around it.
func startOn(t *testing.T, dir string, now func() time.Time, mount func(http.Handler) http.Handler) *env {
	t.Helper()
	var router http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { router.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	cfg := Config{
		Issuer:                srv.URL + "/devidp",
		ClientID:              "hub-dev",
		RedirectURI:           srv.URL + "/auth/callback",
		PostLogoutRedirectURI: srv.URL + "/signed-out",
		APIAudience:           "hub-api",
		DataDir:               dir,
		Now:                   now,
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e := &env{cfg: cfg}
	e.serve(p)
	router = mount(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*e.mounted.Load()).ServeHTTP(w, r)
	}))
	e.discover(t)
	return e
}

// discover reads the provider's metadata afresh, as a relying party starting up.
func (e *env) discover(t *testing.T) {
	t.Helper()
	op, err := gooidc.NewProvider(t.Context(), e.cfg.Issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	e.op = op
	e.oauth = oauth2.Config{
		ClientID:    e.cfg.ClientID,
		Endpoint:    op.Endpoint(),
		RedirectURL: e.cfg.RedirectURI,
		Scopes:      []string{gooidc.ScopeOpenID, "profile", "email"},
	}
}

// browser follows redirects and keeps cookies, but stops at the hub's
// callback so that the test can read the code.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/auth/callback" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// picker is the persona picker page as a browser got it.
type picker struct {
	status int
	body   string
	action string
	form   url.Values
}

var (
	actionRE = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	hiddenRE = regexp.MustCompile(`<input type="hidden" name="(id|token)" value="([^"]*)">`)
)

// get fetches a URL with the browser and reads the body.
func get(t *testing.T, b *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := b.Get(u)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// openPicker starts a sign-in with the given authorize options and returns
// the page the browser lands on.
func (e *env) openPicker(t *testing.T, b *http.Client, opts ...oauth2.AuthCodeOption) picker {
	t.Helper()
	resp, body := get(t, b, e.oauth.AuthCodeURL("state-1", opts...))
	pk := picker{status: resp.StatusCode, body: body, form: url.Values{}}
	if m := actionRE.FindStringSubmatch(body); m != nil {
		pk.action = m[1]
	}
	for _, m := range hiddenRE.FindAllStringSubmatch(body, -1) {
		pk.form.Set(m[1], m[2])
	}
	return pk
}

// choose posts the picker's form for a persona and returns the response the
// browser stopped at.
func choose(t *testing.T, b *http.Client, pk picker, persona string) (*http.Response, string) {
	t.Helper()
	if pk.action == "" {
		t.Fatalf("no form on the picker page (status %d)", pk.status)
	}
	form := url.Values{"id": {pk.form.Get("id")}, "token": {pk.form.Get("token")}, "persona": {persona}}
	resp, err := b.PostForm(pk.action, form)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// signIn runs the browser part of a sign-in with PKCE and returns the code.
func (e *env) signIn(t *testing.T, persona, verifier, nonce string) string {
	t.Helper()
	b := browser(t)
	pk := e.openPicker(t, b, oauth2.S256ChallengeOption(verifier), gooidc.Nonce(nonce))
	resp, _ := choose(t, b, pk, persona)
	cb := callback(t, resp)
	if cb.Get("state") != "state-1" || cb.Get("code") == "" {
		t.Fatalf("callback = %v, want the state and a code", cb)
	}
	return cb.Get("code")
}

// callback is the query of the redirect to the hub's callback.
func callback(t *testing.T, resp *http.Response) url.Values {
	t.Helper()
	loc, err := resp.Location()
	if err != nil || loc.Path != "/auth/callback" {
		t.Fatalf("status %d, Location %v: want a redirect to /auth/callback", resp.StatusCode, loc)
	}
	return loc.Query()
}

// hubClaims are the claims the hub reads from both kinds of token.
type hubClaims struct {
	Subject       string   `json:"sub"`
	Audience      []string `json:"aud"`
	Name          string   `json:"name"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	Roles         []string `json:"hub_roles"`
	Agency        *string  `json:"hub_agency"`
	IssuedAt      int64    `json:"iat"`
	Expiry        int64    `json:"exp"`
	Nonce         string   `json:"nonce"`
}

func claimsOf(t *testing.T, tok *gooidc.IDToken) hubClaims {
	t.Helper()
	var c hubClaims
	if err := tok.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

// header is the decoded JOSE header of a compact JWT.
func header(t *testing.T, jwt string) map[string]string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(jwt, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]string
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func (e *env) idVerifier() *gooidc.IDTokenVerifier {
	return e.op.Verifier(&gooidc.Config{ClientID: "hub-dev"})
}

func (e *env) apiVerifier() *gooidc.IDTokenVerifier {
	return e.op.Verifier(&gooidc.Config{ClientID: "hub-api"})
}

func checkPersona(t *testing.T, c hubClaims, p Persona) {
	t.Helper()
	if c.Subject != p.ID || c.Name != p.Name || c.Email != p.Email || !c.EmailVerified {
		t.Errorf("sub, name, email, email_verified = %q, %q, %q, %v; want %q, %q, %q, true", c.Subject, c.Name, c.Email, c.EmailVerified, p.ID, p.Name, p.Email)
	}
	if !slices.Equal(c.Roles, p.Roles) {
		t.Errorf("hub_roles = %v, want %v", c.Roles, p.Roles)
	}
	switch {
	case p.Agency == "" && c.Agency != nil:
		t.Errorf("hub_agency = %q, want none", *c.Agency)
	case p.Agency != "" && (c.Agency == nil || *c.Agency != p.Agency):
		t.Errorf("hub_agency = %v, want %q", c.Agency, p.Agency)
	}
}

func TestSignInWithPKCE(t *testing.T) {
	e := start(t, t.TempDir(), nil)
	for _, p := range Personas {
		t.Run(p.ID, func(t *testing.T) {
			verifier, nonce := oauth2.GenerateVerifier(), "nonce-"+p.ID
			code := e.signIn(t, p.ID, verifier, nonce)
			tok, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}

			rawID, _ := tok.Extra("id_token").(string)
			idt, err := e.idVerifier().Verify(t.Context(), rawID)
			if err != nil {
				t.Fatalf("ID token: %v", err)
			}
			id := claimsOf(t, idt)
			if id.Nonce != nonce {
				t.Errorf("nonce = %q, want %q", id.Nonce, nonce)
			}
			if !slices.Equal(id.Audience, []string{"hub-dev"}) {
				t.Errorf("ID token aud = %v, want [hub-dev]", id.Audience)
			}
			checkPersona(t, id, p)

			at, err := e.apiVerifier().Verify(t.Context(), tok.AccessToken)
			if err != nil {
				t.Fatalf("access token: %v", err)
			}
			access := claimsOf(t, at)
			if !slices.Equal(access.Audience, []string{"hub-api"}) {
				t.Errorf("access token aud = %v, want [hub-api]", access.Audience)
			}
			if got := access.Expiry - access.IssuedAt; got != 3600 {
				t.Errorf("access token lives %ds, want 3600", got)
			}
			if h := header(t, tok.AccessToken); h["typ"] != "at+jwt" || h["kid"] != header(t, rawID)["kid"] {
				t.Errorf("access token header = %v, want typ at+jwt and the ID token's kid", h)
			}
			checkPersona(t, access, p)

			if _, err := e.apiVerifier().Verify(t.Context(), rawID); err == nil {
				t.Error("the ID token passed as an API access token")
			}
			if _, err := e.idVerifier().Verify(t.Context(), tok.AccessToken); err == nil {
				t.Error("the access token passed as an ID token")
			}
			if _, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(verifier)); err == nil {
				t.Error("a code was exchanged twice")
			}

			info, err := e.op.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userinfo: %v", err)
			}
			var ui hubClaims
			if err := info.Claims(&ui); err != nil {
				t.Fatal(err)
			}
			checkPersona(t, ui, p)
		})
	}
}

// TestMountedOnEcho signs in through the provider mounted as the hub mounts
// it: on its Echo router at /devidp/*, path unstripped.
func TestMountedOnEcho(t *testing.T) {
	e := startOn(t, t.TempDir(), nil, func(h http.Handler) http.Handler {
		router := echo.New()
		router.Any("/devidp/*", echo.WrapHandler(h))
		return router
	})
	verifier := oauth2.GenerateVerifier()
	tok, err := e.oauth.Exchange(t.Context(), e.signIn(t, "idva", verifier, "n"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if _, err := e.apiVerifier().Verify(t.Context(), tok.AccessToken); err != nil {
		t.Errorf("access token: %v", err)
	}
}

func TestPickerListsEveryPersona(t *testing.T) {
	e := start(t, t.TempDir(), nil)
	pk := e.openPicker(t, browser(t), oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	if pk.status != http.StatusOK {
		t.Fatalf("status %d, want 200", pk.status)
	}
	if n := strings.Count(pk.body, `name="persona"`); n != 13 {
		t.Errorf("%d persona buttons, want 13", n)
	}
	for _, p := range Personas {
		for _, want := range []string{`value="` + p.ID + `"`, p.Name, "Role: " + p.Roles[0]} {
			if !strings.Contains(pk.body, want) {
				t.Errorf("the page lacks %q of %s", want, p.ID)
			}
		}
		if p.Agency != "" && !strings.Contains(pk.body, "Agency: "+p.Agency) {
			t.Errorf("the page lacks the agency of %s", p.ID)
		}
	}
	for _, want := range []string{`<html lang="en"`, "<title>", "Development sign-in — not for real data"} {
		if !strings.Contains(pk.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := strings.Count(pk.body, "<h1"); n != 1 {
		t.Errorf("%d h1 headings, want 1", n)
	}
	for _, banned := range []string{"<script", "<style", "style=", "onclick"} {
		if strings.Contains(pk.body, banned) {
			t.Errorf("the page has %q, which the hub's CSP forbids", banned)
		}
	}
	if pk.form.Get("id") == "" || pk.form.Get("token") == "" {
		t.Errorf("the form lacks the sign-in id or its token: %v", pk.form)
	}
}

func TestPKCEIsRequired(t *testing.T) {
	e := start(t, t.TempDir(), nil)
	refused := []struct {
		name string
		opts []oauth2.AuthCodeOption
	}{
		{"no challenge", nil},
		{"plain", []oauth2.AuthCodeOption{
			oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43)),
			oauth2.SetAuthURLParam("code_challenge_method", "plain"),
		}},
		{"no method", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43))}},
	}
	for _, tc := range refused {
		t.Run("authorize "+tc.name, func(t *testing.T) {
			resp, err := browser(t).Get(e.oauth.AuthCodeURL("state-1", tc.opts...))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			cb := callback(t, resp)
			if cb.Get("error") != "invalid_request" || cb.Get("code") != "" || cb.Get("state") != "state-1" {
				t.Errorf("callback = %v, want error=invalid_request with the state and no code", cb)
			}
		})
	}

	verifier := oauth2.GenerateVerifier()
	exchanges := []struct {
		name string
		opts []oauth2.AuthCodeOption
	}{
		{"no verifier", nil},
		{"wrong verifier", []oauth2.AuthCodeOption{oauth2.VerifierOption(oauth2.GenerateVerifier())}},
	}
	for _, tc := range exchanges {
		t.Run("exchange "+tc.name, func(t *testing.T) {
			code := e.signIn(t, "officer", verifier, "n")
			if _, err := e.oauth.Exchange(t.Context(), code, tc.opts...); err == nil {
				t.Fatal("the code was exchanged")
			}
			if _, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(verifier)); err == nil {
				t.Error("a code stayed good after a failed exchange")
			}
		})
	}
}

func TestPickerRefusals(t *testing.T) {
	e := start(t, t.TempDir(), nil)
	open := func(t *testing.T) (*http.Client, picker) {
		b := browser(t)
		return b, e.openPicker(t, b, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	}

	t.Run("unknown persona", func(t *testing.T) {
		b, pk := open(t)
		resp, body := choose(t, b, pk, "nobody")
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Choose one of the personas listed.") {
			t.Errorf("status %d, want 400 and the error on the picker", resp.StatusCode)
		}
		resp, _ = choose(t, b, pk, "auditor")
		callback(t, resp)
	})
	t.Run("no cookie", func(t *testing.T) {
		_, pk := open(t)
		resp, _ := choose(t, browser(t), pk, "auditor")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("cookie of another sign-in", func(t *testing.T) {
		b, first := open(t)
		e.openPicker(t, b, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
		resp, _ := choose(t, b, first, "auditor")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("wrong token", func(t *testing.T) {
		b, pk := open(t)
		pk.form.Set("token", "forged")
		resp, _ := choose(t, b, pk, "auditor")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("used twice", func(t *testing.T) {
		b, pk := open(t)
		resp, _ := choose(t, b, pk, "auditor")
		callback(t, resp)
		resp, _ = choose(t, b, pk, "admin")
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d, want 400", resp.StatusCode)
		}
	})
	t.Run("unknown sign-in", func(t *testing.T) {
		resp, _ := get(t, browser(t), e.cfg.Issuer+"/login?id=nosuch")
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d, want 400", resp.StatusCode)
		}
	})
	t.Run("AccessToken", func(t *testing.T) {
		if _, err := e.p.AccessToken("nobody", time.Hour); err == nil {
			t.Error("minted a token for an unknown persona")
		}
	})
}

// clock is a settable time for the provider under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestSignInLapses(t *testing.T) {
	c := &clock{t: time.Now()}
	e := start(t, t.TempDir(), c.now)
	b := browser(t)
	pk := e.openPicker(t, b, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	c.add(signinLifetime + time.Second)
	resp, _ := choose(t, b, pk, "officer")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d after the sign-in lapsed, want 400", resp.StatusCode)
	}

	c.add(-signinLifetime - time.Second)
	verifier := oauth2.GenerateVerifier()
	code := e.signIn(t, "officer", verifier, "n")
	c.add(codeLifetime + time.Second)
	if _, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(verifier)); err == nil {
		t.Error("a lapsed code was exchanged")
	}
}

func TestAccessTokenVerifies(t *testing.T) {
	e := start(t, t.TempDir(), nil)
	raw, err := e.p.AccessToken("officer", 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.apiVerifier().Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	c := claimsOf(t, tok)
	checkPersona(t, c, Personas[0])
	if tok.Issuer != e.cfg.Issuer || !slices.Equal(c.Audience, []string{"hub-api"}) || c.Expiry-c.IssuedAt != 7200 {
		t.Errorf("iss %q, aud %v, life %ds; want %q, [hub-api], 7200s", tok.Issuer, c.Audience, c.Expiry-c.IssuedAt, e.cfg.Issuer)
	}
	if h := header(t, raw); h["typ"] != "at+jwt" || h["alg"] != "RS256" {
		t.Errorf("header = %v, want typ at+jwt, alg RS256", h)
	}
}

func TestExpiredAccessTokenRefused(t *testing.T) {
	e := start(t, t.TempDir(), func() time.Time { return time.Now().Add(-2 * time.Hour) })
	raw, err := e.p.AccessToken("auditor", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.apiVerifier().Verify(t.Context(), raw); err == nil {
		t.Error("a token that expired an hour ago verified")
	}
}

func TestKeySurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	e := start(t, dir, nil)
	before, err := e.p.AccessToken("coordinator", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "devidp-signing-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}

	// `hub dev token` builds its own provider on the same folder while the server runs.
	cli, err := New(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	minted, err := cli.AccessToken("probation", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.apiVerifier().Verify(t.Context(), minted); err != nil {
		t.Errorf("a token minted beside the running server: %v", err)
	}

	restarted, err := New(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.serve(restarted)
	e.discover(t)
	if _, err := e.apiVerifier().Verify(t.Context(), before); err != nil {
		t.Errorf("a token minted before the restart: %v", err)
	}

	other := e.cfg
	other.DataDir = t.TempDir()
	rekeyed, err := New(other)
	if err != nil {
		t.Fatal(err)
	}
	e.serve(rekeyed)
	e.discover(t)
	if _, err := e.apiVerifier().Verify(t.Context(), before); err == nil {
		t.Error("a provider with another key accepted the token")
	}
}

func TestEndSession(t *testing.T) {
	e := start(t, t.TempDir(), nil)
	var meta struct {
		EndSession string   `json:"end_session_endpoint"`
		Methods    []string `json:"code_challenge_methods_supported"`
		Grants     []string `json:"grant_types_supported"`
	}
	if err := e.op.Claims(&meta); err != nil {
		t.Fatal(err)
	}
	if meta.EndSession != e.cfg.Issuer+"/end_session" || !slices.Equal(meta.Methods, []string{"S256"}) || !slices.Equal(meta.Grants, []string{"authorization_code"}) {
		t.Fatalf("discovery = %+v", meta)
	}
	verifier := oauth2.GenerateVerifier()
	tok, err := e.oauth.Exchange(t.Context(), e.signIn(t, "supervisor", verifier, "n"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	idToken, _ := tok.Extra("id_token").(string)
	b := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	logout := func(redirect string) *http.Response {
		q := url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {redirect}, "state": {"bye"}}
		resp, err := b.Get(meta.EndSession + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := logout(e.cfg.PostLogoutRedirectURI); resp.Header.Get("Location") != e.cfg.PostLogoutRedirectURI+"?state=bye" {
		t.Errorf("status %d, Location %q; want a redirect to %s?state=bye", resp.StatusCode, resp.Header.Get("Location"), e.cfg.PostLogoutRedirectURI)
	}
	if resp := logout("https://evil.example/"); resp.StatusCode < 400 {
		t.Errorf("status %d, Location %q for an unregistered redirect; want a refusal", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	good := Config{
		Issuer: "http://127.0.0.1:8080/devidp", ClientID: "hub-dev", RedirectURI: "http://127.0.0.1:8080/auth/callback",
		PostLogoutRedirectURI: "http://127.0.0.1:8080/signed-out", APIAudience: "hub-api", DataDir: t.TempDir(),
	}
	cases := []struct {
		name   string
		change func(*Config)
	}{
		{"not loopback", func(c *Config) { c.Issuer = "https://hub.example.gov.uk/devidp" }},
		{"trailing slash", func(c *Config) { c.Issuer += "/" }},
		{"query", func(c *Config) { c.Issuer += "?x=1" }},
		{"not http", func(c *Config) { c.Issuer = "ftp://127.0.0.1/devidp" }},
		{"audience is the client", func(c *Config) { c.APIAudience = c.ClientID }},
		{"no data folder", func(c *Config) { c.DataDir = "" }},
		{"no redirect", func(c *Config) { c.RedirectURI = "" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.change(&cfg)
			if _, err := New(cfg); err == nil {
				t.Error("New accepted the configuration")
			}
		})
	}
	if _, err := New(good); err != nil {
		t.Errorf("New refused a good configuration: %v", err)
	}
	for _, host := range []string{"localhost:8080", "[::1]:8080"} {
		cfg := good
		cfg.Issuer = "http://" + host + "/devidp"
		if _, err := New(cfg); err != nil {
			t.Errorf("New refused loopback %s: %v", host, err)
		}
	}
}

// Replicas of one hub share the data folder: a sign-in begun on one goes
// on at another, picker, callback and code exchange alike, and its code is
// still good for one exchange only.
func TestSignInAcrossReplicas(t *testing.T) {
	e := start(t, t.TempDir(), nil)
	first := e.p
	second, err := New(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	verifier := oauth2.GenerateVerifier()
	b := browser(t)
	pk := e.openPicker(t, b, oauth2.S256ChallengeOption(verifier), gooidc.Nonce("nonce-replicas"))
	e.serve(second) // the load balancer sends the choice to the other replica
	resp, _ := choose(t, b, pk, "housing")
	cb := callback(t, resp)
	if cb.Get("code") == "" {
		t.Fatalf("callback = %v, want a code", cb)
	}
	e.serve(first)
	tok, err := e.oauth.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange on the replica that began the sign-in: %v", err)
	}
	if _, err := e.apiVerifier().Verify(t.Context(), tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	e.serve(second)
	if _, err := e.oauth.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(verifier)); err == nil {
		t.Error("a code was exchanged again at the other replica")
	}
}

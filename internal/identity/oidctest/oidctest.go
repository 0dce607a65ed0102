// Package oidctest is a real OpenID provider for tests, on an httptest.Server:
// discovery, JWKS, an authorize endpoint that signs the person in at once, a
// token endpoint that checks PKCE, and end-session. A test can make it misbehave.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Fault is a way for the provider to get a token wrong.
type Fault int

// The faults a test can ask for.
const (
	None          Fault = iota
	WrongNonce          // the ID token carries a nonce other than the one asked for
	Expired             // the token expired an hour ago
	WrongAudience       // the token is for someone else
	WrongIssuer         // the token names another issuer
	UnknownKey          // the token is signed with a key that is not in the JWKS
)

// Options configure the provider.
type Options struct {
	// ClientID and ClientSecret are the one client the provider knows. An
	// empty secret makes it a public client.
	ClientID, ClientSecret string
	// Audience is the audience of the access tokens the provider issues.
	Audience string
	// NoEndSession leaves end_session_endpoint out of discovery.
	NoEndSession bool
	// UserInfoOnly names claims the ID token leaves out and only the
	// UserInfo endpoint gives, as many providers do with e-mail and name.
	UserInfoOnly []string
	// Now is the clock tokens are stamped with; time.Now when nil.
	Now func() time.Time
}

// Provider is the running provider. Its issuer is URL.
type Provider struct {
	URL   string
	opts  Options
	key   *rsa.PrivateKey // in the JWKS
	rogue *rsa.PrivateKey // not in the JWKS

	mu          sync.Mutex
	user        map[string]any
	fault       Fault
	down        bool
	discoveries int
	codes       map[string]grant
	logouts     []url.Values
	userinfo    map[string]map[string]any // access token -> the claims UserInfo answers with
}

// grant is an issued authorization code, waiting to be redeemed once.
type grant struct {
	redirectURI, challenge, nonce string
	user                          map[string]any
}

// New starts a provider that stops when the test ends.
func New(t testing.TB, opts Options) *Provider {
	t.Helper()
	if opts.Now == nil {
		opts.Now = time.Now
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rogue, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{opts: opts, key: key, rogue: rogue, codes: map[string]grant{}, userinfo: map[string]map[string]any{},
		user: map[string]any{"sub": "person-1", "name": "Test Person", "email": "test.person@example.org", "email_verified": true}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /logout", p.logout)
	mux.HandleFunc("GET /userinfo", p.userInfo)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// SetUser sets the claims of the person the next sign-in is for (sub, name,
// email, email_verified, roles...).
func (p *Provider) SetUser(claims map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = maps.Clone(claims)
}

// SetFault makes the ID tokens the token endpoint issues from now on go wrong.
func (p *Provider) SetFault(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault = f
}

// SetDown makes discovery answer 503, as a provider that is down would.
func (p *Provider) SetDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
}

// Discoveries counts the requests for the discovery document.
func (p *Provider) Discoveries() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.discoveries
}

// Logouts lists the query of each end-session request.
func (p *Provider) Logouts() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]url.Values(nil), p.logouts...)
}

// IDToken mints an ID token for the client with claims (which override the
// defaults iss, aud, iat, exp, auth_time), gone wrong as f says.
func (p *Provider) IDToken(claims map[string]any, f Fault) string {
	now := p.opts.Now()
	base := map[string]any{"iss": p.URL, "aud": p.opts.ClientID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "auth_time": now.Unix()}
	return p.sign("JWT", base, claims, f)
}

// AccessToken mints a JWT access token for the API audience with claims
// (which override the defaults iss, aud, iat, exp), gone wrong as f says.
func (p *Provider) AccessToken(claims map[string]any, f Fault) string {
	now := p.opts.Now()
	base := map[string]any{"iss": p.URL, "aud": p.opts.Audience, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "client_id": p.opts.ClientID}
	return p.sign("at+jwt", base, claims, f)
}

// Sign signs exactly claims with the provider's key, with typ in the header
// (none when typ is empty): for tokens the other methods cannot make.
func (p *Provider) Sign(typ string, claims map[string]any) string {
	return p.sign(typ, nil, claims, None)
}

// sign merges claims over base, applies the fault and signs.
func (p *Provider) sign(typ string, base, claims map[string]any, f Fault) string {
	c := maps.Clone(base)
	if c == nil {
		c = map[string]any{}
	}
	maps.Copy(c, claims)
	key, kid := p.key, "k1"
	now := p.opts.Now()
	switch f {
	case WrongNonce:
		c["nonce"] = "a-nonce-nobody-asked-for"
	case Expired:
		c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	case WrongAudience:
		c["aud"] = "someone-else"
	case WrongIssuer:
		c["iss"] = p.URL + "/elsewhere"
	case UnknownKey:
		key, kid = p.rogue, "k2"
	}
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, opts)
	if err != nil {
		panic(err)
	}
	payload, err := json.Marshal(c)
	if err != nil {
		panic(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		panic(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return out
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.discoveries++
	down := p.down
	p.mu.Unlock()
	if down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	doc := map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"jwks_uri":                              p.URL + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"userinfo_endpoint":                     p.URL + "/userinfo",
	}
	if !p.opts.NoEndSession {
		doc["end_session_endpoint"] = p.URL + "/logout"
	}
	writeJSON(w, http.StatusOK, doc)
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: string(jose.RS256), Use: "sig"}}}
	writeJSON(w, http.StatusOK, set)
}

// authorize signs the configured user in at once and sends the browser back
// with a code, after checking the request as a real provider would.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Scheme == "" || q.Get("client_id") != p.opts.ClientID {
		http.Error(w, "unknown client or redirect URI", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	if q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		back.Set("error", "invalid_request")
	} else {
		code := randomString()
		p.mu.Lock()
		p.codes[code] = grant{redirectURI: redirect.String(), challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), user: maps.Clone(p.user)}
		p.mu.Unlock()
		back.Set("code", code)
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// token redeems a code once, for the client that asked for it, with the PKCE
// verifier whose S256 is the challenge.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request")
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.opts.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.opts.ClientSecret)) != 1 {
		w.Header().Set("WWW-Authenticate", "Basic")
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, "unsupported_grant_type")
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g, ok := p.codes[code]
	delete(p.codes, code)
	fault := p.fault
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case !ok, r.PostForm.Get("redirect_uri") != g.redirectURI,
		base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		tokenError(w, "invalid_grant")
		return
	}
	claims := maps.Clone(g.user)
	for _, c := range p.opts.UserInfoOnly {
		delete(claims, c)
	}
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	access := p.AccessToken(map[string]any{"sub": g.user["sub"]}, None)
	p.mu.Lock()
	p.userinfo[access] = maps.Clone(g.user)
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   3600,
		"id_token":     p.IDToken(claims, fault),
	})
}

// userInfo answers with the whole of the person's claims for an access
// token this provider issued at the token endpoint.
func (p *Provider) userInfo(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	claims, known := p.userinfo[token]
	p.mu.Unlock()
	if !ok || !known {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	writeJSON(w, http.StatusOK, claims)
}

func (p *Provider) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.logouts = append(p.logouts, q)
	p.mu.Unlock()
	if to := q.Get("post_logout_redirect_uri"); to != "" {
		http.Redirect(w, r, to, http.StatusFound)
		return
	}
	w.Write([]byte("signed out"))
}

func tokenError(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func randomString() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

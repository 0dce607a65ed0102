// Package devidp is the embedded development OpenID provider: a real provider
// built on zitadel/oidc that signs people in as the hub's demo personas.
// It is for development only and refuses any issuer off loopback.
package devidp

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/crypto"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Config is how the provider is reached and whom it serves.
type Config struct {
	// Issuer is the provider's URL, the hub's base URL + "/devidp". Handler
	// serves the requests under its path, with the path left on.
	Issuer string
	// ClientID is the hub: a public client that must use PKCE with S256.
	ClientID string
	// RedirectURI is where a sign-in returns with its code.
	RedirectURI string
	// PostLogoutRedirectURI is where the end_session endpoint sends the browser.
	PostLogoutRedirectURI string
	// APIAudience is the aud of access tokens; it must differ from ClientID so
	// that an ID token is never an API credential.
	APIAudience string
	// DataDir keeps the signing key, devidp-signing-key.pem, created on first
	// start, so that tokens survive a restart.
	DataDir string
	// Stylesheet, if set, is the URL of a stylesheet the sign-in page links.
	Stylesheet string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Provider is the development OpenID provider. Building one listens on
// nothing, so `hub dev token` can mint tokens without a running server.
type Provider struct {
	cfg     Config
	prefix  string // the issuer's path, where Handler expects its requests
	storage *memory
	signer  jose.Signer // signs access tokens

	server     *server
	authorized http.HandlerFunc // the op package's return from the picker
	build      sync.Once
	handler    http.Handler
}

// issuedClaims are the claims this provider's tokens and userinfo carry.
var issuedClaims = []string{
	"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "azp", "client_id", "jti", "at_hash", "c_hash",
	"name", "email", "email_verified", "hub_roles", "hub_agency",
}

// safePath is an issuer path the router can take as a literal prefix.
var safePath = regexp.MustCompile(`^(/[A-Za-z0-9._~-]+)*$`)

// New builds the provider and loads, or on first start creates, its key.
func New(cfg Config) (*Provider, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	prefix, err := cfg.check()
	if err != nil {
		return nil, err
	}
	key, err := loadOrCreateKey(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: &jose.JSONWebKey{Key: key.private, KeyID: key.id}},
		(&jose.SignerOptions{}).WithType("at+jwt"), // RFC 9068: not to be mistaken for an ID token
	)
	if err != nil {
		return nil, err
	}
	storage := newMemory(cfg, key)
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:                key.crypto,
		CryptoKeyId:              key.id,
		DefaultLogoutRedirectURI: cfg.PostLogoutRedirectURI,
		CodeMethodS256:           true,
		SupportedUILocales:       []language.Tag{language.BritishEnglish},
		SupportedScopes:          []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail},
		SupportedClaims:          issuedClaims,
	}, storage, op.StaticIssuer(cfg.Issuer), op.WithAllowInsecure())
	if err != nil {
		return nil, fmt.Errorf("devidp: %w", err)
	}
	srv := &server{
		LegacyServer: op.NewLegacyServer(provider, op.Endpoints{
			Authorization: provider.AuthorizationEndpoint(),
			Token:         provider.TokenEndpoint(),
			Userinfo:      provider.UserinfoEndpoint(),
			EndSession:    provider.EndSessionEndpoint(),
			JwksURI:       provider.KeysEndpoint(),
		}),
	}
	p := &Provider{cfg: cfg, prefix: prefix, storage: storage, signer: signer, server: srv}
	srv.p = p
	p.authorized = op.AuthorizeCallbackHandler(provider)
	return p, nil
}

// check says what is wrong with the configuration and returns the issuer's path.
func (c Config) check() (string, error) {
	u, err := url.Parse(c.Issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" || !safePath.MatchString(u.Path) {
		return "", fmt.Errorf("devidp: issuer %q is not an http(s) URL with a plain path and no trailing slash", c.Issuer)
	}
	if !loopback(u.Hostname()) {
		return "", fmt.Errorf("devidp: the development provider runs only on loopback, not on %q", u.Hostname())
	}
	for name, v := range map[string]string{
		"client id": c.ClientID, "redirect URI": c.RedirectURI, "post-logout redirect URI": c.PostLogoutRedirectURI,
		"API audience": c.APIAudience, "data folder": c.DataDir,
	} {
		if v == "" {
			return "", fmt.Errorf("devidp: the %s is not set", name)
		}
	}
	if c.APIAudience == c.ClientID {
		return "", errors.New("devidp: the API audience must differ from the client id, or ID tokens would pass as access tokens")
	}
	return u.Path, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Handler serves the provider: discovery, authorize, token, keys, userinfo,
// end_session and the persona picker. It expects the full request path,
// issuer path included: mount it at the issuer's path without stripping it.
// The router is built on first use, not in New, so that `hub dev token`
// stays quiet: the op package logs each route it registers.
func (p *Provider) Handler() http.Handler {
	p.build.Do(func() {
		// No CORS: the hub's pages are on the provider's origin and partner
		// systems call from servers, so no other site's script needs an answer.
		protocol := op.RegisterLegacyServer(p.server, p.authorized, op.WithServerCORSOptions(nil))
		mux := http.NewServeMux()
		mux.HandleFunc("GET "+p.prefix+pickerPath, p.showPicker)
		mux.HandleFunc("POST "+p.prefix+pickerPath, p.pick)
		mux.Handle(p.prefix+"/", http.StripPrefix(p.prefix, protocol))
		p.handler = mux
	})
	return p.handler
}

// AccessToken mints a JWT access token for the persona, valid for ttl, like
// the ones the token endpoint issues (used by `hub dev token PERSONA`).
func (p *Provider) AccessToken(persona string, ttl time.Duration) (string, error) {
	who, ok := personaByID(persona)
	if !ok {
		return "", fmt.Errorf("devidp: no demo persona %q", persona)
	}
	if ttl <= 0 {
		return "", errors.New("devidp: a token must live for a positive time")
	}
	return p.mint(who, ttl)
}

// mint signs an access token for the persona, valid for ttl from now.
func (p *Provider) mint(who Persona, ttl time.Duration) (string, error) {
	return crypto.Sign(accessTokenClaims(p.cfg, who, p.cfg.Now(), ttl, rand.Text()), p.signer)
}

// accessTokenClaims are the claims of an RFC 9068 access token for the hub's API.
func accessTokenClaims(cfg Config, who Persona, now time.Time, ttl time.Duration, id string) *oidc.AccessTokenClaims {
	return &oidc.AccessTokenClaims{
		TokenClaims: oidc.TokenClaims{
			Issuer:     cfg.Issuer,
			Subject:    who.ID,
			Audience:   []string{cfg.APIAudience},
			Expiration: oidc.FromTime(now.Add(ttl)),
			IssuedAt:   oidc.FromTime(now),
			AuthTime:   oidc.FromTime(now), // a demo persona signs in as the token is minted
			ClientID:   cfg.ClientID,
			JWTID:      id,
		},
		Claims: who.claims(),
	}
}

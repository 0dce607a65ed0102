package devidp

import (
	"context"
	"crypto/rand"
	"errors"
	"net/url"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// How long the steps of a sign-in may take. A code is short-lived and good
// for one exchange; a sign-in left on the picker page lapses.
const (
	signinLifetime = 10 * time.Minute
	codeLifetime   = time.Minute
)

// errUnsupported answers the storage methods of flows this provider does not
// offer (refresh tokens, opaque tokens, client secrets, JWT profile,
// introspection); the op package only reaches them through those flows.
var errUnsupported = errors.New("devidp: not offered by the development provider")

// authRequest is one sign-in, from the authorize request to the code exchange.
// It is stored by value so that what the op package holds is a snapshot.
type authRequest struct {
	id           string
	clientID     string
	redirectURI  string
	state        string
	nonce        string
	scopes       []string
	responseType oidc.ResponseType
	responseMode oidc.ResponseMode
	challenge    *oidc.CodeChallenge
	created      time.Time
	pickerToken  string // binds the picker's POST to the page and the browser that showed it

	subject  string // the persona picked; empty until then
	authTime time.Time
	code     string // set once the code is issued: one code per sign-in
	codeAt   time.Time
}

func (a authRequest) GetID() string                         { return a.id }
func (a authRequest) GetACR() string                        { return "" }
func (a authRequest) GetAMR() []string                      { return nil }
func (a authRequest) GetAudience() []string                 { return []string{a.clientID} }
func (a authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a authRequest) GetClientID() string                   { return a.clientID }
func (a authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.challenge }
func (a authRequest) GetNonce() string                      { return a.nonce }
func (a authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a authRequest) GetScopes() []string                   { return a.scopes }
func (a authRequest) GetState() string                      { return a.state }
func (a authRequest) GetSubject() string                    { return a.subject }
func (a authRequest) Done() bool                            { return a.subject != "" }

// expired reports whether the sign-in has lapsed at now.
func (a authRequest) expired(now time.Time) bool {
	if a.code != "" {
		return now.After(a.codeAt.Add(codeLifetime))
	}
	return now.After(a.created.Add(signinLifetime))
}

// memory is the provider's op.Storage: sign-ins in memory, which is enough
// for development; tokens are self-contained JWTs and are not stored.
type memory struct {
	cfg    Config
	key    signingKey
	client client

	mu       sync.Mutex
	requests map[string]authRequest // by id
	codes    map[string]string      // code -> request id
}

var (
	_ op.Storage                   = (*memory)(nil)
	_ op.CanSetUserinfoFromRequest = (*memory)(nil)
)

func newMemory(cfg Config, key signingKey) *memory {
	return &memory{
		cfg:      cfg,
		key:      key,
		client:   client{cfg: cfg},
		requests: map[string]authRequest{},
		codes:    map[string]string{},
	}
}

// CreateAuthRequest stores a validated authorize request until a persona is picked.
func (m *memory) CreateAuthRequest(_ context.Context, r *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if slices.Contains(r.Prompt, oidc.PromptNone) {
		// No one is ever signed in here without the picker.
		return nil, oidc.ErrLoginRequired()
	}
	now := m.cfg.Now()
	a := authRequest{
		id:           rand.Text(),
		clientID:     r.ClientID,
		redirectURI:  r.RedirectURI,
		state:        r.State,
		nonce:        r.Nonce,
		scopes:       slices.Clone(r.Scopes),
		responseType: r.ResponseType,
		responseMode: r.ResponseMode,
		challenge:    codeChallenge(r.CodeChallenge, r.CodeChallengeMethod),
		created:      now,
		pickerToken:  rand.Text(),
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	m.requests[a.id] = a
	return a, nil
}

// codeChallenge is the PKCE challenge of a request, nil when it sent none.
func codeChallenge(challenge string, method oidc.CodeChallengeMethod) *oidc.CodeChallenge {
	if challenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: challenge, Method: method}
}

// sweep drops lapsed sign-ins so that abandoned ones do not pile up.
func (m *memory) sweep(now time.Time) {
	for id, a := range m.requests {
		if a.expired(now) {
			delete(m.requests, id)
			delete(m.codes, a.code)
		}
	}
}

// request returns a live sign-in; a lapsed one is gone.
func (m *memory) request(id string) (authRequest, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.requests[id]
	if !ok || a.expired(m.cfg.Now()) {
		return authRequest{}, false
	}
	return a, true
}

// AuthRequestByID returns a live sign-in.
func (m *memory) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	a, ok := m.request(id)
	if !ok {
		return nil, oidc.ErrInvalidRequest().WithDescription("the sign-in request is unknown or has expired")
	}
	return a, nil
}

// pick marks a pending sign-in done for the persona. It fails when the
// sign-in has lapsed or was already completed.
func (m *memory) pick(id, persona string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Now()
	a, ok := m.requests[id]
	if !ok || a.expired(now) || a.Done() {
		return false
	}
	a.subject, a.authTime = persona, now
	m.requests[id] = a
	return true
}

// SaveAuthCode records the code issued for a sign-in. A sign-in gets one
// code: reloading the callback does not mint a second.
func (m *memory) SaveAuthCode(_ context.Context, id, code string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Now()
	a, ok := m.requests[id]
	if !ok || a.expired(now) || !a.Done() || a.code != "" {
		return oidc.ErrInvalidRequest().WithDescription("the sign-in request is unknown, unfinished or already answered")
	}
	a.code, a.codeAt = code, now
	m.requests[id] = a
	m.codes[code] = id
	return nil
}

// AuthRequestByCode returns the sign-in of a code and forgets both: a code is
// good for one exchange, whether that exchange succeeds or not.
func (m *memory) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.codes[code]
	if !ok {
		return nil, errors.New("devidp: unknown or used code")
	}
	a := m.requests[id]
	delete(m.codes, code)
	delete(m.requests, id)
	if a.expired(m.cfg.Now()) {
		return nil, errors.New("devidp: expired code")
	}
	return a, nil
}

// DeleteAuthRequest forgets a sign-in.
func (m *memory) DeleteAuthRequest(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a, ok := m.requests[id]; ok {
		delete(m.codes, a.code)
		delete(m.requests, id)
	}
	return nil
}

// GetClientByClientID returns the hub, the one client.
func (m *memory) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != m.cfg.ClientID {
		return nil, errors.New("devidp: unknown client")
	}
	return m.client, nil
}

// AuthorizeClientIDSecret refuses: the hub is a public client with no secret.
func (m *memory) AuthorizeClientIDSecret(context.Context, string, string) error {
	return errUnsupported
}

// SetUserinfoFromScopes is deprecated in the op package; SetUserinfoFromRequest does the work.
func (m *memory) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest puts the persona's claims in the ID token. They go in
// whatever the scopes: the hub needs hub_roles to let anyone in.
func (m *memory) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, r op.IDTokenRequest, _ []string) error {
	p, ok := personaByID(r.GetSubject())
	if !ok {
		return errors.New("devidp: unknown persona")
	}
	p.userInfo(info)
	return nil
}

// SetUserinfoFromToken answers the userinfo endpoint for an access token.
// Access tokens carry a jti and ID tokens do not, so an ID token is refused.
func (m *memory) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	p, ok := personaByID(subject)
	if tokenID == "" || !ok {
		return oidc.ErrAccessDenied().WithDescription("not an access token of this provider")
	}
	p.userInfo(info)
	return nil
}

// TerminateSession has nothing to end: the provider keeps no sessions, every
// sign-in goes through the picker.
func (m *memory) TerminateSession(context.Context, string, string) error { return nil }

// SigningKey is the key that signs ID tokens.
func (m *memory) SigningKey(context.Context) (op.SigningKey, error) {
	return privateKey{m.key}, nil
}

// SignatureAlgorithms lists RS256, the one algorithm in use.
func (m *memory) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet is the JWKS: the public half of the one key.
func (m *memory) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{m.key}}, nil
}

// Health reports the in-memory storage as always up.
func (m *memory) Health(context.Context) error { return nil }

// CreateAccessToken is not reached: the code exchange mints access tokens itself.
func (m *memory) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	return "", time.Time{}, errUnsupported
}

// CreateAccessAndRefreshTokens is not reached: there are no refresh tokens.
func (m *memory) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errUnsupported
}

// TokenRequestByRefreshToken is not reached: there are no refresh tokens.
func (m *memory) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, errUnsupported
}

// RevokeToken is not reached: the revocation endpoint is off.
func (m *memory) RevokeToken(context.Context, string, string, string) *oidc.Error {
	return oidc.ErrServerError().WithParent(errUnsupported)
}

// GetRefreshTokenInfo says no token is a refresh token.
func (m *memory) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// SetIntrospectionFromToken is not reached: the introspection endpoint is off.
func (m *memory) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errUnsupported
}

// GetPrivateClaimsFromScopes is not reached: the op package's JWT access tokens are not used.
func (m *memory) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, errUnsupported
}

// GetKeyByIDAndClientID refuses: no client signs its own assertions.
func (m *memory) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errUnsupported
}

// ValidateJWTProfileScopes refuses: the JWT profile grant is off.
func (m *memory) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errUnsupported
}

// privateKey is the signing key as the op package signs with it.
type privateKey struct{ k signingKey }

func (p privateKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p privateKey) Key() any                                    { return p.k.private }
func (p privateKey) ID() string                                  { return p.k.id }

// publicKey is the signing key as the JWKS publishes it.
type publicKey struct{ k signingKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.private.PublicKey }

// client is the hub: a public client that must use PKCE.
type client struct{ cfg Config }

func (c client) GetID() string                       { return c.cfg.ClientID }
func (c client) RedirectURIs() []string              { return []string{c.cfg.RedirectURI} }
func (c client) PostLogoutRedirectURIs() []string    { return []string{c.cfg.PostLogoutRedirectURI} }
func (c client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodNone }
func (c client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c client) GrantTypes() []oidc.GrantType { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c client) LoginURL(id string) string {
	return c.cfg.Issuer + pickerPath + "?id=" + url.QueryEscape(id)
}
func (c client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }
func (c client) IDTokenLifetime() time.Duration      { return time.Hour }

// DevMode lets the redirect URIs be plain http; the provider only runs on loopback.
func (c client) DevMode() bool { return true }
func (c client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c client) IsScopeAllowed(string) bool { return false }

// IDTokenUserinfoClaimsAssertion puts name and e-mail in the ID token even
// beside an access token, so that the hub needs no userinfo call.
func (c client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c client) ClockSkew() time.Duration             { return 0 }

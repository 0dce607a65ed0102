package devidp

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"syscall"
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

// storedRequest is an authRequest as the sign-ins file keeps it.
type storedRequest struct {
	ID           string              `json:"id"`
	ClientID     string              `json:"client_id"`
	RedirectURI  string              `json:"redirect_uri"`
	State        string              `json:"state"`
	Nonce        string              `json:"nonce"`
	Scopes       []string            `json:"scopes"`
	ResponseType oidc.ResponseType   `json:"response_type"`
	ResponseMode oidc.ResponseMode   `json:"response_mode"`
	Challenge    *oidc.CodeChallenge `json:"challenge"`
	Created      time.Time           `json:"created"`
	PickerToken  string              `json:"picker_token"`
	Subject      string              `json:"subject"`
	AuthTime     time.Time           `json:"auth_time"`
	Code         string              `json:"code"`
	CodeAt       time.Time           `json:"code_at"`
}

// MarshalJSON writes the sign-in for the sign-ins file.
func (a authRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(storedRequest{a.id, a.clientID, a.redirectURI, a.state, a.nonce, a.scopes, a.responseType, a.responseMode,
		a.challenge, a.created, a.pickerToken, a.subject, a.authTime, a.code, a.codeAt})
}

// UnmarshalJSON reads a sign-in from the sign-ins file.
func (a *authRequest) UnmarshalJSON(b []byte) error {
	var s storedRequest
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*a = authRequest{s.ID, s.ClientID, s.RedirectURI, s.State, s.Nonce, s.Scopes, s.ResponseType, s.ResponseMode,
		s.Challenge, s.Created, s.PickerToken, s.Subject, s.AuthTime, s.Code, s.CodeAt}
	return nil
}

// signins are the sign-ins in progress.
type signins struct {
	Requests map[string]authRequest `json:"requests"` // by id
	Codes    map[string]string      `json:"codes"`    // code -> request id
}

// memory is the provider's op.Storage. Sign-ins in progress are kept in a
// file in the data folder, under a lock on it, so that replicas of one hub
// sharing the folder carry on each other's sign-ins: the picker, the
// callback and the code exchange may each reach another replica. They are
// all on one machine, since the provider runs on a loopback base URL only.
// Tokens are self-contained JWTs and are not stored.
type memory struct {
	cfg    Config
	key    signingKey
	client client
}

var (
	_ op.Storage                   = (*memory)(nil)
	_ op.CanSetUserinfoFromRequest = (*memory)(nil)
)

func newMemory(cfg Config, key signingKey) *memory {
	return &memory{cfg: cfg, key: key, client: client{cfg: cfg}}
}

// signinsFile is where the sign-ins in progress are kept, beside the lock
// that guards them.
const signinsFile = "devidp-signins.json"

// with runs fn on the sign-ins in progress, holding the lock that every
// replica takes, and writes them back when fn reports a change.
func (m *memory) with(fn func(s *signins) (changed bool)) error {
	path := filepath.Join(m.cfg.DataDir, signinsFile)
	lock, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("devidp: sign-ins: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("devidp: sign-ins: %w", err)
	}
	s := signins{Requests: map[string]authRequest{}, Codes: map[string]string{}}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("devidp: sign-ins: %w", err)
	default:
		// A file this provider cannot read is forgotten: the sign-ins in
		// it start again at the picker.
		if json.Unmarshal(b, &s) != nil || s.Requests == nil || s.Codes == nil {
			s = signins{Requests: map[string]authRequest{}, Codes: map[string]string{}}
		}
	}
	if !fn(&s) {
		return nil
	}
	if b, err = json.Marshal(s); err != nil {
		return err
	}
	tmp := path + ".new"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("devidp: sign-ins: %w", err)
	}
	return os.Rename(tmp, path)
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
	if err := m.with(func(s *signins) bool {
		sweep(s, now)
		s.Requests[a.id] = a
		return true
	}); err != nil {
		return nil, err
	}
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
func sweep(s *signins, now time.Time) {
	for id, a := range s.Requests {
		if a.expired(now) {
			delete(s.Requests, id)
			delete(s.Codes, a.code)
		}
	}
}

// request returns a live sign-in; a lapsed one is gone.
func (m *memory) request(id string) (authRequest, bool) {
	var a authRequest
	ok := false
	err := m.with(func(s *signins) bool {
		a, ok = s.Requests[id]
		return false
	})
	if err != nil || !ok || a.expired(m.cfg.Now()) {
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
	now := m.cfg.Now()
	picked := false
	err := m.with(func(s *signins) bool {
		a, ok := s.Requests[id]
		if !ok || a.expired(now) || a.Done() {
			return false
		}
		a.subject, a.authTime = persona, now
		s.Requests[id] = a
		picked = true
		return true
	})
	return err == nil && picked
}

// SaveAuthCode records the code issued for a sign-in. A sign-in gets one
// code: reloading the callback does not mint a second.
func (m *memory) SaveAuthCode(_ context.Context, id, code string) error {
	now := m.cfg.Now()
	saved := false
	err := m.with(func(s *signins) bool {
		a, ok := s.Requests[id]
		if !ok || a.expired(now) || !a.Done() || a.code != "" {
			return false
		}
		a.code, a.codeAt = code, now
		s.Requests[id] = a
		s.Codes[code] = id
		saved = true
		return true
	})
	if err != nil {
		return err
	}
	if !saved {
		return oidc.ErrInvalidRequest().WithDescription("the sign-in request is unknown, unfinished or already answered")
	}
	return nil
}

// AuthRequestByCode returns the sign-in of a code and forgets both: a code is
// good for one exchange, whether that exchange succeeds or not.
func (m *memory) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	var a authRequest
	found := false
	err := m.with(func(s *signins) bool {
		id, ok := s.Codes[code]
		if !ok {
			return false
		}
		a, found = s.Requests[id], true
		delete(s.Codes, code)
		delete(s.Requests, id)
		return true
	})
	switch {
	case err != nil:
		return nil, err
	case !found:
		return nil, errors.New("devidp: unknown or used code")
	case a.expired(m.cfg.Now()):
		return nil, errors.New("devidp: expired code")
	}
	return a, nil
}

// DeleteAuthRequest forgets a sign-in.
func (m *memory) DeleteAuthRequest(_ context.Context, id string) error {
	return m.with(func(s *signins) bool {
		a, ok := s.Requests[id]
		if ok {
			delete(s.Codes, a.code)
			delete(s.Requests, id)
		}
		return ok
	})
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

// Health reports the storage as always up.
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

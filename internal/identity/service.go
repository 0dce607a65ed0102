package identity

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/problem"
)

// Store is what identity needs of the database (internal/store.*DB satisfies it).
type Store interface {
	SaveSigninState(ctx context.Context, s SigninState) error
	TakeSigninState(ctx context.Context, state string) (SigninState, error)
	CreateSession(ctx context.Context, token string, s Session) error
	TouchSession(ctx context.Context, token string, idle, absolute time.Duration) (Session, error)
	DeleteSession(ctx context.Context, token string) error
	EndSessions(ctx context.Context, who SessionsOf, by Principal, why string) (int, error)
	Memberships(ctx context.Context, email string) ([]Membership, error)
}

// SessionsOf names whose sessions to end: a subject ("issuer|sub"), or an
// e-mail address (the sessions of whoever signed in with it).
type SessionsOf struct {
	Subject, Email string
}

// Options configure the Service; cmd/hub fills them from the configuration.
type Options struct {
	// BaseURL is the hub, e.g. http://127.0.0.1:8080. The redirect URI is
	// BaseURL + "/auth/callback"; after logout the provider returns to
	// BaseURL + "/signed-out".
	BaseURL string
	// Issuer, ClientID and ClientSecret name the provider people sign in
	// with. An empty secret makes the hub a public client (PKCE only).
	Issuer, ClientID, ClientSecret string
	// Scopes to ask for; "openid" is always added.
	Scopes []string
	// APIAudience is the audience every API access token must carry.
	APIAudience string
	// Claims are the claim rules per issuer. Access tokens from issuers not
	// listed are refused.
	Claims []ClaimRules
	// Idle and Absolute are the session timeouts.
	Idle, Absolute time.Duration
	// Leeway is how far a provider's clock may be from ours when expiry and
	// issue times are checked (the configuration's default is 2 minutes).
	Leeway time.Duration
	// KnownAgency (optional) reports whether an agency id exists; agency_staff
	// with an unknown agency is dropped. Nil accepts any agency id.
	KnownAgency func(id string) bool
	// HTTPClient (optional) is used to reach the providers.
	HTTPClient *http.Client
	// Now (optional) is the clock.
	Now func() time.Time
}

// SigninTTL is how long a redirect to the provider may take to come back;
// older sign-in states are of no use and are pruned.
const SigninTTL = 10 * time.Minute

// discoveryTimeout bounds one discovery request, which runs under the lock.
const discoveryTimeout = 10 * time.Second

// Service signs people in, keeps their sessions and checks API tokens. It is
// the web server's Authenticator.
type Service struct {
	opts   Options
	store  Store
	log    *slog.Logger
	now    func() time.Time
	client *http.Client
	rules  map[string]ClaimRules

	// mu guards the providers, discovered on first use and not at start: the
	// development provider is served by the hub's own listener.
	mu        sync.Mutex
	providers map[string]*provider

	// tokens are the access tokens verified in the last minute.
	tokens *tokenCache
}

// provider is what discovery told us of one issuer.
type provider struct {
	oidc       *oidc.Provider
	endSession string
	userinfo   string
	api        *oidc.IDTokenVerifier // access tokens: audience is the API
	login      *oidc.IDTokenVerifier // ID tokens: audience is our client
}

// NewService checks the options and returns the Service. It does not contact
// any provider.
func NewService(opts Options, store Store, log *slog.Logger) (*Service, error) {
	base, err := url.Parse(opts.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("identity: base URL must be an absolute http(s) URL")
	}
	opts.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
	switch {
	case opts.Issuer == "":
		return nil, errors.New("identity: the sign-in issuer must be set")
	case opts.ClientID == "":
		return nil, errors.New("identity: the client id must be set")
	case opts.APIAudience == "":
		return nil, errors.New("identity: the API audience must be set")
	case opts.APIAudience == opts.ClientID:
		// Else an ID token, whose audience is the client, would pass as an access token.
		return nil, errors.New("identity: the API audience must differ from the client id")
	case opts.Idle <= 0 || opts.Absolute < opts.Idle:
		return nil, errors.New("identity: session timeouts must be positive, the absolute one at least the idle one")
	}
	rules := map[string]ClaimRules{}
	for _, r := range opts.Claims {
		if r.Issuer == "" {
			return nil, errors.New("identity: claim rules need an issuer")
		}
		if _, dup := rules[r.Issuer]; dup {
			return nil, fmt.Errorf("identity: claim rules for %s given twice", r.Issuer)
		}
		if err := r.Check(); err != nil {
			return nil, fmt.Errorf("identity: %w", err)
		}
		rules[r.Issuer] = r
	}
	if !slices.Contains(opts.Scopes, oidc.ScopeOpenID) {
		opts.Scopes = append([]string{oidc.ScopeOpenID}, opts.Scopes...)
	}
	s := &Service{opts: opts, store: store, log: log, now: opts.Now, client: opts.HTTPClient, rules: rules, providers: map[string]*provider{}, tokens: newTokenCache(tokenCacheSize)}
	if s.now == nil {
		s.now = time.Now
	}
	if s.opts.Leeway < 0 {
		return nil, errors.New("identity: the clock leeway must not be negative")
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 30 * time.Second}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// provider returns the discovered issuer, discovering it now if no earlier
// call has. A failed discovery is not remembered, so a later call retries.
func (s *Service) provider(ctx context.Context, issuer string) (*provider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.providers[issuer]; ok {
		return p, nil
	}
	dctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, s.client), discoveryTimeout)
	defer cancel()
	op, err := oidc.NewProvider(dctx, issuer)
	if err != nil {
		s.log.Error("OpenID provider discovery failed", "request_id", audit.RequestIDFrom(ctx), "issuer", issuer, "error", err.Error())
		return nil, problem.New(problem.Unavailable, "the sign-in service cannot be reached; try again in a minute")
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
		UserInfo   string `json:"userinfo_endpoint"`
	}
	if err := op.Claims(&meta); err != nil {
		return nil, problem.New(problem.Unavailable, "the sign-in service cannot be reached; try again in a minute")
	}
	p := &provider{
		oidc:       op,
		endSession: meta.EndSession,
		userinfo:   meta.UserInfo,
		api:        op.Verifier(&oidc.Config{ClientID: s.opts.APIAudience, Now: s.lenient}),
		login:      op.Verifier(&oidc.Config{ClientID: s.opts.ClientID, Now: s.lenient}),
	}
	s.providers[issuer] = p
	return p, nil
}

// oauth2Config is the code flow at the sign-in provider.
func (s *Service) oauth2Config(p *provider) *oauth2.Config {
	ep := p.oidc.Endpoint()
	if s.opts.ClientSecret == "" {
		// A public client has no secret to put in a Basic header.
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID:     s.opts.ClientID,
		ClientSecret: s.opts.ClientSecret,
		Endpoint:     ep,
		RedirectURL:  s.opts.BaseURL + "/auth/callback",
		Scopes:       s.opts.Scopes,
	}
}

// lenient is the clock the verifiers check expiry with: a token that expired
// less than the leeway ago by our clock may have been fresh by the provider's.
func (s *Service) lenient() time.Time { return s.now().Add(-s.opts.Leeway) }

// checkIssuedAt refuses a token issued in the future beyond the leeway: a
// provider whose clock runs ahead would otherwise mint tokens that outlive
// their stated lifetime here.
func (s *Service) checkIssuedAt(claims map[string]any) error {
	iat, ok := claims["iat"].(float64)
	if !ok {
		return nil
	}
	if time.Unix(int64(iat), 0).After(s.now().Add(s.opts.Leeway)) {
		return errors.New("the token was issued in the future, beyond the clock leeway")
	}
	return nil
}

// principal builds the Principal that verified claims from issuer describe,
// and the Grant of its claims: claim-mapped roles together with the
// memberships of a trusted e-mail address. Every reason the person ends with
// no role is logged with the request id.
func (s *Service) principal(ctx context.Context, issuer string, claims map[string]any) (Principal, Grant, error) {
	sub, _ := claims["sub"].(string)
	if sub == "" {
		return Principal{}, Grant{}, problem.New(problem.Unauthorized, "the token names no subject")
	}
	rules := s.rules[issuer]
	p := Principal{Subject: issuer + "|" + sub}
	p.Name, _ = claims["name"].(string)
	if p.Name == "" {
		p.Name, _ = claims["preferred_username"].(string)
	}
	// An unknown time of sign-in is never a recent one.
	if t, ok := claims["auth_time"].(float64); ok && t > 0 {
		p.AuthTime = int64(t)
	}
	grant, reasons := GrantOf(rules, claims)
	email := emailOf(rules, claims)
	p.Received = email
	if p.Received == "" {
		p.Received = sub
	}
	switch {
	case email == "":
		reasons = append(reasons, "no e-mail address in the claims "+strings.Join(emailClaims(rules), ", ")+", so no memberships")
	// An e-mail the provider does not vouch for could be anyone's; it must
	// not pick up the memberships granted to that address.
	case !rules.TrustEmail && !emailVerified(claims):
		reasons = append(reasons, "email_verified is not true and the issuer's claims require it, so no memberships")
	default:
		p.Email = email
	}
	roles, agency, more, err := s.roles(ctx, grant, p.Email)
	if err != nil {
		return Principal{}, Grant{}, err
	}
	p.Roles, p.Agency = roles, agency
	if len(p.Roles) > 0 && len(more) > 0 {
		s.log.Warn("a role was dropped", "request_id", audit.RequestIDFrom(ctx), "subject", p.Subject, "reasons", more)
	}
	if len(p.Roles) == 0 {
		reasons = append(reasons, more...)
		if p.Email != "" {
			reasons = append(reasons, "no membership for the e-mail address")
		}
		s.log.Warn("signed in with no role", "request_id", audit.RequestIDFrom(ctx), "subject", p.Subject, "reasons", reasons)
	}
	return p, grant, nil
}

// roles adds the memberships of email (none when empty) to what the claims
// granted, dropping agency_staff of an agency the hub does not know.
func (s *Service) roles(ctx context.Context, g Grant, email string) ([]Role, string, []string, error) {
	var memberships []Membership
	if email != "" { // an empty e-mail would list everyone's memberships
		ms, err := s.store.Memberships(ctx, email)
		if err != nil {
			return nil, "", nil, err
		}
		memberships = ms
	}
	roles, agency, reasons := g.With(memberships)
	if agency != "" && s.opts.KnownAgency != nil && !s.opts.KnownAgency(agency) {
		reasons = append(reasons, fmt.Sprintf("agency_staff dropped: agency %q is not in the agency files", agency))
		roles = slices.DeleteFunc(roles, func(r Role) bool { return r == AgencyStaff })
		agency = ""
	}
	return roles, agency, reasons, nil
}

// emailClaims are the claims that may hold the e-mail address, in order.
func emailClaims(r ClaimRules) []string {
	if len(r.EmailClaims) > 0 {
		return r.EmailClaims
	}
	return []string{"email"}
}

// emailOf is the first of the issuer's e-mail claims that holds a string
// with an @, lower-cased as memberships are kept.
func emailOf(r ClaimRules, claims map[string]any) string {
	for _, c := range emailClaims(r) {
		if v, _ := claims[c].(string); strings.Contains(v, "@") {
			return strings.ToLower(strings.TrimSpace(v))
		}
	}
	return ""
}

// emailVerified reads email_verified, which some providers send as a string.
func emailVerified(claims map[string]any) bool {
	switch v := claims["email_verified"].(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// randomToken is n random bytes, base64url without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

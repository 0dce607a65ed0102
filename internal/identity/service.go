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

	"github.com/stalking-hub/hub/internal/problem"
)

// Store is what identity needs of the database (internal/store.*DB satisfies it).
type Store interface {
	SaveSigninState(ctx context.Context, s SigninState) error
	TakeSigninState(ctx context.Context, state string) (SigninState, error)
	CreateSession(ctx context.Context, token string, s Session) error
	TouchSession(ctx context.Context, token string, idle, absolute time.Duration) (Session, error)
	DeleteSession(ctx context.Context, token string) error
	Memberships(ctx context.Context, email string) ([]Membership, error)
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
	// KnownAgency (optional) reports whether an agency id exists; agency_staff
	// with an unknown agency is dropped. Nil accepts any agency id.
	KnownAgency func(id string) bool
	// HTTPClient (optional) is used to reach the providers.
	HTTPClient *http.Client
	// Now (optional) is the clock.
	Now func() time.Time
}

// signinTTL is how long a redirect to the provider may take to come back.
const signinTTL = 10 * time.Minute

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
}

// provider is what discovery told us of one issuer.
type provider struct {
	oidc       *oidc.Provider
	endSession string
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
	s := &Service{opts: opts, store: store, log: log, now: opts.Now, client: opts.HTTPClient, rules: rules, providers: map[string]*provider{}}
	if s.now == nil {
		s.now = time.Now
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
		s.log.Error("OpenID provider discovery failed", "issuer", issuer, "error", err.Error())
		return nil, problem.New(problem.Unavailable, "the sign-in service cannot be reached; try again in a minute")
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := op.Claims(&meta); err != nil {
		return nil, problem.New(problem.Unavailable, "the sign-in service cannot be reached; try again in a minute")
	}
	p := &provider{
		oidc:       op,
		endSession: meta.EndSession,
		api:        op.Verifier(&oidc.Config{ClientID: s.opts.APIAudience, Now: s.now}),
		login:      op.Verifier(&oidc.Config{ClientID: s.opts.ClientID, Now: s.now}),
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

// principal builds the Principal that verified claims from issuer describe:
// claim-mapped roles together with the memberships of a verified e-mail.
func (s *Service) principal(ctx context.Context, issuer string, claims map[string]any) (Principal, error) {
	sub, _ := claims["sub"].(string)
	if sub == "" {
		return Principal{}, problem.New(problem.Unauthorized, "the token names no subject")
	}
	p := Principal{Subject: issuer + "|" + sub, AuthTime: s.now().Unix()}
	p.Name, _ = claims["name"].(string)
	if p.Name == "" {
		p.Name, _ = claims["preferred_username"].(string)
	}
	if t, ok := claims["auth_time"].(float64); ok && t > 0 {
		p.AuthTime = int64(t)
	}
	var memberships []Membership
	// An e-mail the provider does not vouch for could be anyone's; it must
	// not pick up the memberships granted to that address. (An empty e-mail
	// would list everyone's.)
	if email, _ := claims["email"].(string); email != "" && emailVerified(claims) {
		p.Email = email
		ms, err := s.store.Memberships(ctx, email)
		if err != nil {
			return Principal{}, err
		}
		memberships = ms
	}
	p.Roles, p.Agency = MapClaims(s.rules[issuer], claims, memberships)
	if p.Agency != "" && s.opts.KnownAgency != nil && !s.opts.KnownAgency(p.Agency) {
		s.log.Warn("agency_staff role dropped: unknown agency", "subject", p.Subject, "agency", p.Agency)
		p.Roles = slices.DeleteFunc(p.Roles, func(r Role) bool { return r == AgencyStaff })
		p.Agency = ""
	}
	return p, nil
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

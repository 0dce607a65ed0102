package devidp

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// accessTokenLifetime is how long an access token from the token endpoint lives.
const accessTokenLifetime = time.Hour

// server is the op package's server with this provider's policy on top: PKCE
// S256 required, access tokens for the hub's API audience rather than the
// client, and a discovery document that offers only what is served.
type server struct {
	*op.LegacyServer
	p *Provider
}

// Discovery trims the op package's document to the one flow on offer.
func (s *server) Discovery(ctx context.Context, r *op.Request[struct{}]) (*op.Response, error) {
	resp, err := s.LegacyServer.Discovery(ctx, r)
	if err != nil {
		return nil, err
	}
	d, ok := resp.Data.(*oidc.DiscoveryConfiguration)
	if !ok {
		return nil, errors.New("devidp: unexpected discovery document")
	}
	d.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
	d.ResponseModesSupported = []string{string(oidc.ResponseModeQuery)}
	d.GrantTypesSupported = []oidc.GrantType{oidc.GrantTypeCode}
	d.TokenEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodNone}
	d.TokenEndpointAuthSigningAlgValuesSupported = nil
	d.RevocationEndpointAuthMethodsSupported = nil
	d.RevocationEndpointAuthSigningAlgValuesSupported = nil
	d.IntrospectionEndpointAuthMethodsSupported = nil
	d.IntrospectionEndpointAuthSigningAlgValuesSupported = nil
	d.CodeChallengeMethodsSupported = []oidc.CodeChallengeMethod{oidc.CodeChallengeMethodS256}
	return resp, nil
}

// Authorize refuses what the hub must never send, before the picker is shown.
func (s *server) Authorize(ctx context.Context, r *op.ClientRequest[oidc.AuthRequest]) (*op.Redirect, error) {
	if err := authorizeRefusal(r.Data.CodeChallenge, r.Data.CodeChallengeMethod, r.Data.ResponseMode); err != nil {
		return nil, err
	}
	return s.LegacyServer.Authorize(ctx, r)
}

// authorizeRefusal says why an authorize request is refused, or nil: PKCE
// with S256 is required (plain is no protection against a stolen code), and
// the code comes back in the query, the one mode the hub reads.
func authorizeRefusal(challenge string, method oidc.CodeChallengeMethod, mode oidc.ResponseMode) error {
	switch {
	case challenge == "":
		return oidc.ErrInvalidRequest().WithDescription("PKCE is required: send a code_challenge with code_challenge_method S256")
	case method != oidc.CodeChallengeMethodS256:
		return oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	case len(challenge) != 43: // base64url of a SHA-256 digest, unpadded
		return oidc.ErrInvalidRequest().WithDescription("code_challenge is not an S256 challenge")
	case mode != "" && mode != oidc.ResponseModeQuery:
		return oidc.ErrInvalidRequest().WithDescription("response_mode must be query")
	}
	return nil
}

// CodeExchange is the op package's code exchange with two changes: the
// access token is this provider's own (audience the hub's API, typ at+jwt),
// and PKCE is checked on every exchange, whatever the request claims.
func (s *server) CodeExchange(ctx context.Context, r *op.ClientRequest[oidc.AccessTokenRequest]) (*op.Response, error) {
	storage := s.Provider().Storage()
	authReq, err := op.AuthRequestByCode(ctx, storage, r.Data.Code)
	if err != nil {
		return nil, err
	}
	if err := verifyPKCE(r.Data.CodeVerifier, authReq.GetCodeChallenge()); err != nil {
		return nil, err
	}
	if r.Client.GetID() != authReq.GetClientID() {
		return nil, oidc.ErrInvalidGrant().WithDescription("the code was issued to another client")
	}
	if r.Data.RedirectURI != authReq.GetRedirectURI() {
		return nil, oidc.ErrInvalidGrant().WithDescription("redirect_uri does not correspond")
	}
	who, ok := personaByID(authReq.GetSubject())
	if !ok {
		return nil, oidc.ErrInvalidGrant().WithDescription("the sign-in names no persona")
	}
	access, err := s.p.mint(who, accessTokenLifetime)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	idToken, err := op.CreateIDToken(ctx, s.p.cfg.Issuer, authReq, r.Client.IDTokenLifetime(), access, r.Data.Code, storage, r.Client)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	resp := op.NewResponse(&oidc.AccessTokenResponse{
		AccessToken: access,
		IDToken:     idToken,
		TokenType:   oidc.BearerToken,
		ExpiresIn:   uint64(accessTokenLifetime.Seconds()),
		Scope:       slices.Clone(authReq.GetScopes()),
	})
	resp.Header.Set("Cache-Control", "no-store")
	return resp, nil
}

// verifyPKCE checks the code verifier against the sign-in's S256 challenge.
// A sign-in without one cannot be exchanged at all.
func verifyPKCE(verifier string, c *oidc.CodeChallenge) error {
	if c == nil || c.Method != oidc.CodeChallengeMethodS256 {
		return oidc.ErrInvalidGrant().WithDescription("the sign-in has no S256 code challenge")
	}
	return op.AuthorizeCodeChallenge(verifier, c)
}

// JWTProfile refuses the JWT bearer grant, which the op package otherwise offers.
func (s *server) JWTProfile(ctx context.Context, r *op.Request[oidc.JWTProfileGrantRequest]) (*op.Response, error) {
	return op.UnimplementedServer{}.JWTProfile(ctx, r)
}

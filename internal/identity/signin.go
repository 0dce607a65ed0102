package identity

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/url"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/stalking-hub/hub/internal/problem"
)

// BeginSignin starts the authorization code flow: it remembers a fresh state,
// nonce and PKCE verifier and returns the provider URL to send the browser to.
// With fresh set the provider is asked to authenticate the person again even
// when it holds a session of its own (prompt=login, max_age=0), as a decision
// that needs a recent sign-in does. A provider may ignore the request; the
// auth_time it reports then stays old and the decision stays refused.
func (s *Service) BeginSignin(ctx context.Context, returnTo string, fresh bool) (string, error) {
	p, err := s.provider(ctx, s.opts.Issuer)
	if err != nil {
		return "", err
	}
	st := SigninState{
		State:     randomToken(32),
		Nonce:     randomToken(32),
		Verifier:  oauth2.GenerateVerifier(),
		ReturnTo:  returnTo,
		CreatedAt: s.now(),
	}
	if err := s.store.SaveSigninState(ctx, st); err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(st.Verifier), oidc.Nonce(st.Nonce)}
	if fresh {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", "login"), oauth2.SetAuthURLParam("max_age", "0"))
	}
	return s.oauth2Config(p).AuthCodeURL(st.State, opts...), nil
}

// errSignin is what the person is told of any failed sign-in: the reason is
// logged, not shown.
var errSignin = problem.New(problem.Unauthorized, "we could not sign you in; sign in again")

// FinishSignin takes the state (once), redeems the code with the PKCE
// verifier, verifies the ID token and its nonce, and opens a session. It
// returns the session token for the cookie and where to go next. An unknown
// or used state is NotFound. The Principal's SessionID is set when the
// session is read back by Session.
func (s *Service) FinishSignin(ctx context.Context, state, code string) (string, Session, string, error) {
	st, err := s.store.TakeSigninState(ctx, state)
	if err != nil {
		return "", Session{}, "", err
	}
	now := s.now()
	if now.Sub(st.CreatedAt) > signinTTL {
		s.log.Warn("sign-in refused", "reason", "the sign-in took longer than allowed")
		return "", Session{}, "", problem.New(problem.Unauthorized, "this sign-in took too long; sign in again")
	}
	if code == "" {
		s.log.Warn("sign-in refused", "reason", "no code in the callback")
		return "", Session{}, "", errSignin
	}
	p, err := s.provider(ctx, s.opts.Issuer)
	if err != nil {
		return "", Session{}, "", err
	}
	tok, err := s.oauth2Config(p).Exchange(oidc.ClientContext(ctx, s.client), code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		reason := "the token request failed"
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			reason += ": " + re.ErrorCode
		}
		s.log.Warn("sign-in refused", "reason", reason)
		return "", Session{}, "", errSignin
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		s.log.Warn("sign-in refused", "reason", "no ID token in the token response")
		return "", Session{}, "", errSignin
	}
	idt, err := p.login.Verify(ctx, raw)
	if err != nil {
		s.log.Warn("sign-in refused", "reason", err.Error())
		return "", Session{}, "", errSignin
	}
	// go-oidc leaves the nonce to us: it binds this ID token to this browser's redirect.
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		s.log.Warn("sign-in refused", "reason", "the ID token's nonce does not match")
		return "", Session{}, "", errSignin
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		s.log.Warn("sign-in refused", "reason", "the ID token's claims do not parse")
		return "", Session{}, "", errSignin
	}
	pr, err := s.principal(ctx, idt.Issuer, claims)
	if err != nil {
		return "", Session{}, "", err
	}
	sess := Session{Principal: pr, IDToken: raw, CSRF: randomToken(32), CreatedAt: now, LastSeen: now}
	token := randomToken(32)
	if err := s.store.CreateSession(ctx, token, sess); err != nil {
		return "", Session{}, "", err
	}
	return token, sess, st.ReturnTo, nil
}

// Session returns the live session for a cookie token, within both timeouts.
func (s *Service) Session(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, problem.New(problem.Unauthorized, "sign in to continue")
	}
	return s.store.TouchSession(ctx, token, s.opts.Idle, s.opts.Absolute)
}

// Signout ends the session and returns the provider's end-session URL, or ""
// when the provider offers none.
func (s *Service) Signout(ctx context.Context, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	// The ID token is the hint the provider wants; an already ended session has none.
	sess, _ := s.store.TouchSession(ctx, token, s.opts.Idle, s.opts.Absolute)
	if err := s.store.DeleteSession(ctx, token); err != nil {
		return "", err
	}
	p, err := s.provider(ctx, s.opts.Issuer)
	if err != nil || p.endSession == "" {
		// Signed out here; the provider's own session is the provider's affair.
		return "", nil
	}
	u, err := url.Parse(p.endSession)
	if err != nil {
		return "", nil
	}
	q := u.Query()
	if sess.IDToken != "" {
		q.Set("id_token_hint", sess.IDToken)
	}
	q.Set("post_logout_redirect_uri", s.opts.BaseURL+"/signed-out")
	q.Set("client_id", s.opts.ClientID)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

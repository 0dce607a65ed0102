package identity

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/problem"
)

// BeginSignin starts the authorization code flow: it remembers a fresh state,
// nonce and PKCE verifier, bound to the browser that holds the cookie value
// browser, and returns the provider URL to send the browser to. With fresh
// set the provider is asked to authenticate the person again even when it
// holds a session of its own (prompt=login, max_age=0), as a decision that
// needs a recent sign-in does. A provider may ignore the request; the
// auth_time it reports then stays old and the decision stays refused.
func (s *Service) BeginSignin(ctx context.Context, returnTo string, fresh bool, browser string) (string, error) {
	if len(browser) < 32 {
		return "", errors.New("identity: a sign-in needs the browser's binding value")
	}
	p, err := s.provider(ctx, s.opts.Issuer)
	if err != nil {
		return "", err
	}
	st := SigninState{
		State:     randomToken(32),
		Nonce:     randomToken(32),
		Verifier:  oauth2.GenerateVerifier(),
		ReturnTo:  returnTo,
		Browser:   hashBinding(browser),
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

// NewBinding is a fresh value for the cookie that binds sign-ins to a browser.
func NewBinding() string { return randomToken(32) }

func hashBinding(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// errSignin is what the person is told of any failed sign-in: the reason is
// logged, not shown.
var errSignin = problem.New(problem.Unauthorized, "we could not sign you in; sign in again")

// refuse logs why a sign-in failed, with the request id the person is shown,
// and returns what they are told.
func (s *Service) refuse(ctx context.Context, reason string, shown error) error {
	s.log.Warn("sign-in refused", "request_id", audit.RequestIDFrom(ctx), "reason", reason)
	return shown
}

// FinishSignin takes the state (once), checks that the callback comes from
// the browser that started the sign-in (its cookie value browser), redeems
// the code with the PKCE verifier, verifies the ID token and its nonce, asks
// UserInfo for what the ID token left out, and opens a session. It returns
// the session token for the cookie and where to go next. An unknown or used
// state is NotFound. The Principal's SessionID is set when the session is
// read back by Session.
func (s *Service) FinishSignin(ctx context.Context, state, code, browser string) (string, Session, string, error) {
	st, err := s.store.TakeSigninState(ctx, state)
	if err != nil {
		s.log.Warn("sign-in refused", "request_id", audit.RequestIDFrom(ctx), "reason", "unknown or used state")
		return "", Session{}, "", err
	}
	now := s.now()
	if now.Sub(st.CreatedAt) > SigninTTL {
		return "", Session{}, "", s.refuse(ctx, "the sign-in took longer than allowed", problem.New(problem.Unauthorized, "this sign-in took too long; sign in again"))
	}
	// Login CSRF: a callback URL minted in another browser would sign this one
	// in as whoever minted it.
	if browser == "" || subtle.ConstantTimeCompare([]byte(hashBinding(browser)), []byte(st.Browser)) != 1 {
		return "", Session{}, "", s.refuse(ctx, "the callback came from a browser other than the one that started the sign-in", errSignin)
	}
	if code == "" {
		return "", Session{}, "", s.refuse(ctx, "no code in the callback", errSignin)
	}
	p, err := s.provider(ctx, s.opts.Issuer)
	if err != nil {
		return "", Session{}, "", err
	}
	cctx := oidc.ClientContext(ctx, s.client)
	tok, err := s.oauth2Config(p).Exchange(cctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		reason := "the token request failed"
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			reason += ": " + re.ErrorCode
		}
		return "", Session{}, "", s.refuse(ctx, reason, errSignin)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", Session{}, "", s.refuse(ctx, "no ID token in the token response", errSignin)
	}
	idt, err := p.login.Verify(ctx, raw)
	if err != nil {
		return "", Session{}, "", s.refuse(ctx, err.Error(), errSignin)
	}
	// go-oidc leaves the nonce to us: it binds this ID token to this browser's redirect.
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return "", Session{}, "", s.refuse(ctx, "the ID token's nonce does not match", errSignin)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return "", Session{}, "", s.refuse(ctx, "the ID token's claims do not parse", errSignin)
	}
	if err := s.checkIssuedAt(claims); err != nil {
		return "", Session{}, "", s.refuse(ctx, err.Error(), errSignin)
	}
	if err := s.addUserInfo(cctx, p, tok, claims); err != nil {
		return "", Session{}, "", s.refuse(ctx, err.Error(), errSignin)
	}
	pr, grant, err := s.principal(ctx, idt.Issuer, claims)
	if err != nil {
		return "", Session{}, "", err
	}
	sess := Session{Principal: pr, Grant: grant, IDToken: raw, CSRF: randomToken(32), CreatedAt: now, LastSeen: now}
	token := randomToken(32)
	if err := s.store.CreateSession(ctx, token, sess); err != nil {
		return "", Session{}, "", err
	}
	return token, sess, st.ReturnTo, nil
}

// addUserInfo asks the provider's UserInfo endpoint, with the access token
// of the same sign-in, for the claims the ID token left out, when it lacks
// the e-mail address or the name: many providers put them only there when
// they also issue an access token. UserInfo may add claims, never replace
// the ID token's; an answer about another subject fails the sign-in.
func (s *Service) addUserInfo(ctx context.Context, p *provider, tok *oauth2.Token, claims map[string]any) error {
	_, hasEmail := claims["email"]
	_, hasName := claims["name"]
	if hasEmail && hasName {
		return nil
	}
	if p.userinfo == "" {
		s.log.Info("the ID token lacks the e-mail address or name and the provider has no UserInfo endpoint", "request_id", audit.RequestIDFrom(ctx))
		return nil
	}
	info, err := p.oidc.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return fmt.Errorf("UserInfo failed: %w", err)
	}
	var more map[string]any
	if err := info.Claims(&more); err != nil {
		return errors.New("the UserInfo claims do not parse")
	}
	if sub, _ := claims["sub"].(string); info.Subject != sub {
		return errors.New("UserInfo answered for another subject")
	}
	for k, v := range more {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return nil
}

// Session returns the live session for a cookie token, within both
// timeouts, with the roles its claims and today's memberships give: a
// membership revoked or changed takes effect on the next request.
func (s *Service) Session(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, problem.New(problem.Unauthorized, "sign in to continue")
	}
	sess, err := s.store.TouchSession(ctx, token, s.opts.Idle, s.opts.Absolute)
	if err != nil {
		return Session{}, err
	}
	roles, agency, _, err := s.roles(ctx, sess.Grant, sess.Principal.Email)
	if err != nil {
		return Session{}, err
	}
	sess.Principal.Roles, sess.Principal.Agency = roles, agency
	return sess, nil
}

// EndSessions ends every session of one person, by subject or e-mail
// address: an administrator ending someone's access now, or a person
// signing out everywhere. It returns how many ended.
func (s *Service) EndSessions(ctx context.Context, who SessionsOf, by Principal) (int, error) {
	why := "ended_by_admin"
	if who.Subject != "" && who.Subject == by.Subject {
		why = "signed_out_everywhere"
	}
	if who.Subject == "" && who.Email == "" {
		return 0, problem.New(problem.Invalid, "name whose sessions to end")
	}
	who.Email = strings.ToLower(strings.TrimSpace(who.Email))
	return s.store.EndSessions(ctx, who, by, why)
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

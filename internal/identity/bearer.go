package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/problem"
)

// errToken is the answer to every refused access token: the caller learns
// that the token is no good, the log learns why.
var errToken = problem.New(problem.Unauthorized, "the access token is not valid")

// Bearer checks an API access token: a JWT from a configured issuer, signed
// with a key from that issuer's JWKS, for the hub's API audience, unexpired
// (within the clock leeway), not issued in the future. An ID token is never
// an access token: one with a nonce, or one issued to the sign-in client
// without the access-token type at+jwt, is refused even when its audience
// also names the API. Every refusal is logged with the request id.
//
// A token accepted is kept for up to a minute (tokenCache): within it the
// same token is not checked again, but its memberships are read every time.
func (s *Service) Bearer(ctx context.Context, raw string) (Principal, error) {
	if v, ok := s.tokens.get(raw, s.now()); ok {
		pr, _, err := s.principal(ctx, v.issuer, v.claims)
		return pr, err
	}
	refuse := func(reason string) (Principal, error) {
		s.log.Info("access token refused", "request_id", audit.RequestIDFrom(ctx), "reason", reason)
		return Principal{}, errToken
	}
	issuer, typ, err := unverifiedHeader(raw)
	if err != nil {
		return refuse(err.Error())
	}
	if _, ok := s.rules[issuer]; !ok {
		return refuse("the issuer is not configured")
	}
	p, err := s.provider(ctx, issuer)
	if err != nil {
		return Principal{}, err
	}
	tok, err := p.api.Verify(ctx, raw)
	if err != nil {
		return refuse(err.Error())
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return refuse("claims do not parse")
	}
	if _, ok := claims["nonce"]; ok {
		return refuse("the token carries a nonce: it is an ID token")
	}
	if !accessTokenType(typ) && slices.Contains(tok.Audience, s.opts.ClientID) {
		return refuse("the token is issued to the sign-in client and is not typed at+jwt: it is an ID token")
	}
	if err := s.checkIssuedAt(claims); err != nil {
		return refuse(err.Error())
	}
	pr, _, err := s.principal(ctx, tok.Issuer, claims)
	if err == nil {
		s.tokens.put(raw, verifiedToken{issuer: tok.Issuer, claims: claims}, s.now())
	}
	return pr, err
}

// accessTokenType reports whether a JWT's typ says it is an access token (RFC 9068).
func accessTokenType(typ string) bool {
	t := strings.ToLower(typ)
	return t == "at+jwt" || t == "application/at+jwt"
}

// unverifiedHeader reads the issuer and type of a compact JWT before its
// signature is checked, only to choose which issuer's keys to check it with.
// It refuses a token whose typ says it is something other than an access
// token or a JWT.
func unverifiedHeader(raw string) (string, string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", "", errors.New("not a signed JWT")
	}
	var header struct {
		Typ *string `json:"typ"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return "", "", errors.New("the header does not parse")
	}
	typ := ""
	if header.Typ != nil {
		typ = *header.Typ
		switch strings.ToLower(typ) {
		case "at+jwt", "application/at+jwt", "jwt":
		default:
			return "", "", errors.New("the token type is not an access token")
		}
	}
	var payload struct {
		Issuer string `json:"iss"`
	}
	if err := decodeSegment(parts[1], &payload); err != nil || payload.Issuer == "" {
		return "", "", errors.New("the payload names no issuer")
	}
	return payload.Issuer, typ, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/stalking-hub/hub/internal/problem"
)

// errToken is the answer to every refused access token: the caller learns
// that the token is no good, the log learns why.
var errToken = problem.New(problem.Unauthorized, "the access token is not valid")

// Bearer checks an API access token: a JWT from a configured issuer, signed
// with a key from that issuer's JWKS, for the hub's API audience, unexpired.
// ID tokens fail the audience check: their audience is the client.
func (s *Service) Bearer(ctx context.Context, raw string) (Principal, error) {
	issuer, err := unverifiedIssuer(raw)
	if err != nil {
		s.log.Info("access token refused", "reason", err.Error())
		return Principal{}, errToken
	}
	if _, ok := s.rules[issuer]; !ok {
		s.log.Info("access token refused", "reason", "the issuer is not configured")
		return Principal{}, errToken
	}
	p, err := s.provider(ctx, issuer)
	if err != nil {
		return Principal{}, err
	}
	tok, err := p.api.Verify(ctx, raw)
	if err != nil {
		s.log.Info("access token refused", "reason", err.Error())
		return Principal{}, errToken
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		s.log.Info("access token refused", "reason", "claims do not parse")
		return Principal{}, errToken
	}
	return s.principal(ctx, tok.Issuer, claims)
}

// unverifiedIssuer reads the issuer of a compact JWT before its signature is
// checked, only to choose which issuer's keys to check it with. It refuses a
// token whose typ says it is something other than an access token or a JWT.
func unverifiedIssuer(raw string) (string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", errors.New("not a signed JWT")
	}
	var header struct {
		Typ *string `json:"typ"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return "", errors.New("the header does not parse")
	}
	if header.Typ != nil {
		switch strings.ToLower(*header.Typ) {
		case "at+jwt", "application/at+jwt", "jwt":
		default:
			return "", errors.New("the token type is not an access token")
		}
	}
	var payload struct {
		Issuer string `json:"iss"`
	}
	if err := decodeSegment(parts[1], &payload); err != nil || payload.Issuer == "" {
		return "", errors.New("the payload names no issuer")
	}
	return payload.Issuer, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

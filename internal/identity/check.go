package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// ProviderCheck is what CheckProvider found out about one issuer: the
// problems that stop sign-in or tokens from working, and notes worth
// knowing.
type ProviderCheck struct {
	Issuer   string
	Keys     int      // signing keys in the JWKS
	Problems []string // each stops sign-in or API tokens from this issuer
	Notes    []string
}

// OK reports whether the issuer can work.
func (c ProviderCheck) OK() bool { return len(c.Problems) == 0 }

// CheckProvider performs discovery for issuer and fetches its JWKS, and
// names what is wrong: an unreachable or mismatched issuer, no keys, no PKCE
// S256, no UserInfo endpoint.
func CheckProvider(ctx context.Context, client *http.Client, issuer string) ProviderCheck {
	c := ProviderCheck{Issuer: issuer}
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, client), 20*time.Second)
	defer cancel()
	op, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		c.Problems = append(c.Problems, "discovery at "+issuer+"/.well-known/openid-configuration failed: "+err.Error())
		return c
	}
	var meta struct {
		JWKS       string   `json:"jwks_uri"`
		UserInfo   string   `json:"userinfo_endpoint"`
		EndSession string   `json:"end_session_endpoint"`
		PKCE       []string `json:"code_challenge_methods_supported"`
		Algs       []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := op.Claims(&meta); err != nil {
		c.Problems = append(c.Problems, "the discovery document does not parse: "+err.Error())
		return c
	}
	switch {
	case meta.JWKS == "":
		c.Problems = append(c.Problems, "the discovery document names no jwks_uri")
	default:
		n, err := countKeys(ctx, client, meta.JWKS)
		c.Keys = n
		if err != nil {
			c.Problems = append(c.Problems, "the JWKS at "+meta.JWKS+" cannot be read: "+err.Error())
		} else if n == 0 {
			c.Problems = append(c.Problems, "the JWKS at "+meta.JWKS+" holds no signing keys")
		}
	}
	if op.Endpoint().AuthURL == "" || op.Endpoint().TokenURL == "" {
		c.Problems = append(c.Problems, "the discovery document lacks the authorization or token endpoint")
	}
	if len(meta.PKCE) > 0 && !slices.Contains(meta.PKCE, "S256") {
		c.Problems = append(c.Problems, "the provider does not offer PKCE with S256, which the hub sends")
	}
	if len(meta.PKCE) == 0 {
		c.Notes = append(c.Notes, "the provider does not say whether it supports PKCE (code_challenge_methods_supported)")
	}
	if meta.UserInfo == "" {
		c.Notes = append(c.Notes, "no UserInfo endpoint: the ID token must carry the e-mail address and name")
	}
	if meta.EndSession == "" {
		c.Notes = append(c.Notes, "no end_session_endpoint: signing out of the hub leaves the provider's own session")
	}
	return c
}

// countKeys fetches a JWKS and counts its signing keys.
func countKeys(ctx context.Context, client *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d", res.StatusCode)
	}
	var set struct {
		Keys []struct {
			Kty string `json:"kty"`
			Use string `json:"use"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, res.Body, 1<<20)).Decode(&set); err != nil {
		return 0, fmt.Errorf("not a JSON Web Key Set: %w", err)
	}
	n := 0
	for _, k := range set.Keys {
		if k.Kty != "" && (k.Use == "" || k.Use == "sig") {
			n++
		}
	}
	return n, nil
}

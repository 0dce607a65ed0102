package identity_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/identity/oidctest"
)

func TestBearer(t *testing.T) {
	h := newHub(t, setup{})
	partner := map[string]any{"sub": "housing-system", "roles": []string{"agency_staff"}, "agency": "housing"}

	r := h.bearer("/api/v1/me", h.IdP.AccessToken(partner, oidctest.None))
	if r.Status != http.StatusOK {
		t.Fatalf("valid token: %d %s", r.Status, r.Body)
	}
	var me struct {
		Subject string          `json:"subject"`
		Roles   []identity.Role `json:"roles"`
		Agency  *string         `json:"agency"`
	}
	if err := json.Unmarshal([]byte(r.Body), &me); err != nil {
		t.Fatal(err)
	}
	if me.Subject != h.IdP.URL+"|housing-system" || !equalRoles(me.Roles, []identity.Role{identity.AgencyStaff}) || me.Agency == nil || *me.Agency != "housing" {
		t.Errorf("me: %s", r.Body)
	}

	// Access tokens come typed at+jwt (RFC 9068), JWT, or untyped.
	access := func() map[string]any {
		now := h.Clock.Now()
		return map[string]any{"iss": h.IdP.URL, "aud": apiAudience, "sub": "housing-system", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()}
	}
	for _, typ := range []string{"at+jwt", "application/at+jwt", "JWT", ""} {
		if r := h.bearer("/api/v1/me", h.IdP.Sign(typ, access())); r.Status != http.StatusOK {
			t.Errorf("token typed %q: %d %s", typ, r.Status, r.Body)
		}
	}

	refused := []struct {
		name  string
		token string
	}{
		{"none at all", ""},
		{"expired", h.IdP.AccessToken(partner, oidctest.Expired)},
		{"wrong audience", h.IdP.AccessToken(partner, oidctest.WrongAudience)},
		{"unknown issuer", h.IdP.AccessToken(partner, oidctest.WrongIssuer)},
		{"unknown signing key", h.IdP.AccessToken(partner, oidctest.UnknownKey)},
		{"an ID token", h.IdP.IDToken(partner, oidctest.None)},
		{"a token typed as something else", h.IdP.Sign("secevent+jwt", access())},
		{"payload altered after signing", alter(t, h.IdP.AccessToken(partner, oidctest.None))},
		{"not a JWT", "opaque-token"},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			r := h.bearer("/api/v1/me", c.token)
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("%d %s, want 401", r.Status, r.Body)
			}
			if !strings.Contains(r.Body, `"code":"unauthorized"`) {
				t.Errorf("want the JSON error of the API: %s", r.Body)
			}
		})
	}
}

// alter gives the token's subject more roles without re-signing it.
func alter(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	claims := map[string]any{}
	decode(t, parts[1], &claims)
	claims["roles"] = []string{"admin"}
	parts[1] = encode(t, claims)
	return strings.Join(parts, ".")
}

func decode(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func encode(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

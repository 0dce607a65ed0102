package devidp

import (
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

func TestAuthorizeRefusal(t *testing.T) {
	s256 := strings.Repeat("A", 43)
	cases := []struct {
		name      string
		challenge string
		method    oidc.CodeChallengeMethod
		mode      oidc.ResponseMode
		refused   bool
	}{
		{"S256", s256, oidc.CodeChallengeMethodS256, "", false},
		{"S256 in the query", s256, oidc.CodeChallengeMethodS256, oidc.ResponseModeQuery, false},
		{"no challenge", "", "", "", true},
		{"method without challenge", "", oidc.CodeChallengeMethodS256, "", true},
		{"plain", s256, oidc.CodeChallengeMethodPlain, "", true},
		{"no method means plain", s256, "", "", true},
		{"unknown method", s256, "S512", "", true},
		{"too short for S256", s256[:42], oidc.CodeChallengeMethodS256, "", true},
		{"too long for S256", s256 + "A", oidc.CodeChallengeMethodS256, "", true},
		{"fragment", s256, oidc.CodeChallengeMethodS256, oidc.ResponseModeFragment, true},
		{"form post", s256, oidc.CodeChallengeMethodS256, oidc.ResponseModeFormPost, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := authorizeRefusal(tc.challenge, tc.method, tc.mode)
			if (err != nil) != tc.refused {
				t.Errorf("authorizeRefusal = %v, want refused %v", err, tc.refused)
			}
		})
	}
}

func TestVerifyPKCE(t *testing.T) {
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636, appendix B
	const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	cases := []struct {
		name     string
		verifier string
		c        *oidc.CodeChallenge
		ok       bool
	}{
		{"right verifier", verifier, &oidc.CodeChallenge{Challenge: challenge, Method: oidc.CodeChallengeMethodS256}, true},
		{"wrong verifier", verifier + "x", &oidc.CodeChallenge{Challenge: challenge, Method: oidc.CodeChallengeMethodS256}, false},
		{"no verifier", "", &oidc.CodeChallenge{Challenge: challenge, Method: oidc.CodeChallengeMethodS256}, false},
		{"no challenge", verifier, nil, false},
		{"no challenge and no verifier", "", nil, false},
		{"plain challenge", verifier, &oidc.CodeChallenge{Challenge: verifier, Method: oidc.CodeChallengeMethodPlain}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := verifyPKCE(tc.verifier, tc.c)
			if (err == nil) != tc.ok {
				t.Errorf("verifyPKCE = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

package identity_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stalking-hub/hub/internal/identity"
)

// claimsOf parses claims as they arrive in a token, so that lists are []any
// and nested objects map[string]any.
func claimsOf(t *testing.T, js string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMapClaims(t *testing.T) {
	entra := identity.ClaimRules{
		Issuer:    "https://login.microsoftonline.com/tenant/v2.0",
		RolePaths: []string{"roles", "groups"},
		Map: map[string]string{
			"Hub.Officer":    "officer",
			"Hub.Supervisor": "supervisor",
			"grp-housing":    "agency_staff:housing",
			"grp-idva":       "agency_staff:idva",
			"grp-audit":      "auditor",
		},
	}
	keycloak := identity.ClaimRules{
		Issuer:     "https://sso.example/realms/hub",
		RolePaths:  []string{"realm_access.roles", "resource_access.hub.roles"},
		AgencyPath: "agency",
	}
	zitadel := identity.ClaimRules{
		Issuer:     "https://hub.zitadel.example",
		RolePaths:  []string{"urn:zitadel:iam:org:project:roles"},
		AgencyPath: "hub_agency",
		Map:        map[string]string{"hub-officer": "officer", "hub-staff": "agency_staff", "hub-auditor": "auditor"},
	}
	keycloakMapped := identity.ClaimRules{
		Issuer:     "https://sso.example/realms/hub",
		RolePaths:  []string{"realm_access.roles"},
		AgencyPath: "agency",
		Map:        map[string]string{"hub-agency-staff": "agency_staff", "hub-officer": "officer"},
	}
	namespaced := identity.ClaimRules{Issuer: "https://tenant.auth0.example/", RolePaths: []string{"https://hub.example/roles"}}
	member := func(r identity.Role, agency string) identity.Membership {
		return identity.Membership{Email: "a@example.org", Role: r, Agency: agency}
	}
	cases := []struct {
		name        string
		rules       identity.ClaimRules
		claims      string
		memberships []identity.Membership
		roles       []identity.Role
		agency      string
	}{
		{"entra app roles", entra, `{"roles":["Hub.Officer"]}`, nil, []identity.Role{identity.Officer}, ""},
		{"entra groups give agency from the map value", entra, `{"groups":["grp-housing"]}`, nil, []identity.Role{identity.AgencyStaff}, "housing"},
		{"entra roles and groups together, in role order", entra, `{"roles":["Hub.Supervisor","Hub.Officer"],"groups":["grp-audit"]}`, nil,
			[]identity.Role{identity.Officer, identity.Supervisor, identity.Auditor}, ""},
		{"entra single string claim", entra, `{"roles":"Hub.Officer"}`, nil, []identity.Role{identity.Officer}, ""},
		{"unknown values ignored", entra, `{"roles":["Hub.Everything","admin"],"groups":["grp-unknown", 7, null]}`, nil, nil, ""},
		{"with a map, a bare role name is not a role", entra, `{"roles":["officer"]}`, nil, nil, ""},
		{"two agencies disagree: agency_staff dropped", entra, `{"groups":["grp-housing","grp-idva","grp-audit"]}`, nil, []identity.Role{identity.Auditor}, ""},
		{"keycloak realm roles, agency from claim", keycloak, `{"realm_access":{"roles":["agency_staff","offline_access"]},"agency":"idva"}`, nil,
			[]identity.Role{identity.AgencyStaff}, "idva"},
		{"keycloak client roles", keycloak, `{"resource_access":{"hub":{"roles":["marac_coordinator"]}}}`, nil, []identity.Role{identity.MARACCoordinator}, ""},
		{"keycloak agency_staff without an agency is dropped", keycloak, `{"realm_access":{"roles":["agency_staff","officer"]}}`, nil, []identity.Role{identity.Officer}, ""},
		{"agency claim that is not a string is no agency", keycloak, `{"realm_access":{"roles":["agency_staff"]},"agency":["idva"]}`, nil, nil, ""},
		{"agency claim alone grants nothing", keycloak, `{"agency":"idva"}`, nil, nil, ""},
		{"raw value with an agency", keycloak, `{"realm_access":{"roles":["agency_staff:housing"]}}`, nil, []identity.Role{identity.AgencyStaff}, "housing"},
		{"only agency_staff takes an agency", keycloak, `{"realm_access":{"roles":["officer:housing","agency_staff:"]}}`, nil, nil, ""},
		{"role path not in the token", keycloak, `{"roles":["officer"]}`, nil, nil, ""},
		{"claim key containing dots", namespaced, `{"https://hub.example/roles":["auditor"]}`, nil, []identity.Role{identity.Auditor}, ""},
		{"memberships added", entra, `{"roles":["Hub.Officer"]}`, []identity.Membership{member(identity.Admin, "")},
			[]identity.Role{identity.Officer, identity.Admin}, ""},
		{"membership gives agency_staff with its agency", entra, `{}`, []identity.Membership{member(identity.AgencyStaff, "housing")},
			[]identity.Role{identity.AgencyStaff}, "housing"},
		{"membership and claim agree on the agency", entra, `{"groups":["grp-housing"]}`, []identity.Membership{member(identity.AgencyStaff, "housing")},
			[]identity.Role{identity.AgencyStaff}, "housing"},
		{"membership and claim disagree: agency_staff dropped", entra, `{"groups":["grp-housing"],"roles":["Hub.Officer"]}`,
			[]identity.Membership{member(identity.AgencyStaff, "idva")}, []identity.Role{identity.Officer}, ""},
		{"membership gives the agency a bare claim lacks", keycloak, `{"realm_access":{"roles":["agency_staff"]}}`,
			[]identity.Membership{member(identity.AgencyStaff, "idva")}, []identity.Role{identity.AgencyStaff}, "idva"},
		{"membership with an unknown role ignored", entra, `{}`, []identity.Membership{member("superuser", "")}, nil, ""},
		{"zitadel object-shaped roles", zitadel, `{"urn:zitadel:iam:org:project:roles":{"hub-officer":{"123":"org.example"},"hub-auditor":{"123":"org.example"}}}`, nil,
			[]identity.Role{identity.Officer, identity.Auditor}, ""},
		{"zitadel bare agency_staff takes the agency claim", zitadel, `{"urn:zitadel:iam:org:project:roles":{"hub-staff":{"1":"o"}},"hub_agency":"idva"}`, nil,
			[]identity.Role{identity.AgencyStaff}, "idva"},
		{"keycloak mapped bare agency_staff: each person's own agency", keycloakMapped, `{"realm_access":{"roles":["hub-agency-staff"]},"agency":"health"}`, nil,
			[]identity.Role{identity.AgencyStaff}, "health"},
		{"keycloak mapped bare agency_staff without the attribute", keycloakMapped, `{"realm_access":{"roles":["hub-agency-staff","hub-officer"]}}`, nil,
			[]identity.Role{identity.Officer}, ""},
		{"object whose values are not roles gives its keys only", zitadel, `{"urn:zitadel:iam:org:project:roles":{"nothing":{"hub-officer":"x"}}}`, nil, nil, ""},
		{"no rules for the issuer: memberships only", identity.ClaimRules{}, `{"roles":["officer"]}`, []identity.Membership{member(identity.Auditor, "")},
			[]identity.Role{identity.Auditor}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			roles, agency := identity.MapClaims(c.rules, claimsOf(t, c.claims), c.memberships)
			if !slices.Equal(roles, c.roles) || agency != c.agency {
				t.Errorf("got %v %q, want %v %q", roles, agency, c.roles, c.agency)
			}
		})
	}
}

func TestClaimRulesCheck(t *testing.T) {
	cases := []struct {
		target string
		ok     bool
	}{
		{"officer", true},
		{"agency_staff", true},
		{"agency_staff:housing", true},
		{"Officer", false},
		{"officer:housing", false},
		{"agency_staff:", false},
		{"", false},
	}
	for _, c := range cases {
		err := identity.ClaimRules{Issuer: "https://idp.example", Map: map[string]string{"x": c.target}}.Check()
		if (err == nil) != c.ok {
			t.Errorf("%q: got error %v, want ok=%v", c.target, err, c.ok)
		}
	}
}

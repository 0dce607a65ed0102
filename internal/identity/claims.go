package identity

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ClaimRules maps one issuer's claims to roles. RolePaths are dotted paths to
// claims that hold a string, a list of strings, or an object whose keys are
// the values (ZITADEL's "urn:zitadel:iam:org:project:roles"); each value
// found is looked up in Map ("Hub.Officer" -> "officer", "grp-1234" ->
// "agency_staff:housing", "hub-staff" -> "agency_staff"). With an empty Map a
// value that is itself a role name maps to that role. AgencyPath (optional)
// is a dotted path to a string claim giving the agency of a bare
// agency_staff.
//
// By default an e-mail address picks up the memberships granted to it only
// when email_verified is true. TrustEmail trusts the issuer's addresses
// without it, for an issuer that never sends email_verified (Microsoft Entra
// ID for work accounts; the configuration's email_verified_required = false).
// EmailClaims are the claims that may hold the address, first present wins
// (default "email").
type ClaimRules struct {
	Issuer      string
	RolePaths   []string
	AgencyPath  string
	Map         map[string]string
	TrustEmail  bool
	EmailClaims []string
}

// Check reports the first Map value that names no role, so that a mistyped
// mapping stops the start instead of silently granting nothing.
func (r ClaimRules) Check() error {
	for value, target := range r.Map {
		if _, _, ok := parseTarget(target); !ok {
			return fmt.Errorf("claims for %s: %q maps to %q, which is not a role (want a role, or agency_staff:AGENCY)", r.Issuer, value, target)
		}
	}
	return nil
}

// Grant is what a token's claims give, before the memberships kept in the
// hub are added: roles, and the agencies claims named for agency_staff.
// A session keeps it, so that memberships can be read again on every request.
type Grant struct {
	Roles    []Role
	Agencies []string
}

// MapClaims gives the roles and agency that a token's claims and the person's
// memberships grant: claim-mapped roles together with the memberships' roles.
func MapClaims(rules ClaimRules, claims map[string]any, memberships []Membership) (roles []Role, agency string) {
	g, _ := GrantOf(rules, claims)
	roles, agency, _ = g.With(memberships)
	return roles, agency
}

// GrantOf reads what the claims grant under rules, and why a value gave
// nothing (for the log; the reasons name no personal data).
func GrantOf(rules ClaimRules, claims map[string]any) (Grant, []string) {
	held := map[Role]bool{}
	agencies := map[string]bool{}
	var reasons []string
	bareStaff := false // agency_staff from a claim that named no agency
	found := 0
	for _, path := range rules.RolePaths {
		for _, value := range claimStrings(lookup(claims, path)) {
			found++
			target := value
			if len(rules.Map) > 0 {
				var ok bool
				if target, ok = rules.Map[value]; !ok {
					continue
				}
			}
			r, a, ok := parseTarget(target)
			if !ok {
				continue
			}
			held[r] = true
			if a != "" {
				agencies[a] = true
			} else if r == AgencyStaff {
				bareStaff = true
			}
		}
	}
	switch {
	case len(rules.RolePaths) > 0 && found == 0:
		reasons = append(reasons, fmt.Sprintf("no value at the role paths %v", rules.RolePaths))
	case found > 0 && len(held) == 0:
		reasons = append(reasons, fmt.Sprintf("%d role claim values, none mapped to a role", found))
	}
	if bareStaff {
		a, _ := lookup(claims, rules.AgencyPath).(string)
		switch {
		case rules.AgencyPath == "":
			reasons = append(reasons, "agency_staff with no agency: the claims set no agency_path")
		case a == "":
			reasons = append(reasons, "agency_staff with no agency: no string at the agency path "+rules.AgencyPath)
		default:
			agencies[a] = true
		}
	}
	var g Grant
	for _, r := range Roles {
		if held[r] {
			g.Roles = append(g.Roles, r)
		}
	}
	for a := range agencies {
		g.Agencies = append(g.Agencies, a)
	}
	slices.Sort(g.Agencies)
	return g, reasons
}

// With adds the memberships to what the claims granted. agency_staff needs
// exactly one agency; with none, or with two that disagree, it is dropped
// rather than guessed, and the reason says so. Memberships of unknown
// roles are ignored.
func (g Grant) With(memberships []Membership) (roles []Role, agency string, reasons []string) {
	held := map[Role]bool{}
	agencies := map[string]bool{}
	for _, r := range g.Roles {
		held[r] = true
	}
	for _, a := range g.Agencies {
		agencies[a] = true
	}
	for _, m := range memberships {
		held[m.Role] = true
		if m.Role == AgencyStaff && m.Agency != "" {
			agencies[m.Agency] = true
		}
	}
	switch {
	case held[AgencyStaff] && len(agencies) == 1:
		for a := range agencies {
			agency = a
		}
	case held[AgencyStaff] && len(agencies) > 1:
		reasons = append(reasons, fmt.Sprintf("agency_staff dropped: %d agencies disagree", len(agencies)))
		delete(held, AgencyStaff)
	case held[AgencyStaff]:
		reasons = append(reasons, "agency_staff dropped: no agency")
		delete(held, AgencyStaff)
	}
	for _, r := range Roles {
		if held[r] {
			roles = append(roles, r)
		}
	}
	return roles, agency, reasons
}

// parseTarget reads a role mapping: "officer", "agency_staff" (agency from
// AgencyPath) or "agency_staff:housing". Only agency_staff takes an agency.
func parseTarget(s string) (Role, string, bool) {
	name, agency, withAgency := strings.Cut(s, ":")
	r, err := ParseRole(name)
	if err != nil || (withAgency && (r != AgencyStaff || agency == "")) {
		return "", "", false
	}
	return r, agency, true
}

// lookup finds a claim by dotted path. A key that itself contains dots
// ("https://hub.example/roles", as Auth0 namespaces them) is tried whole first.
func lookup(claims map[string]any, path string) any {
	if v, ok := claims[path]; ok {
		return v
	}
	for i := range len(path) {
		if path[i] != '.' {
			continue
		}
		if sub, ok := claims[path[:i]].(map[string]any); ok {
			if v := lookup(sub, path[i+1:]); v != nil {
				return v
			}
		}
	}
	return nil
}

// claimStrings reads a claim that is a string, a list of strings, or an
// object whose keys are the values (ZITADEL's roles, whose values describe
// the organisations that granted them); anything else gives nothing.
func claimStrings(v any) []string {
	switch v := v.(type) {
	case map[string]any:
		return slices.Sorted(maps.Keys(v))
	case string:
		return []string{v}
	case []string:
		return slices.Clone(v)
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

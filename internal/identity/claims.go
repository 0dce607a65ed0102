package identity

import (
	"fmt"
	"slices"
	"strings"
)

// ClaimRules maps one issuer's claims to roles. RolePaths are dotted paths to
// string or []string claims ("roles", "groups", "realm_access.roles"); each
// value found is looked up in Map ("Hub.Officer" -> "officer",
// "grp-1234" -> "agency_staff:housing"). With an empty Map a value that is
// itself a role name maps to that role. AgencyPath (optional) is a dotted path
// to a string claim giving the agency for agency_staff.
type ClaimRules struct {
	Issuer     string
	RolePaths  []string
	AgencyPath string
	Map        map[string]string
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

// MapClaims gives the roles and agency that a token's claims and the person's
// memberships grant: claim-mapped roles together with the memberships' roles.
// agency_staff needs exactly one agency; with none, or with two that disagree,
// it is dropped rather than guessed. Values that map to nothing are ignored.
func MapClaims(rules ClaimRules, claims map[string]any, memberships []Membership) (roles []Role, agency string) {
	held := map[Role]bool{}
	agencies := map[string]bool{}
	bareStaff := false // agency_staff from a claim that named no agency
	for _, path := range rules.RolePaths {
		for _, value := range claimStrings(lookup(claims, path)) {
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
	if bareStaff && rules.AgencyPath != "" {
		if a, _ := lookup(claims, rules.AgencyPath).(string); a != "" {
			agencies[a] = true
		}
	}
	for _, m := range memberships {
		held[m.Role] = true
		if m.Role == AgencyStaff && m.Agency != "" {
			agencies[m.Agency] = true
		}
	}
	if held[AgencyStaff] && len(agencies) == 1 {
		for a := range agencies {
			agency = a
		}
	} else {
		delete(held, AgencyStaff)
	}
	for _, r := range Roles {
		if held[r] {
			roles = append(roles, r)
		}
	}
	return roles, agency
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

// claimStrings reads a claim that is a string or a list of strings; anything
// else gives nothing.
func claimStrings(v any) []string {
	switch v := v.(type) {
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

// Package identity says who is asking: OpenID Connect sign-in, sessions, API
// bearer tokens, the mapping of claims to roles and agency, and memberships.
package identity

import (
	"fmt"
	"slices"

	"github.com/stalking-hub/hub/internal/vocab"
)

// Role is what a person may do in the hub.
type Role string

// The roles of the hub. agency_staff always comes with one agency.
const (
	Officer          Role = "officer"
	Supervisor       Role = "supervisor"
	AgencyStaff      Role = "agency_staff"
	MARACCoordinator Role = "marac_coordinator"
	Auditor          Role = "auditor"
	Admin            Role = "admin"
)

// Roles lists every role.
var Roles = vocab.Typed[Role](vocab.Roles)

// ParseRole returns the role with the given name.
func ParseRole(s string) (Role, error) {
	if slices.Contains(Roles, Role(s)) {
		return Role(s), nil
	}
	return "", fmt.Errorf("unknown role %q", s)
}

// Principal is a signed-in person or partner system: who they are, their
// roles and, for agency staff, their agency.
type Principal struct {
	Subject   string // issuer-scoped subject: "issuer|sub"
	Name      string
	Email     string // only when trusted (email_verified, or an issuer trusted for it): memberships follow it
	Received  string // the e-mail address the provider sent, trusted or not, else its subject: shown to a person with no role
	Roles     []Role
	Agency    string // set for agency_staff, empty otherwise
	SessionID string // empty for bearer tokens
	AuthTime  int64  // unix seconds of the last sign-in at the provider
}

// Has reports whether p holds role r.
func (p Principal) Has(r Role) bool { return slices.Contains(p.Roles, r) }

// HasAny reports whether p holds any of rs.
func (p Principal) HasAny(rs ...Role) bool {
	for _, r := range rs {
		if p.Has(r) {
			return true
		}
	}
	return false
}

// Police reports whether p belongs to the originating force.
func (p Principal) Police() bool { return p.HasAny(Officer, Supervisor) }

package web

import (
	"net/http"
	"net/mail"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
)

type membershipsData struct {
	Memberships []identity.Membership
	Roles       []identity.Role
	Agencies    []agencyOption
	Form        membershipForm
	Errors      map[string]string
}

type agencyOption struct{ ID, Name string }

type membershipForm struct {
	Email, Role, Agency string
}

// memberships lists who holds which role, with a form to grant another.
func (s *Server) memberships(c echo.Context) error {
	return s.renderMemberships(c, http.StatusOK, membershipForm{}, nil)
}

func (s *Server) renderMemberships(c echo.Context, status int, f membershipForm, errs map[string]string) error {
	ms, err := s.DB.Memberships(c.Request().Context(), "")
	if err != nil {
		return err
	}
	d := membershipsData{Memberships: ms, Roles: identity.Roles, Form: f, Errors: errs}
	for _, a := range s.Agencies.All() {
		d.Agencies = append(d.Agencies, agencyOption{a.ID, a.Name})
	}
	return s.render(c, status, "memberships", d)
}

// parseMembership checks a grant or revoke and names each bad field.
func (s *Server) parseMembership(f membershipForm) (identity.Membership, map[string]string) {
	errs := map[string]string{}
	if _, err := mail.ParseAddress(f.Email); err != nil || strings.ContainsAny(f.Email, "<> ") {
		errs["email"] = "Enter an e-mail address, like name@example.gov.uk"
	}
	role, err := identity.ParseRole(f.Role)
	if err != nil {
		errs["role"] = "Choose a role"
	}
	if role == identity.AgencyStaff {
		if _, ok := s.Agencies.Get(f.Agency); !ok {
			errs["agency"] = "Choose the agency this person works for"
		}
	} else if f.Agency != "" && err == nil {
		errs["agency"] = "Only agency staff belong to an agency; leave it empty"
	}
	return identity.Membership{Email: strings.TrimSpace(f.Email), Role: role, Agency: f.Agency}, errs
}

// grantMembership gives a person a role.
func (s *Server) grantMembership(c echo.Context) error {
	f := membershipForm{Email: strings.TrimSpace(c.FormValue("email")), Role: c.FormValue("role"), Agency: c.FormValue("agency")}
	m, errs := s.parseMembership(f)
	if len(errs) > 0 {
		return s.renderMemberships(c, http.StatusUnprocessableEntity, f, errs)
	}
	if err := s.DB.Grant(c.Request().Context(), m, principal(c)); err != nil {
		return err
	}
	s.log.Info("membership granted", logAttrs(c)...)
	return c.Redirect(http.StatusSeeOther, "/admin/memberships")
}

// revokeMembership takes a role away.
func (s *Server) revokeMembership(c echo.Context) error {
	f := membershipForm{Email: c.FormValue("email"), Role: c.FormValue("role"), Agency: c.FormValue("agency")}
	m, errs := s.parseMembership(f)
	if len(errs) > 0 {
		return problem.New(problem.Invalid, "that membership could not be read")
	}
	if err := s.DB.Revoke(c.Request().Context(), m.Email, m.Role, m.Agency, principal(c)); err != nil {
		return err
	}
	s.log.Info("membership revoked", logAttrs(c)...)
	return c.Redirect(http.StatusSeeOther, "/admin/memberships")
}

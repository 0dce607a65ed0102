package web

import (
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
)

type membershipsData struct {
	Memberships []identity.Membership
	Requests    []identity.MembershipRequest
	Me          string // the admin's own e-mail address: their own rows have no buttons
	Ended       string // how many sessions the last "end sessions" ended
	Done        string // what the last change did, for the success banner
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
	reqs, err := s.DB.MembershipRequests(c.Request().Context())
	if err != nil {
		return err
	}
	d := membershipsData{Memberships: ms, Requests: reqs, Roles: identity.Roles, Form: f, Errors: errs,
		Me: strings.ToLower(principal(c).Email), Ended: c.QueryParam("ended"), Done: membershipDone[c.QueryParam("done")]}
	for _, a := range s.Agencies.All() {
		d.Agencies = append(d.Agencies, agencyOption{a.ID, a.Name})
	}
	return s.render(c, status, "memberships", d)
}

// membershipDone is the success banner after each change, by the done
// parameter of the redirect.
var membershipDone = map[string]string{
	"granted":   "The role is given. It applies from the person's next click.",
	"requested": "The request is waiting for a second administrator to approve it.",
	"revoked":   "The role is taken away. It ends at the person's next click.",
	"approved":  "The request is approved and the role is given.",
	"refused":   "The request is refused.",
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

// privileged are the roles a second administrator must approve when they
// are given in the hub's pages.
var privileged = []identity.Role{identity.Admin, identity.Auditor, identity.Supervisor, identity.MARACCoordinator}

// own reports whether email is the signed-in person's own address, trusted
// or as received: nobody changes their own memberships.
func own(c echo.Context, email string) bool {
	p := principal(c)
	email = strings.ToLower(strings.TrimSpace(email))
	return email != "" && (email == strings.ToLower(p.Email) || email == strings.ToLower(p.Received))
}

// grantMembership gives a person a role: at once for officer and agency
// staff, after a second administrator approves for the privileged roles.
func (s *Server) grantMembership(c echo.Context) error {
	f := membershipForm{Email: strings.TrimSpace(c.FormValue("email")), Role: c.FormValue("role"), Agency: c.FormValue("agency")}
	m, errs := s.parseMembership(f)
	if _, bad := errs["email"]; !bad && own(c, f.Email) {
		errs["email"] = "You cannot change your own memberships; ask another administrator"
	}
	if len(errs) > 0 {
		return s.renderMemberships(c, http.StatusUnprocessableEntity, f, errs)
	}
	if slices.Contains(privileged, m.Role) {
		if _, err := s.DB.RequestMembership(c.Request().Context(), m, principal(c)); err != nil {
			if pe, ok := problem.As(err); ok && pe.Code == problem.Conflict {
				return s.renderMemberships(c, http.StatusUnprocessableEntity, f, map[string]string{"role": pe.Message})
			}
			return err
		}
		s.log.Info("membership requested", logAttrs(c)...)
		return c.Redirect(http.StatusSeeOther, "/admin/memberships?done=requested")
	}
	if err := s.DB.Grant(c.Request().Context(), m, principal(c)); err != nil {
		return err
	}
	s.log.Info("membership granted", logAttrs(c)...)
	return c.Redirect(http.StatusSeeOther, "/admin/memberships?done=granted")
}

// revokeMembership takes a role away; open sessions lose it on their next request.
func (s *Server) revokeMembership(c echo.Context) error {
	f := membershipForm{Email: c.FormValue("email"), Role: c.FormValue("role"), Agency: c.FormValue("agency")}
	m, errs := s.parseMembership(f)
	if len(errs) > 0 {
		return problem.New(problem.Invalid, "that membership could not be read")
	}
	if own(c, m.Email) {
		return problem.New(problem.Forbidden, "you cannot change your own memberships; ask another administrator")
	}
	if err := s.DB.Revoke(c.Request().Context(), m.Email, m.Role, m.Agency, principal(c)); err != nil {
		return err
	}
	s.log.Info("membership revoked", logAttrs(c)...)
	return c.Redirect(http.StatusSeeOther, "/admin/memberships?done=revoked")
}

// decideMembership approves or refuses a request for a privileged role.
func (s *Server) decideMembership(c echo.Context) error {
	approve := c.FormValue("decision") == "approve"
	if !approve && c.FormValue("decision") != "refuse" {
		return problem.New(problem.Invalid, "choose to approve or refuse")
	}
	if err := s.DB.DecideMembership(c.Request().Context(), c.Param("id"), approve, principal(c)); err != nil {
		return err
	}
	s.log.Info("membership request decided", append(logAttrs(c), "approved", approve)...)
	if approve {
		return c.Redirect(http.StatusSeeOther, "/admin/memberships?done=approved")
	}
	return c.Redirect(http.StatusSeeOther, "/admin/memberships?done=refused")
}

// endSessions signs a person out of the hub everywhere, now: for someone
// who has left, or whose device was lost.
func (s *Server) endSessions(c echo.Context) error {
	email := strings.TrimSpace(c.FormValue("email"))
	if _, err := mail.ParseAddress(email); err != nil || strings.ContainsAny(email, "<> ") {
		return s.renderMemberships(c, http.StatusUnprocessableEntity, membershipForm{}, map[string]string{"end-email": "Enter an e-mail address, like name@example.gov.uk"})
	}
	n, err := s.Auth.EndSessions(c.Request().Context(), identity.SessionsOf{Email: email}, principal(c))
	if err != nil {
		return err
	}
	s.log.Info("sessions ended by an administrator", append(logAttrs(c), "count", n)...)
	return c.Redirect(http.StatusSeeOther, "/admin/memberships?ended="+strconv.Itoa(n))
}

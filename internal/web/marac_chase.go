package web

import (
	"github.com/stalking-hub/hub/internal/agency"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/problem"
)

// Chasing an action's owner and giving it more time: the coordinator's, on
// the action's page and through the API.

// actionMore is the action page's part for the coordinator: chase, give
// more time, and what was done so far.
type actionMore struct {
	Coordinator bool
	Open        bool
	Due         dateField
	Reason      string
	Errors      map[string]string
	Changes     []actionChangeRow
	Done        string
}

type actionChangeRow struct {
	What, By, Reason string
	At               stamp
}

// extendKey carries a refused extension's form to the page drawn again.
const extendKey ctxKey = "action_extend"

type extendForm struct {
	Due    typedDate
	Reason string
	Errors map[string]string
}

// actionMoreOf fills the coordinator's part of an action's page.
func (s *Server) actionMoreOf(c echo.Context, a marac.Action) (*actionMore, error) {
	p := principal(c)
	changes, err := s.DB.ActionChanges(c.Request().Context(), a.ID)
	if err != nil {
		return nil, err
	}
	m := &actionMore{Coordinator: p.Has(identity.MARACCoordinator), Open: a.Status == marac.Open}
	f, _ := c.Get(string(extendKey)).(extendForm)
	m.Due = dateField{ID: "due", Legend: "New due date", Hint: "The last day to do it, after the current due date. For example, " + a.Due.AddDate(0, 0, 14).Format("2 1 2006"),
		typedDate: f.Due, Error: f.Errors["due-day"]}
	m.Reason, m.Errors = f.Reason, f.Errors
	switch c.QueryParam("done") {
	case "chased":
		m.Done = "The owner was reminded of the action."
	case "extended":
		m.Done = "The action has a new due date."
	}
	for _, ch := range changes {
		r := actionChangeRow{By: s.personName(ch.By, ch.At), At: stampOf(ch.At), Reason: ch.Reason}
		if ch.Kind == "chased" {
			r.What = "Owner reminded"
		} else {
			r.What = "Due date moved from " + longDate(ch.DueBefore) + " to " + longDate(ch.DueAfter)
		}
		m.Changes = append(m.Changes, r)
	}
	return m, nil
}

// chaseActionPage reminds the owner and shows the action again.
func (s *Server) chaseActionPage(c echo.Context) error {
	if _, err := s.DB.ChaseAction(c.Request().Context(), c.Param("id"), principal(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/marac/actions/"+c.Param("id")+"?done=chased")
}

// extendActionPage gives the action more time, or shows why not.
func (s *Server) extendActionPage(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return problem.New(problem.Malformed, "the form could not be read")
	}
	f := extendForm{Due: typedDateOf(form, "due"), Reason: form.Get("reason"), Errors: map[string]string{}}
	due, msg := f.Due.iso("New due date")
	switch {
	case msg != "":
		f.Errors["due-day"] = msg
	case due == "":
		f.Errors["due-day"] = "Enter the new due date"
	}
	if strings.TrimSpace(f.Reason) == "" {
		f.Errors["reason"] = "Say why the action needs more time"
	}
	if len(f.Errors) == 0 {
		day, _ := parseDay("due", due)
		_, err := s.DB.ExtendAction(c.Request().Context(), c.Param("id"), day, f.Reason, principal(c))
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/marac/actions/"+c.Param("id")+"?done=extended")
		}
		pe, ok := err.(*problem.Error)
		if !ok || pe.Code != problem.Invalid {
			return err
		}
		for k, v := range pe.Fields {
			if k == "due" {
				k = "due-day"
			}
			f.Errors[k] = v
		}
	}
	c.Set(string(extendKey), f)
	return s.renderMARACAction(c, http.StatusUnprocessableEntity, c.Param("id"), actionUpdateForm{}, nil)
}

type extendBody struct {
	Due    string `json:"due"`
	Reason string `json:"reason"`
}

// apiChaseAction reminds the owner of an open action.
func (s *Server) apiChaseAction(c echo.Context) error {
	a, err := s.DB.ChaseAction(c.Request().Context(), c.Param("id"), principal(c))
	if err != nil {
		return err
	}
	j, err := maracActionJSONOf(a, s.Now(), s.texts(c, agency.MARAC))
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, j)
}

// apiExtendAction moves an open action's due date later, with a reason.
func (s *Server) apiExtendAction(c echo.Context) error {
	var b extendBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	due, perr := parseDay("due", b.Due)
	if perr != nil {
		return perr
	}
	a, err := s.DB.ExtendAction(c.Request().Context(), c.Param("id"), due, b.Reason, principal(c))
	if err != nil {
		return err
	}
	j, err := maracActionJSONOf(a, s.Now(), s.texts(c, agency.MARAC))
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, j)
}

// chaseRoutes are the coordinator's chase and extension, on pages and the API.
func (s *Server) chaseRoutes() []Route {
	coordinator := []identity.Role{identity.MARACCoordinator}
	return []Route{
		{Method: http.MethodPost, Path: "/marac/actions/:id/chase", Access: Roles, Roles: coordinator, CSRF: true, Handler: s.chaseActionPage},
		{Method: http.MethodPost, Path: "/marac/actions/:id/due", Access: Roles, Roles: coordinator, CSRF: true, Handler: s.extendActionPage},
		{Method: http.MethodPost, Path: "/marac/meetings/:id/attendance/remove", Access: Roles, Roles: coordinator, CSRF: true, Handler: s.removeAttendancePage},
		{Method: http.MethodPost, Path: "/api/v1/marac/actions/:id/chase", Access: Roles, Roles: coordinator, Handler: s.apiChaseAction},
		{Method: http.MethodPost, Path: "/api/v1/marac/actions/:id/due", Access: Roles, Roles: coordinator, Handler: s.apiExtendAction},
	}
}

// removeAttendancePage takes an agency recorded by mistake off a meeting's
// attendance.
func (s *Server) removeAttendancePage(c echo.Context) error {
	id := c.Param("id")
	if err := s.DB.RemoveAttendance(c.Request().Context(), id, c.FormValue("agency")); err != nil {
		status, _, err := formErrors(err, "agency")
		if err != nil {
			return err
		}
		return s.renderMeeting(c, status, id, caseForm{}, nil, map[string]string{"attending": "That agency is not recorded as attending"})
	}
	return c.Redirect(http.StatusSeeOther, "/marac/meetings/"+id+"#attendance")
}

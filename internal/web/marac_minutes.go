package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/problem"
)

// A case's minutes (risks discussed, decisions, actions agreed) and a
// meeting's apologies: the coordinator writes them; readers see the minutes
// only through their view, on the case's page (the coordinator, or an
// attendee who acknowledged confidentiality) and in the papers.

// maracMinutesJSON is a case's minutes as released to the reader: a part
// not released is empty, with why in its _withheld field.
type maracMinutesJSON struct {
	Risks             string    `json:"risks"`
	RisksWithheld     string    `json:"risks_withheld,omitempty"`
	Decisions         string    `json:"decisions"`
	DecisionsWithheld string    `json:"decisions_withheld,omitempty"`
	Actions           string    `json:"actions"`
	ActionsWithheld   string    `json:"actions_withheld,omitempty"`
	WrittenAt         time.Time `json:"written_at"`
}

// minutesRows are a case's minutes as a page shows them.
type minutesRows struct {
	Risks, Decisions, Actions releasedText
	WrittenAt                 stamp
	By                        string
}

// releaseMinutes opens m's parts as tx releases them.
func releaseMinutes(m marac.Minutes, tx *texts) (risks, decisions, actions releasedText, err error) {
	if risks, err = tx.release(m.Risks); err != nil {
		return
	}
	if decisions, err = tx.release(m.Decisions); err != nil {
		return
	}
	actions, err = tx.release(m.Actions)
	return
}

func maracMinutesJSONOf(m marac.Minutes, tx *texts) (*maracMinutesJSON, error) {
	r, d, a, err := releaseMinutes(m, tx)
	if err != nil {
		return nil, err
	}
	return &maracMinutesJSON{Risks: r.Text, RisksWithheld: r.Withheld, Decisions: d.Text, DecisionsWithheld: d.Withheld,
		Actions: a.Text, ActionsWithheld: a.Withheld, WrittenAt: m.WrittenAt.UTC()}, nil
}

// caseMinutes loads a case's minutes for the caller: the coordinator, or an
// attendee who acknowledged the meeting's confidentiality; nil for anyone
// else, or when none are written.
func (s *Server) caseMinutes(c echo.Context, mc maracCase) (*marac.Minutes, error) {
	ctx := c.Request().Context()
	p := principal(c)
	if !p.Has(identity.MARACCoordinator) {
		ack, err := s.DB.HasAcknowledged(ctx, mc.Meeting.ID, p.Subject)
		if err != nil || !ack {
			return nil, err
		}
	}
	m, err := s.DB.MinutesOf(ctx, mc.Case.ID)
	switch {
	case problem.CodeOf(err) == problem.NotFound:
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &m, nil
}

// saveMinutes validates and stores a case's minutes.
func (s *Server) saveMinutes(c echo.Context, id string, b marac.NewMinutes) (marac.Minutes, error) {
	if _, err := s.DB.Case(c.Request().Context(), id); err != nil {
		return marac.Minutes{}, err
	}
	m, perr := b.Validate(s.writer(c))
	if perr != nil {
		return m, perr
	}
	if err := s.DB.SaveMinutes(c.Request().Context(), id, m, principal(c)); err != nil {
		return m, err
	}
	return s.DB.MinutesOf(c.Request().Context(), id)
}

// apiSaveMinutes writes a case's minutes and answers them as released to the coordinator.
func (s *Server) apiSaveMinutes(c echo.Context) error {
	var b marac.NewMinutes
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	mc, err := s.maracCaseFor(c, c.Param("id"))
	if err != nil {
		return err
	}
	m, err := s.saveMinutes(c, mc.Case.ID, b)
	if err != nil {
		return err
	}
	tx := s.texts(c, agency.MARAC)
	tx.with(mc.View)
	j, err := maracMinutesJSONOf(m, tx)
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, *j)
}

type apologiesBody struct {
	Agencies []string `json:"agencies"`
}

// maracApologiesJSON are the member agencies that sent apologies to a meeting.
type maracApologiesJSON struct {
	Meeting   string   `json:"meeting"`
	Apologies []string `json:"apologies"`
}

// setApologies checks the agencies are members and records them.
func (s *Server) setApologies(c echo.Context, id string, agencies []string) error {
	members := s.attenders()
	for _, a := range agencies {
		if !slices.Contains(members, a) {
			return problem.Invalidf("agencies", "Choose member agencies from the list")
		}
	}
	return s.DB.SetApologies(c.Request().Context(), id, agencies, principal(c))
}

// apiSetApologies records which member agencies sent apologies to a meeting.
func (s *Server) apiSetApologies(c echo.Context) error {
	var b apologiesBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	id := c.Param("id")
	if _, err := s.DB.Meeting(c.Request().Context(), id); err != nil {
		return err
	}
	if err := s.setApologies(c, id, b.Agencies); err != nil {
		return err
	}
	got, err := s.DB.Apologies(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, maracApologiesJSON{Meeting: id, Apologies: got})
}

// minutesKey carries a refused minutes form to the case page drawn again.
const minutesKey ctxKey = "case_minutes"

// minutesForm is the coordinator's minutes form on the case page.
type minutesForm struct {
	Risks, Decisions, Actions, Category string
	Errors                              map[string]string
	CategoryField                       textCategoryField
	Done                                bool
}

// saveMinutesPage writes the case's minutes, or shows why not.
func (s *Server) saveMinutesPage(c echo.Context) error {
	id := c.Param("id")
	f := minutesForm{Risks: c.FormValue("risks"), Decisions: c.FormValue("decisions"), Actions: c.FormValue("actions"), Category: c.FormValue("category")}
	if _, err := s.maracCaseFor(c, id); err != nil {
		return err
	}
	_, err := s.saveMinutes(c, id, marac.NewMinutes{Risks: f.Risks, Decisions: f.Decisions, Actions: f.Actions, Category: f.Category})
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/marac/cases/"+id+"?done=minutes#minutes")
	}
	status, errs, err := formErrors(err, "risks")
	if err != nil {
		return err
	}
	if msg, ok := errs["actions"]; ok {
		// The page's "actions" is the case's actions section.
		delete(errs, "actions")
		errs["minutes-actions"] = msg
	}
	f.Errors = errs
	c.Set(string(minutesKey), f)
	return s.renderMARACCase(c, status, id, nil, nil, nil, nil)
}

// setApologiesPage records the meeting's apologies from the meeting page.
func (s *Server) setApologiesPage(c echo.Context) error {
	id := c.Param("id")
	if _, err := s.DB.Meeting(c.Request().Context(), id); err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return problem.New(problem.Malformed, "the form could not be read")
	}
	if err := s.setApologies(c, id, form["agencies"]); err != nil {
		status, _, err := formErrors(err, "agencies")
		if err != nil {
			return err
		}
		return s.renderMeeting(c, status, id, caseForm{}, nil, map[string]string{"apologies": "Choose member agencies from the list"})
	}
	return c.Redirect(http.StatusSeeOther, "/marac/meetings/"+id+"#apologies-heading")
}

// minutesRoutes are the minutes and apologies, on pages and the API.
func (s *Server) minutesRoutes() []Route {
	coordinator := []identity.Role{identity.MARACCoordinator}
	return []Route{
		{Method: http.MethodPut, Path: "/api/v1/marac/cases/:id/minutes", Access: Roles, Roles: coordinator, Handler: s.apiSaveMinutes},
		{Method: http.MethodPut, Path: "/api/v1/marac/meetings/:id/apologies", Access: Roles, Roles: coordinator, Handler: s.apiSetApologies},
		{Method: http.MethodPost, Path: "/marac/cases/:id/minutes", Access: Roles, Roles: coordinator, CSRF: true, Handler: s.saveMinutesPage},
		{Method: http.MethodPost, Path: "/marac/meetings/:id/apologies", Access: Roles, Roles: coordinator, CSRF: true, Handler: s.setApologiesPage},
	}
}

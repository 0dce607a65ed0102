package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
)

// Editing a case on an agenda, or taking it off, with a reason: the
// coordinator's, on the case's page and through the API.

// editCase validates an edit of case id and stores it. A criterion other
// than professional judgement must be one the referral meets.
func (s *Server) editCase(c echo.Context, id string, e marac.CaseEdit) (marac.Case, error) {
	ctx := c.Request().Context()
	cs, err := s.DB.Case(ctx, id)
	if err != nil {
		return cs, err
	}
	ch, perr := e.Validate(cs, s.writer(c))
	if perr != nil {
		return cs, perr
	}
	if ch.Criterion != cs.Criterion && ch.Criterion != marac.ProfessionalJudgement {
		m, err := s.DB.Meeting(ctx, cs.MeetingID)
		if err != nil {
			return cs, err
		}
		if pn, ok := s.panel(m.Panel); ok {
			meets, err := s.DB.CriteriaOf(ctx, cs.ReferralID, pn.EscalationIncidents)
			if err != nil {
				return cs, err
			}
			if !slices.Contains(meets, ch.Criterion) {
				return cs, criterionRefused(ch.Criterion)
			}
		}
	}
	return s.DB.EditCase(ctx, id, ch, principal(c))
}

// removeCase takes case id off its agenda, for a reason.
func (s *Server) removeCase(c echo.Context, id string, r marac.CaseRemoval) (marac.Case, error) {
	reason, perr := r.Validate()
	if perr != nil {
		if _, err := s.DB.Case(c.Request().Context(), id); err != nil {
			return marac.Case{}, err
		}
		return marac.Case{}, perr
	}
	return s.DB.RemoveCase(c.Request().Context(), id, reason, principal(c))
}

// apiEditCase changes a case's criterion or note, with a reason.
func (s *Server) apiEditCase(c echo.Context) error {
	var b marac.CaseEdit
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	cs, err := s.editCase(c, c.Param("id"), b)
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, maracCaseJSONOf(cs))
}

// apiRemoveCase takes a case off its meeting's agenda, with a reason.
func (s *Server) apiRemoveCase(c echo.Context) error {
	var b marac.CaseRemoval
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	cs, err := s.removeCase(c, c.Param("id"), b)
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, maracCaseJSONOf(cs))
}

// caseEditRoutes are the coordinator's edits and removals of cases.
func (s *Server) caseEditRoutes() []Route {
	coordinator := []identity.Role{identity.MARACCoordinator}
	return []Route{
		{Method: http.MethodPatch, Path: "/api/v1/marac/cases/:id", Access: Roles, Roles: coordinator, Handler: s.apiEditCase},
		{Method: http.MethodPost, Path: "/api/v1/marac/cases/:id/remove", Access: Roles, Roles: coordinator, Handler: s.apiRemoveCase},
		{Method: http.MethodPost, Path: "/marac/cases/:id/edit", Access: Roles, Roles: coordinator, CSRF: true, Handler: s.editCasePage},
		{Method: http.MethodPost, Path: "/marac/cases/:id/remove", Access: Roles, Roles: coordinator, CSRF: true, Handler: s.removeCasePage},
	}
}

// caseChangePart is the case page's part for the coordinator: edit the
// criterion or the note, or take the case off the agenda, each with a
// reason, and what was changed so far.
type caseChangePart struct {
	Changeable bool // on an agenda whose meeting is not over
	Removed    bool
	Criteria   []criterionChoice
	Criterion  string
	Note       string
	NoteCat    string // the kind of information chosen for the new note
	Category   textCategoryField
	Reason     string
	Errors     map[string]string // the edit's
	RemoveWhy  string
	RemoveErrs map[string]string // the removal's
	Changes    []caseChangeLine
	Done       string
}

type criterionChoice struct{ Value, Label string }

type caseChangeLine struct {
	What, By, Reason string
	At               stamp
}

// caseChangeKey carries a refused edit or removal to the page drawn again.
const caseChangeKey ctxKey = "case_change"

// caseChangeOf fills the coordinator's part of the case page.
func (s *Server) caseChangeOf(c echo.Context, mc maracCase) (*caseChangePart, error) {
	ctx := c.Request().Context()
	part, _ := c.Get(string(caseChangeKey)).(caseChangePart)
	part.Removed = mc.Case.Removed()
	part.Changeable = !part.Removed && !mc.Meeting.Over(s.Now())
	if part.Criterion == "" {
		part.Criterion = string(mc.Case.Criterion)
	}
	offered := []marac.Criterion{mc.Case.Criterion}
	if pn, ok := s.panel(mc.Meeting.Panel); ok {
		meets, err := s.DB.CriteriaOf(ctx, mc.Case.ReferralID, pn.EscalationIncidents)
		if err != nil {
			return nil, err
		}
		offered = append(offered, meets...)
	}
	offered = append(offered, marac.ProfessionalJudgement)
	for _, cr := range marac.Criteria {
		if slices.Contains(offered, cr) {
			part.Criteria = append(part.Criteria, criterionChoice{Value: string(cr), Label: criterionLabel(cr)})
		}
	}
	part.Category = textCategory("case-note-category", "note_category", "What kind of information does the new note hold?", part.NoteCat, s.writer(c), part.Errors)
	switch c.QueryParam("done") {
	case "edited":
		part.Done = "The case is changed."
	case "removed":
		part.Done = "The case is taken off the agenda. It stays in the record."
	}
	changes, err := s.DB.CaseChanges(ctx, mc.Case.ID)
	if err != nil {
		return nil, err
	}
	for _, ch := range changes {
		l := caseChangeLine{By: s.personName(ch.By, ch.At), At: stampOf(ch.At), Reason: ch.Reason}
		switch {
		case ch.Kind == "removed":
			l.What = "Taken off the agenda"
		case ch.CriterionBefore != ch.CriterionAfter && ch.NoteChanged:
			l.What = "Criterion changed from " + criterionLabel(ch.CriterionBefore) + " to " + criterionLabel(ch.CriterionAfter) + ", and the note"
		case ch.CriterionBefore != ch.CriterionAfter:
			l.What = "Criterion changed from " + criterionLabel(ch.CriterionBefore) + " to " + criterionLabel(ch.CriterionAfter)
		default:
			l.What = "Note changed"
		}
		part.Changes = append(part.Changes, l)
	}
	return &part, nil
}

// editCasePage changes the case's criterion or note, or shows why not.
func (s *Server) editCasePage(c echo.Context) error {
	id := c.Param("id")
	crit, note := c.FormValue("criterion"), c.FormValue("note")
	e := marac.CaseEdit{Criterion: &crit, NoteCategory: c.FormValue("note_category"), Reason: c.FormValue("reason")}
	if strings.TrimSpace(note) != "" {
		// An empty note on the page keeps the note there is.
		e.Note = &note
	}
	_, err := s.editCase(c, id, e)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/marac/cases/"+id+"?done=edited#change")
	}
	status, errs, err := formErrors(err, "reason")
	if err != nil {
		return err
	}
	c.Set(string(caseChangeKey), caseChangePart{Criterion: crit, Note: note, Reason: e.Reason, Errors: errs, NoteCat: e.NoteCategory})
	return s.renderMARACCase(c, status, id, nil, nil, nil, nil)
}

// removeCasePage takes the case off its agenda, or shows why not.
func (s *Server) removeCasePage(c echo.Context) error {
	id := c.Param("id")
	r := marac.CaseRemoval{Reason: c.FormValue("reason")}
	_, err := s.removeCase(c, id, r)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/marac/cases/"+id+"?done=removed#change")
	}
	status, errs, err := formErrors(err, "reason")
	if err != nil {
		return err
	}
	msgs := map[string]string{}
	for k, v := range errs {
		msgs["remove-"+k] = v
	}
	c.Set(string(caseChangeKey), caseChangePart{RemoveWhy: r.Reason, RemoveErrs: msgs})
	return s.renderMARACCase(c, status, id, nil, nil, nil, nil)
}

package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
)

// Raising a referral: one page per step, each checked on its own and saved
// to the officer's draft only when its answers are good, then a page to
// check every answer and send. The draft holds personal data, so it lives
// sealed in the store, never in the browser; its id is in the address and
// only the officer who started it can open it.

// stepPage is a page of the referral form.
type stepPage struct {
	Step     step
	Number   int // 1-based
	Of       int
	Action   string
	Back     string
	Return   string // "check" when the officer came to change an answer
	Fields   []formField
	Summary  []fieldError
	Errors   map[string]string
	Children []childAnswer
}

// childAnswer is a child already added on the children page.
type childAnswer struct {
	Index  int // in the submission's list
	Number int // as shown, from 1
	Name   string
	Rows   []answerRow
}

// answerRow is one line of a summary list: what was asked and the answer,
// a line per value.
type answerRow struct {
	Key    string
	Values []string
}

// answerCard is one step's answers on the check page.
type answerCard struct {
	Title, Href string
	Rows        []answerRow
}

// linkedError is an error on the check page, linking to where it is fixed.
type linkedError struct{ Href, Message string }

type checkPage struct {
	Draft  string
	Cards  []answerCard
	Errors []linkedError
	// Preview is what each chosen agency would see if the referral were
	// sent now, and Warnings name those that would see nothing.
	Preview  []agencyPreviewView
	Warnings []string
}

func draftURL(id, slug string) string { return "/referrals/new/" + id + "/" + slug }

// returnTo keeps "check" from a Change link; any other value is dropped.
func returnTo(c echo.Context) string {
	if c.QueryParam("return") == checkStep || c.FormValue("return") == checkStep {
		return checkStep
	}
	return ""
}

// newReferralPage is the first page of the form, before there is a draft.
func (s *Server) newReferralPage(c echo.Context) error {
	return s.renderStep(c, http.StatusOK, s.referralSteps(), 0, referral.SavedDraft{}, withHeld(c, url.Values{}), nil, "")
}

// startReferral checks the first page and, when it is good, starts the draft.
func (s *Server) startReferral(c echo.Context) error {
	return s.saveStep(c, s.referralSteps(), 0, referral.SavedDraft{})
}

// loadDraft opens the signed-in officer's draft named in the address.
func (s *Server) loadDraft(c echo.Context) (referral.SavedDraft, error) {
	return s.DB.Draft(c.Request().Context(), principal(c).Subject, c.Param("draft"))
}

// draftStepPage shows a page of the form with the draft's answers.
func (s *Server) draftStepPage(c echo.Context) error {
	d, err := s.loadDraft(c)
	if err != nil {
		return err
	}
	steps := s.referralSteps()
	if c.Param("step") == checkStep {
		return s.renderCheck(c, http.StatusOK, steps, d, nil)
	}
	_, i, ok := stepBySlug(steps, c.Param("step"))
	if !ok {
		return problem.New(problem.NotFound, "Page not found")
	}
	return s.renderStep(c, http.StatusOK, steps, i, d, withHeld(c, formValues(d.Submission)), nil, returnTo(c))
}

// draftStepSave checks a page of the form and saves it to the draft.
func (s *Server) draftStepSave(c echo.Context) error {
	d, err := s.loadDraft(c)
	if err != nil {
		return err
	}
	steps := s.referralSteps()
	st, i, ok := stepBySlug(steps, c.Param("step"))
	if !ok {
		return problem.New(problem.NotFound, "Page not found")
	}
	if st.Slug == "children" {
		return s.saveChildren(c, steps, i, d)
	}
	return s.saveStep(c, steps, i, d)
}

// saveStep reads the step's answers over the draft's, checks them, and saves
// the draft only when they are good; otherwise the page comes back with the
// officer's answers and what is wrong with them, and nothing is saved.
func (s *Server) saveStep(c echo.Context, steps []step, i int, d referral.SavedDraft) error {
	st := steps[i]
	posted, err := c.FormParams()
	if err != nil {
		return problem.New(problem.Malformed, "the form could not be read")
	}
	values := formValues(d.Submission)
	for _, n := range st.inputs() {
		if vs, ok := posted[n]; ok {
			values[n] = vs
		} else {
			delete(values, n)
		}
	}
	sub := d.Submission
	errs := readForm(&sub, values, labelsOf(steps))
	for n := range errs {
		if !st.owns(n) {
			delete(errs, n)
		}
	}
	fields, err := s.referralErrors(sub, principal(c))
	if err != nil {
		return err
	}
	for n, m := range stepErrors(st, sub, fields) {
		if _, ok := errs[n]; !ok {
			errs[n] = m
		}
	}
	ret := returnTo(c)
	if len(errs) > 0 {
		return s.renderStep(c, http.StatusUnprocessableEntity, steps, i, d, values, errs, ret)
	}
	id, err := s.DB.SaveDraft(c.Request().Context(), principal(c), d.ID, sub)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, afterStep(id, steps, i, c.FormValue("action"), ret))
}

// afterStep is where the officer goes once a step is saved: back to the list
// to come back later, back to the check page after a change, or on.
func afterStep(draft string, steps []step, i int, action, ret string) string {
	switch {
	case action == "later":
		return "/referrals"
	case ret == checkStep || i+1 >= len(steps):
		return draftURL(draft, checkStep)
	}
	return draftURL(draft, steps[i+1].Slug)
}

// referralErrors validates the submission whole, as sending would, and
// returns every field that is wrong by its path.
func (s *Server) referralErrors(sub referral.Submission, p identity.Principal) (map[string]string, error) {
	_, perr := s.newReferral(sub, p)
	if perr == nil {
		return nil, nil
	}
	if perr.Code != problem.Invalid {
		return nil, perr
	}
	return perr.Fields, nil
}

func (s *Server) renderStep(c echo.Context, status int, steps []step, i int, d referral.SavedDraft, values url.Values, errs map[string]string, ret string) error {
	st, draft := steps[i], d.ID
	if st.Slug == "consent" {
		st = consentForChosen(st, d.Submission.Agencies)
	}
	pg := stepPage{Step: st, Number: i + 1, Of: len(steps), Return: ret, Errors: errs,
		Fields: fieldsOf(st.Questions, values, errs), Summary: errorSummary(st.Questions, errs)}
	switch {
	case draft == "":
		pg.Action, pg.Back = "/referrals/new", "/referrals"
	case ret == checkStep:
		pg.Action, pg.Back = draftURL(draft, st.Slug), draftURL(draft, checkStep)
	case i == 0:
		pg.Action, pg.Back = draftURL(draft, st.Slug), "/referrals"
	default:
		pg.Action, pg.Back = draftURL(draft, st.Slug), draftURL(draft, steps[i-1].Slug)
	}
	if st.Slug != "children" {
		return s.render(c, status, "referral-step", pg)
	}
	for n, ch := range d.Submission.Children {
		pg.Children = append(pg.Children, childAnswer{Index: n, Number: n + 1, Name: ch.Name, Rows: childRows(ch)})
	}
	return s.render(c, status, "referral-children", pg)
}

// saveChildren adds or removes a child, or moves on. A child half filled in
// is checked and added on the way, so that nothing typed is lost unseen.
func (s *Server) saveChildren(c echo.Context, steps []step, i int, d referral.SavedDraft) error {
	action, ret := c.FormValue("action"), returnTo(c)
	sub := d.Submission
	here := draftURL(d.ID, "children")
	if ret == checkStep {
		here += "?return=check"
	}
	if n, ok := strings.CutPrefix(action, "remove-"); ok {
		k, err := strconv.Atoi(n)
		if err != nil || k < 0 || k >= len(sub.Children) {
			return problem.New(problem.NotFound, "That child is not on this referral")
		}
		sub.Children = slices.Delete(slices.Clone(sub.Children), k, k+1)
		if _, err := s.DB.SaveDraft(c.Request().Context(), principal(c), d.ID, sub); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, here)
	}
	posted, err := c.FormParams()
	if err != nil {
		return problem.New(problem.Malformed, "the form could not be read")
	}
	values := url.Values{}
	filled := false
	for _, q := range childQuestions {
		for _, n := range q.inputs() {
			if v := strings.TrimSpace(posted.Get(n)); v != "" {
				values.Set(n, v)
				filled = true
			}
		}
	}
	if action == "add" || filled {
		child, errs := s.readChild(values)
		if len(errs) > 0 {
			return s.renderStep(c, http.StatusUnprocessableEntity, steps, i, d, values, errs, ret)
		}
		sub.Children = append(slices.Clone(sub.Children), child)
	}
	if _, err := s.DB.SaveDraft(c.Request().Context(), principal(c), d.ID, sub); err != nil {
		return err
	}
	if action == "add" {
		return c.Redirect(http.StatusSeeOther, here)
	}
	return c.Redirect(http.StatusSeeOther, afterStep(d.ID, steps, i, action, ret))
}

// readChild reads and checks one child from the children page.
func (s *Server) readChild(v url.Values) (referral.Child, map[string]string) {
	labels := map[string]string{}
	for _, q := range childQuestions {
		labels[q.Name] = q.Label
	}
	ch := referral.Child{Name: v.Get("child.name"), School: v.Get("child.school"), LivesWithVictim: v.Get("child.lives_with_victim") == "yes"}
	errs := map[string]string{}
	dob, msg := typedDateOf(v, "child.date_of_birth").iso(labels["child.date_of_birth"])
	if msg != "" {
		errs["child.date_of_birth"] = msg
	}
	ch.DateOfBirth = dob
	if perr := s.validator.Validate(referral.Submission{Children: []referral.Child{ch}}, s.Agencies); perr != nil {
		for path, m := range perr.Fields {
			rest, ok := strings.CutPrefix(path, "children[0].")
			if !ok {
				continue
			}
			name := "child." + rest
			if _, seen := errs[name]; seen {
				continue
			}
			for _, q := range childQuestions {
				if q.Name == name {
					m = friendly(q, m)
				}
			}
			errs[name] = m
		}
	}
	return ch, errs
}

// childRows are a child's answers for a summary list.
func childRows(ch referral.Child) []answerRow {
	lives := "No"
	if ch.LivesWithVictim {
		lives = "Yes"
	}
	return []answerRow{
		{Key: "Name", Values: []string{ch.Name}},
		{Key: "Date of birth", Values: []string{orNotGiven(dateWords(ch.DateOfBirth))}},
		{Key: "School or nursery", Values: []string{orNotGiven(ch.School)}},
		{Key: "Lives with the victim", Values: []string{lives}},
	}
}

func orNotGiven(s string) string {
	if strings.TrimSpace(s) == "" {
		return "Not given"
	}
	return s
}

// lines splits free text into its lines, for a summary list.
func lines(s string) []string {
	return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
}

// answerRows are the answers to q in v, with those its chosen choices reveal.
func answerRows(q question, v url.Values) []answerRow {
	switch q.Kind {
	case headingKind:
		return nil
	case dateKind:
		d, _ := typedDateOf(v, q.Name).iso(q.Label)
		return []answerRow{{Key: q.Label, Values: []string{orNotGiven(dateWords(d))}}}
	case radiosKind, selectKind, checkboxesKind:
		row := answerRow{Key: q.Label}
		var revealed []answerRow
		for _, c := range q.Choices {
			if !slices.Contains(v[q.Name], c.Value) {
				continue
			}
			row.Values = append(row.Values, c.Label)
			for _, r := range c.Reveal {
				revealed = append(revealed, answerRows(r, v)...)
			}
		}
		if len(row.Values) == 0 {
			row.Values = []string{"Not given"}
		}
		return append([]answerRow{row}, revealed...)
	case textareaKind:
		return []answerRow{{Key: q.Label, Values: lines(orNotGiven(v.Get(q.Name)))}}
	}
	return []answerRow{{Key: q.Label, Values: []string{orNotGiven(v.Get(q.Name))}}}
}

// renderCheck shows every answer of the draft by step, each with a link to
// change it, and the errors that stop it being sent, each linking to the
// question that fixes it.
func (s *Server) renderCheck(c echo.Context, status int, steps []step, d referral.SavedDraft, fields map[string]string) error {
	pg := checkPage{Draft: d.ID}
	v := formValues(d.Submission)
	for _, st := range steps {
		card := answerCard{Title: st.Title, Href: draftURL(d.ID, st.Slug) + "?return=check"}
		if st.Slug == "children" {
			for n, ch := range d.Submission.Children {
				card.Rows = append(card.Rows, answerRow{Key: "Child " + strconv.Itoa(n+1), Values: childLine(ch)})
			}
			if len(card.Rows) == 0 {
				card.Rows = []answerRow{{Key: "Children", Values: []string{"None added"}}}
			}
		} else {
			for _, q := range st.Questions {
				card.Rows = append(card.Rows, answerRows(q, v)...)
			}
		}
		pg.Cards = append(pg.Cards, card)
	}
	byName := map[string]string{}
	for _, st := range steps {
		for n, m := range stepErrors(st, d.Submission, fields) {
			byName[n] = m
		}
	}
	for _, st := range steps {
		for _, q := range st.Questions {
			for _, a := range q.all() {
				if m, ok := byName[a.Name]; ok {
					pg.Errors = append(pg.Errors, linkedError{Href: draftURL(d.ID, st.Slug) + "?return=check#" + a.anchor(), Message: m})
					delete(byName, a.Name)
				}
			}
		}
		if m, ok := byName["children"]; ok && st.Slug == "children" {
			pg.Errors = append(pg.Errors, linkedError{Href: draftURL(d.ID, st.Slug) + "?return=check", Message: m})
			delete(byName, "children")
		}
	}
	var rest []string
	for path := range fields {
		if st := stepOwning(steps, fieldOfPath(path, d.Submission)); st.Slug == checkStep {
			rest = append(rest, path)
		}
	}
	slices.Sort(rest)
	for _, path := range rest {
		pg.Errors = append(pg.Errors, linkedError{Href: "#send", Message: fields[path]})
	}
	pg.Preview, pg.Warnings = s.previewView(d.Submission, principal(c))
	return s.render(c, status, "referral-check", pg)
}

// childLine is a child in one summary line per fact.
func childLine(ch referral.Child) []string {
	out := []string{ch.Name}
	if ch.DateOfBirth != "" {
		out = append(out, "Born "+dateWords(ch.DateOfBirth))
	}
	if ch.School != "" {
		out = append(out, ch.School)
	}
	if ch.LivesWithVictim {
		out = append(out, "Lives with the victim")
	} else {
		out = append(out, "Does not live with the victim")
	}
	return out
}

// sendDraft checks the whole referral and sends it. The referral is created
// and the draft deleted in one transaction: if sending fails, the draft
// stays as it was; if it succeeds, it cannot be sent twice.
func (s *Server) sendDraft(c echo.Context) error {
	d, err := s.loadDraft(c)
	if err != nil {
		return err
	}
	in, perr := s.newReferral(d.Submission, principal(c))
	if perr != nil {
		if perr.Code != problem.Invalid {
			return perr
		}
		return s.renderCheck(c, http.StatusUnprocessableEntity, s.referralSteps(), d, perr.Fields)
	}
	in.FromDraft = d.ID
	id, _, err := s.DB.CreateReferral(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/referrals/"+id+"?done=sent")
}

// deleteDraft throws a draft away.
func (s *Server) deleteDraft(c echo.Context) error {
	if err := s.DB.DeleteDraft(c.Request().Context(), principal(c).Subject, c.Param("draft")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/referrals?done=deleted")
}

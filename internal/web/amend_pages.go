package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/sharing"
)

// The officer's pages for a referral after it is sent: "Update this
// referral" (the referral form's own questions, one part at a time, then
// what changed and why) and "Re-assess the risk".

// amendPageRoutes are the pages; both write through the API's own code.
func (s *Server) amendPageRoutes() []Route {
	page := func(method, path string, h echo.HandlerFunc) Route {
		return Route{Method: method, Path: path, Access: Roles, Roles: []identity.Role{identity.Officer}, CSRF: method == http.MethodPost, Handler: h}
	}
	return []Route{
		page(http.MethodGet, "/referrals/:id/risk", s.justiceFormPage(riskForm)),
		page(http.MethodPost, "/referrals/:id/risk", s.justiceFormPost(riskForm)),
		page(http.MethodGet, "/referrals/:id/update", s.updatePage),
		page(http.MethodGet, "/referrals/:id/update/:step", s.updateStepPage),
		page(http.MethodPost, "/referrals/:id/update/:step", s.updateStepPost),
		page(http.MethodPost, "/referrals/:id/update/:step/confirm", s.updateConfirm),
	}
}

// amendDone is the success banner after each of these pages.
var amendDone = map[string]string{
	"updated":    "Referral updated. Each agency that may see the change has been told.",
	"reassessed": "Risk re-assessed. Each agency's response time follows the new level, and each has been told.",
	"no_change":  "Nothing was changed.",
}

var riskForm = &justiceForm{Title: "Re-assess the risk", Submit: "Save the assessment",
	Intro: "The latest assessment sets each agency's response time, the sharing rules and whether the case goes to MARAC. " +
		"A DASH score of 14 or more is high risk: judgement may raise a level, never lower it.",
	questions: riskQuestions, subject: referralSubject, save: (*Server).saveRiskForm, prefill: currentRisk}

// riskQuestions are the referral form's risk questions and a reason.
func riskQuestions() []question {
	return append(riskAssessmentQuestions(), question{Name: "reason", Label: "Why the risk was re-assessed", Kind: textareaKind,
		Hint: "For example, new incidents, a breach, or what the victim has told you. Agencies that may see the risk read this"})
}

// currentRisk puts the latest assessment's tool, score and level into the
// form; the date is the new assessment's own.
func currentRisk(v sharing.View, form url.Values) {
	cur, err := currentSubmission(v)
	if err != nil {
		return
	}
	cur.Risk.AssessedOn = ""
	for k, vs := range formValues(referral.Submission{Risk: cur.Risk}) {
		if strings.HasPrefix(k, "risk.") {
			form[k] = vs
		}
	}
}

func (s *Server) saveRiskForm(c echo.Context, form url.Values) (string, error) {
	id := c.Param("id")
	if _, err := s.forceWhole(c, id); err != nil {
		return "", err
	}
	var sub referral.Submission
	errs := readForm(&sub, form, labelsOf([]step{{Questions: riskQuestions()}}))
	for k := range errs {
		if !strings.HasPrefix(k, "risk.") {
			delete(errs, k)
		}
	}
	reason := strings.TrimSpace(form.Get("reason"))
	if perr := s.validator.ValidateRisk(sub.Risk, reason); perr != nil {
		if perr.Code != problem.Invalid {
			return "", perr
		}
		for k, m := range perr.Fields {
			if _, seen := errs[k]; !seen {
				errs[k] = friendlyRisk(k, m)
			}
		}
	}
	if len(errs) > 0 {
		return "", problem.Fields(errs)
	}
	if _, err := s.DB.ReassessRisk(c.Request().Context(), referral.Reassessment{ReferralID: id, Assessment: sub.Risk, Reason: reason,
		Actor: principal(c), ResponseTime: s.responseTime}); err != nil {
		return "", err
	}
	return "/referrals/" + id + "?done=reassessed", nil
}

// friendlyRisk words an error of the re-assessment for the form.
func friendlyRisk(field, msg string) string {
	switch field {
	case "reason":
		return "Enter why the risk was re-assessed"
	case "risk.level":
		if strings.HasSuffix(msg, "is required") {
			return "Choose the risk level"
		}
	}
	return msg
}

// updatableSteps are the referral form's steps an update may change: the
// risk is re-assessed, so of the risk step only its others at risk are
// offered, and agencies and consent have their own pages.
func (s *Server) updatableSteps() []step {
	var out []step
	for _, st := range s.referralSteps() {
		switch {
		case st.Slug == "risk":
			out = append(out, step{Slug: "others", Title: "Others at risk", Questions: othersAtRiskQuestions})
		case slices.Contains([]string{"victim", "contact", "offence", "suspect", "children", "needs"}, st.Slug):
			out = append(out, st)
		}
	}
	return out
}

// updateData is the first page of an update: the referral's answers by
// part, each with a link to change it.
type updateData struct {
	ID, Reference string
	Cards         []answerCard
}

// updateCheckData is what an update changes, before the officer confirms
// it with a reason.
type updateCheckData struct {
	ID, Reference, Step, Title string
	Version                    int
	Rows                       []changeRow
	Hidden                     []hiddenInput
	Reason                     formField
	Summary                    []fieldError
}

// changeRow is one answer an update changes: what it was and what it will be.
type changeRow struct {
	Key      string
	Was, Now []string
}

// hiddenInput carries an answer from the step to the confirmation.
type hiddenInput struct{ Name, Value string }

func (updateData) viewModel()      {}
func (updateCheckData) viewModel() {}

// updateSubject releases the referral to the officer, whole, audited.
func (s *Server) updateSubject(c echo.Context) (sharing.View, referral.Submission, error) {
	v, err := s.forceWhole(c, c.Param("id"))
	if err != nil {
		return v, referral.Submission{}, err
	}
	cur, err := currentSubmission(v)
	return v, cur, err
}

// updatePage shows the referral's answers with a Change link per part.
func (s *Server) updatePage(c echo.Context) error {
	v, cur, err := s.updateSubject(c)
	if err != nil {
		return err
	}
	d := updateData{ID: v.ReferralID(), Reference: v.Reference()}
	values := formValues(cur)
	for _, st := range s.updatableSteps() {
		card := answerCard{Title: st.Title, Href: "/referrals/" + v.ReferralID() + "/update/" + st.Slug}
		if st.Slug == "children" {
			card.Rows = childrenRows(cur.Children)
		} else {
			for _, q := range st.Questions {
				card.Rows = append(card.Rows, answerRows(q, values)...)
			}
		}
		d.Cards = append(d.Cards, card)
	}
	return s.render(c, http.StatusOK, "referral-update", d)
}

// updateStep finds the part of the form named in the address.
func (s *Server) updateStep(c echo.Context) (step, error) {
	for _, st := range s.updatableSteps() {
		if st.Slug == c.Param("step") {
			return st, nil
		}
	}
	return step{}, problem.New(problem.NotFound, "Page not found")
}

// updateStepPage shows one part of the referral form with its answers.
func (s *Server) updateStepPage(c echo.Context) error {
	st, err := s.updateStep(c)
	if err != nil {
		return err
	}
	v, cur, err := s.updateSubject(c)
	if err != nil {
		return err
	}
	return s.renderUpdateStep(c, http.StatusOK, v, st, cur, formValues(cur), nil)
}

func (s *Server) renderUpdateStep(c echo.Context, status int, v sharing.View, st step, cur referral.Submission, values url.Values, errs map[string]string) error {
	if st.Slug == "children" {
		return s.renderUpdateChildren(c, status, v, st, cur, values, errs)
	}
	d := justiceFormData{Title: "Update: " + lowerFirst(st.Title), Intro: st.Intro, Submit: "Continue", ReferralID: v.ReferralID(),
		Reference: v.Reference(), Action: "/referrals/" + v.ReferralID() + "/update/" + st.Slug,
		Fields: fieldsOf(st.Questions, values, errs), Summary: errorSummary(st.Questions, errs)}
	return s.render(c, status, "justice-form", d)
}

// readUpdate reads a part's posted answers over the referral's and checks
// them as the form does, naming errors of that part only.
func (s *Server) readUpdate(c echo.Context, st step, cur referral.Submission) (url.Values, referral.Submission, map[string]string, error) {
	posted, err := c.FormParams()
	if err != nil {
		return nil, cur, nil, problem.New(problem.Malformed, "the form could not be read")
	}
	if st.Slug == "children" {
		return s.readChildUpdate(posted, cur)
	}
	values := formValues(cur)
	for _, n := range st.inputs() {
		if vs, ok := posted[n]; ok {
			values[n] = vs
		} else {
			delete(values, n)
		}
	}
	next := cur
	next.Children = slices.Clone(cur.Children)
	errs := readForm(&next, values, labelsOf(s.referralSteps()))
	for n := range errs {
		if !st.owns(n) {
			delete(errs, n)
		}
	}
	next.Risk, next.Agencies, next.Consent = cur.Risk, cur.Agencies, cur.Consent
	next.Suspects = keptPeople(st.Slug == "suspect", cur.Suspects, next.Suspects, otherSuspectSlots,
		func(p referral.Suspect) string { return p.Name }, func(was, now referral.Suspect) referral.Suspect {
			was.Name, was.Relationship = now.Name, now.Relationship
			return was
		})
	next.OthersAtRisk = keptPeople(st.Slug == "others", cur.OthersAtRisk, next.OthersAtRisk, otherAtRiskSlots,
		func(p referral.PersonAtRisk) string { return p.Name }, func(was, now referral.PersonAtRisk) referral.PersonAtRisk {
			now.Notes = was.Notes
			return now
		})
	fields, err := s.amendErrors(next)
	if err != nil {
		return nil, cur, nil, err
	}
	for n, m := range stepErrors(st, next, fields) {
		if _, ok := errs[n]; !ok {
			errs[n] = m
		}
	}
	return values, next, errs, nil
}

// updateStepPost checks a part's answers and shows what they change.
func (s *Server) updateStepPost(c echo.Context) error {
	st, err := s.updateStep(c)
	if err != nil {
		return err
	}
	v, cur, err := s.updateSubject(c)
	if err != nil {
		return err
	}
	values, next, errs, err := s.readUpdate(c, st, cur)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.renderUpdateStep(c, http.StatusUnprocessableEntity, v, st, cur, values, errs)
	}
	return s.renderUpdateCheck(c, http.StatusOK, v, st, cur, next, values, "", nil)
}

// renderUpdateCheck shows each answer the update changes, was and now, and
// asks why; nothing changed sends the officer back to the referral.
func (s *Server) renderUpdateCheck(c echo.Context, status int, v sharing.View, st step, cur, next referral.Submission, values url.Values, reason string, errs map[string]string) error {
	d := updateCheckData{ID: v.ReferralID(), Reference: v.Reference(), Step: st.Slug, Title: st.Title, Version: v.Meta().Version}
	was, now := formValues(cur), formValues(next)
	questions := st.Questions
	if st.Slug == "children" {
		d.Rows, questions = childChanges(cur.Children, next.Children), nil
	}
	for _, q := range questions {
		before, after := answerRows(q, was), answerRows(q, now)
		for i, row := range after {
			if i >= len(before) || !slices.Equal(before[i].Values, row.Values) || before[i].Key != row.Key {
				r := changeRow{Key: row.Key, Now: row.Values, Was: []string{"Not given"}}
				if i < len(before) && before[i].Key == row.Key {
					r.Was = before[i].Values
				}
				d.Rows = append(d.Rows, r)
			}
		}
	}
	if len(d.Rows) == 0 {
		return c.Redirect(http.StatusSeeOther, "/referrals/"+v.ReferralID()+"?done=no_change")
	}
	inputs := st.inputs()
	if st.Slug == "children" {
		inputs = append(inputs, "action")
	}
	for _, n := range inputs {
		for _, val := range values[n] {
			d.Hidden = append(d.Hidden, hiddenInput{Name: n, Value: val})
		}
	}
	reasonQ := question{Name: "reason", Label: "Why you are updating the referral", Kind: textareaKind,
		Hint: "For example, new incidents, or a correction. The agencies do not see this; the referral's history keeps it"}
	d.Reason = fieldOf(reasonQ, url.Values{"reason": {reason}}, errs)
	d.Summary = errorSummary([]question{reasonQ}, errs)
	return s.render(c, status, "referral-update-check", d)
}

// updateConfirm stores the update, with its reason, as a new version.
func (s *Server) updateConfirm(c echo.Context) error {
	st, err := s.updateStep(c)
	if err != nil {
		return err
	}
	v, cur, err := s.updateSubject(c)
	if err != nil {
		return err
	}
	values, next, errs, err := s.readUpdate(c, st, cur)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.renderUpdateStep(c, http.StatusUnprocessableEntity, v, st, cur, values, errs)
	}
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil {
		return problem.New(problem.Malformed, "the form could not be read")
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	if msg := reasonError(reason, "Enter why you are updating the referral"); msg != "" {
		return s.renderUpdateCheck(c, http.StatusUnprocessableEntity, v, st, cur, next, values, reason, map[string]string{"reason": msg})
	}
	if err := s.amend(c, v, version, cur, next, nil, reason); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/referrals/"+v.ReferralID()+"?done=updated")
}

// riskHistoryRows lay out a re-assessed risk's history on the referral
// page: why the latest was made, and each earlier assessment.
func riskHistoryRows(hist []referral.RiskEntry) []answerRow {
	if len(hist) < 2 {
		return nil
	}
	var rows []answerRow
	if last := hist[len(hist)-1]; last.Reason != "" {
		rows = append(rows, answerRow{Key: "Why it was re-assessed", Values: lines(last.Reason)})
	}
	for i, e := range hist[:len(hist)-1] {
		what := labelOf(riskLevelChoices, e.Level) + " risk"
		if e.Tool != "" {
			what += ", " + labelOf(riskToolChoices, e.Tool)
		}
		if e.Score != nil {
			what += " " + strconv.Itoa(*e.Score)
		}
		vals := []string{what, "Recorded " + whenText(e.RecordedAt)}
		if e.By != "" {
			vals[1] += " by " + e.By
		}
		if e.Reason != "" {
			vals = append(vals, e.Reason)
		}
		rows = append(rows, answerRow{Key: "Earlier assessment " + strconv.Itoa(i+1), Values: vals})
	}
	return rows
}

// amendEventWords are the title and detail of an update or a re-assessment
// on the timeline: "updated: offence, health" reads "What changed: Offence,
// Health"; "risk re-assessed: high" reads "Now: high risk".
func amendEventWords(kind, detail string) (title, words string) {
	if kind == "risk_reassessed" {
		return "Risk re-assessed", "Now: " + strings.TrimPrefix(detail, "risk re-assessed: ") + " risk"
	}
	names, ok := strings.CutPrefix(detail, "updated: ")
	if !ok {
		return "Referral updated", detail
	}
	var titles []string
	for _, n := range strings.Split(names, ", ") {
		if c, err := category.Parse(n); err == nil {
			titles = append(titles, c.Title())
		}
	}
	return "Referral updated", "What changed: " + strings.Join(titles, ", ")
}

// keptPeople are the further suspects or others at risk after an update.
// The form asks only a name and a relationship for its first slots, and the
// API takes more: a part that does not ask them keeps them as they were, and
// the part that does keeps what it does not ask (the details of a person it
// still names, and the people beyond its slots).
func keptPeople[T any](asked bool, was, now []T, slots int, name func(T) string, keep func(was, now T) T) []T {
	if !asked {
		return was
	}
	out := make([]T, 0, len(now))
	for _, n := range now {
		for _, w := range was[:min(len(was), slots)] {
			if name(w) == name(n) {
				n = keep(w, n)
				break
			}
		}
		out = append(out, n)
	}
	if len(was) > slots {
		out = append(out, was[slots:]...)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// updateChildrenData is the children part of an update: the children on
// the referral, each of which may be removed, and a child to add.
type updateChildrenData struct {
	ID, Reference, Title, Intro, Action string
	Children                            []childAnswer
	Fields                              []formField
	Summary                             []fieldError
}

func (updateChildrenData) viewModel() {}

// renderUpdateChildren shows the referral's children, each with a Remove
// button, and the referral form's questions to add one.
func (s *Server) renderUpdateChildren(c echo.Context, status int, v sharing.View, st step, cur referral.Submission, values url.Values, errs map[string]string) error {
	d := updateChildrenData{ID: v.ReferralID(), Reference: v.Reference(), Title: "Update: " + lowerFirst(st.Title),
		Intro:  "Add a child, or remove one who should not be on the referral. You will see what changes and give a reason before it is saved.",
		Action: "/referrals/" + v.ReferralID() + "/update/" + st.Slug,
		Fields: fieldsOf(childQuestions, values, errs), Summary: errorSummary(childQuestions, errs)}
	for n, ch := range cur.Children {
		d.Children = append(d.Children, childAnswer{Index: n, Number: n + 1, Name: ch.Name, Rows: childRows(ch)})
	}
	return s.render(c, status, "referral-update-children", d)
}

// readChildUpdate reads a child to add ("add") or one to remove
// ("remove-N") and checks it as the referral form does.
func (s *Server) readChildUpdate(posted url.Values, cur referral.Submission) (url.Values, referral.Submission, map[string]string, error) {
	next := cur
	action := posted.Get("action")
	if n, ok := strings.CutPrefix(action, "remove-"); ok {
		k, err := strconv.Atoi(n)
		if err != nil || k < 0 || k >= len(cur.Children) || strconv.Itoa(k) != n {
			return nil, cur, nil, problem.New(problem.NotFound, "That child is not on this referral")
		}
		next.Children = slices.Delete(slices.Clone(cur.Children), k, k+1)
		return url.Values{"action": {action}}, next, nil, nil
	}
	values := url.Values{"action": {"add"}}
	for _, q := range childQuestions {
		for _, n := range q.inputs() {
			if v := strings.TrimSpace(posted.Get(n)); v != "" {
				values.Set(n, v)
			}
		}
	}
	child, errs := s.readChild(values)
	if len(errs) > 0 {
		return values, cur, errs, nil
	}
	next.Children = append(slices.Clone(cur.Children), child)
	fields, err := s.amendErrors(next)
	if err != nil {
		return nil, cur, nil, err
	}
	for path, m := range fields {
		if rest, ok := strings.CutPrefix(path, "children["+strconv.Itoa(len(cur.Children))+"]."); ok {
			errs["child."+rest] = m
		} else if strings.HasPrefix(path, "children") {
			errs["child.name"] = m
		}
	}
	return values, next, errs, nil
}

// childrenRows are the children on the update page's overview.
func childrenRows(children []referral.Child) []answerRow {
	var rows []answerRow
	for n, ch := range children {
		rows = append(rows, answerRow{Key: "Child " + strconv.Itoa(n+1), Values: childLine(ch)})
	}
	if len(rows) == 0 {
		return []answerRow{{Key: "Children", Values: []string{"None added"}}}
	}
	return rows
}

// childChanges are the child an update adds or removes, was and now.
func childChanges(was, now []referral.Child) []changeRow {
	switch {
	case len(now) > len(was):
		return []changeRow{{Key: "Child " + strconv.Itoa(len(now)), Was: []string{"Not given"}, Now: childLine(now[len(now)-1])}}
	case len(now) < len(was):
		k := 0
		for k < len(now) && now[k] == was[k] {
			k++
		}
		return []changeRow{{Key: "Child " + strconv.Itoa(k+1), Was: childLine(was[k]), Now: []string{"Removed"}}}
	}
	return nil
}

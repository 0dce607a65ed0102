package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/justice"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/sharing"
	"github.com/stalking-hub/hub/internal/vocab"
)

// justicePageRoutes are the officer's pages for orders, breaches, the
// Victims' Code and the outcome, and the lists that lead to them.
func (s *Server) justicePageRoutes() []Route {
	page := func(method, path string, roles []identity.Role, h echo.HandlerFunc) Route {
		return Route{Method: method, Path: path, Access: Roles, Roles: roles, CSRF: method == http.MethodPost, Handler: h}
	}
	police := []identity.Role{identity.Officer, identity.Supervisor}
	return []Route{
		page(http.MethodGet, "/orders", police, s.ordersEndingPage),
		page(http.MethodGet, "/victim-updates", police, s.overdueUpdatesPage),
		page(http.MethodGet, "/referrals/:id/orders/new", officer, s.justiceFormPage(orderForm)),
		page(http.MethodPost, "/referrals/:id/orders/new", officer, s.justiceFormPost(orderForm)),
		page(http.MethodGet, "/orders/:id/change", officer, s.justiceFormPage(changeForm)),
		page(http.MethodPost, "/orders/:id/change", officer, s.justiceFormPost(changeForm)),
		page(http.MethodGet, "/orders/:id/breach", officer, s.justiceFormPage(breachForm)),
		page(http.MethodPost, "/orders/:id/breach", officer, s.justiceFormPost(breachForm)),
		page(http.MethodPost, "/orders/:id/breach-referral", officer, s.breachReferral),
		page(http.MethodGet, "/referrals/:id/victim-updates/new", officer, s.justiceFormPage(updateForm)),
		page(http.MethodPost, "/referrals/:id/victim-updates/new", officer, s.justiceFormPost(updateForm)),
		page(http.MethodGet, "/victim-updates/:id/told", officer, s.justiceFormPage(toldForm)),
		page(http.MethodPost, "/victim-updates/:id/told", officer, s.justiceFormPost(toldForm)),
		page(http.MethodGet, "/referrals/:id/victim-code", officer, s.justiceFormPage(rightsForm)),
		page(http.MethodPost, "/referrals/:id/victim-code", officer, s.justiceFormPost(rightsForm)),
		page(http.MethodGet, "/referrals/:id/outcome", officer, s.justiceFormPage(outcomeForm)),
		page(http.MethodPost, "/referrals/:id/outcome", officer, s.justiceFormPost(outcomeForm)),
	}
}

// justiceForm is one of the officer's forms: what it asks, and what it does
// with the answers (a problem naming fields re-renders the form).
type justiceForm struct {
	Title, Intro, Submit string
	questions            func() []question
	// subject finds the referral the form is about, from the path's id.
	subject func(s *Server, c echo.Context) (referralID string, err error)
	// save checks and stores the answers, and says where to go next.
	save func(s *Server, c echo.Context, form url.Values) (string, error)
	// prefill, when set, puts first answers into an empty form from the
	// referral as released to the officer.
	prefill func(v sharing.View, form url.Values)
}

var (
	orderForm = &justiceForm{Title: "Record an order or bail", Submit: "Record the order",
		Intro:     "The conditions that protect the victim. Agencies that contact the victim and may know who they are see them beside safe contact.",
		questions: orderQuestions, subject: referralSubject, save: (*Server).saveOrderForm}
	changeForm = &justiceForm{Title: "Change an order", Submit: "Save the change",
		Intro:     "Vary the conditions, extend the end date, or record that a court discharged the order. The history keeps every change and its reason.",
		questions: changeQuestions, subject: orderSubject, save: (*Server).saveChangeForm}
	breachForm = &justiceForm{Title: "Record a breach", Submit: "Record the breach",
		Intro:     "A breach is a new offence and an incident of this pattern. The receiving agencies are told that the referral changed.",
		questions: breachQuestions, subject: orderSubject, save: (*Server).saveBreachForm}
	updateForm = &justiceForm{Title: "Record a decision the victim must be told of", Submit: "Record it",
		Intro:     "The Victims' Code says when the victim must be told: by the end of the next working day with enhanced rights, within five working days otherwise.",
		questions: updateQuestions, subject: referralSubject, save: (*Server).saveUpdateForm}
	toldForm = &justiceForm{Title: "Record that the victim was told", Submit: "Save",
		Intro:     "Tell the victim through the safe-contact method recorded on the referral.",
		questions: toldQuestions, subject: updateSubject, save: (*Server).saveToldForm, prefill: safeContactMethod}
	rightsForm = &justiceForm{Title: "The victim's rights under the Victims' Code", Submit: "Save",
		Intro:     "Victims of the most serious crime, and those persistently targeted, vulnerable or intimidated, have enhanced rights: they are told of each decision by the end of the next working day. Victims of stalking usually are. A change applies to the updates recorded after it.",
		questions: rightsQuestions, subject: referralSubject, save: (*Server).saveRightsForm}
	outcomeForm = &justiceForm{Title: "Record the criminal-justice outcome", Submit: "Record the outcome",
		questions: outcomeQuestions, subject: referralSubject, save: (*Server).saveOutcomeForm}
)

func referralSubject(_ *Server, c echo.Context) (string, error) { return c.Param("id"), nil }

func orderSubject(s *Server, c echo.Context) (string, error) {
	o, _, err := s.DB.Order(c.Request().Context(), c.Param("id"))
	return o.ReferralID, err
}

func updateSubject(s *Server, c echo.Context) (string, error) {
	return s.DB.VictimUpdateReferral(c.Request().Context(), c.Param("id"))
}

type justiceFormData struct {
	Title, Intro, Submit string
	ReferralID           string
	Reference            string
	Action               string
	Fields               []formField
	Summary              []fieldError
}

// justiceFormPage draws a form about a referral the officer may see whole.
func (s *Server) justiceFormPage(f *justiceForm) echo.HandlerFunc {
	return func(c echo.Context) error {
		return s.renderJusticeForm(c, f, http.StatusOK, url.Values{}, nil)
	}
}

func (s *Server) renderJusticeForm(c echo.Context, f *justiceForm, status int, form url.Values, errs map[string]string) error {
	id, err := f.subject(s, c)
	if err != nil {
		return err
	}
	v, err := s.forceRead(c, id)
	if err != nil {
		return err
	}
	if f.prefill != nil && len(form) == 0 {
		form = url.Values{}
		f.prefill(v, form)
	}
	qs := f.questions()
	d := justiceFormData{Title: f.Title, Intro: f.Intro, Submit: f.Submit, ReferralID: id, Reference: v.Reference(), Action: c.Request().URL.Path,
		Fields: fieldsOf(qs, form, errs), Summary: errorSummary(qs, errs)}
	return s.render(c, status, "justice-form", d)
}

// justiceFormPost saves a form, or draws it again with every error named.
func (s *Server) justiceFormPost(f *justiceForm) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, err := c.FormParams()
		if err != nil {
			return problem.New(problem.Malformed, "the form could not be read")
		}
		// A form whose path names an order or an update is closed, as the
		// referral's own routes are, to an officer who may not read a
		// restricted referral whole.
		id, err := f.subject(s, c)
		if err != nil {
			return err
		}
		if err := s.closedByRestriction(c, id); err != nil {
			return err
		}
		next, err := f.save(s, c, form)
		if perr, ok := problem.As(err); ok && perr.Code == problem.Invalid {
			return s.renderJusticeForm(c, f, http.StatusUnprocessableEntity, form, perr.Fields)
		}
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, next)
	}
}

// formDate reads a date question of a form as YYYY-MM-DD, adding a
// message to errs when it is malformed or (required) missing.
func formDate(form url.Values, name, label string, required bool, errs map[string]string) string {
	iso, msg := typedDateOf(form, name).iso(label)
	switch {
	case msg != "":
		errs[name] = msg
	case iso == "" && required:
		errs[name] = "Enter " + lowerFirst(label)
	}
	return iso
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

// fieldProblem merges the errors found reading the form with those the
// checks found, keeping the form's own, and returns them as one problem.
func fieldProblem(errs map[string]string, perr *problem.Error) error {
	mergeFields(errs, perr)
	if len(errs) == 0 {
		return nil
	}
	return problem.Fields(errs)
}

func orderQuestions() []question {
	return []question{
		{Name: "kind", Label: "Kind of order", Kind: radiosKind, Choices: codeChoices(justice.OrderKinds)},
		{Name: "conditions", Label: "Conditions", Hint: "What the suspect must or must not do, for example: must not enter Orchard Road", Kind: textareaKind},
		{Name: "starts_on", Label: "Start date", Hint: "For example, 27 11 2026", Kind: dateKind},
		{Name: "ends_on", Label: "End date", Hint: "Leave blank for an order until further order", Kind: dateKind},
		{Name: "court", Label: "Court", Kind: textKind, Width: "govuk-!-width-two-thirds"},
		{Name: "reference", Label: "Court or order reference", Kind: textKind, Width: "govuk-!-width-one-third"},
	}
}

func (s *Server) saveOrderForm(c echo.Context, form url.Values) (string, error) {
	errs := map[string]string{}
	b := orderBody{Kind: form.Get("kind"), Conditions: form.Get("conditions"), Court: form.Get("court"), Reference: form.Get("reference"),
		StartsOn: formDate(form, "starts_on", "The start date", true, errs), EndsOn: formDate(form, "ends_on", "The end date", false, errs)}
	o, perr := newOrder(b)
	if err := fieldProblem(errs, perr); err != nil {
		return "", err
	}
	o.ReferralID = c.Param("id")
	if _, err := s.DB.AddOrder(c.Request().Context(), o, principal(c)); err != nil {
		return "", err
	}
	return "/referrals/" + o.ReferralID + "?done=order#orders", nil
}

func changeQuestions() []question {
	return []question{
		{Name: "action", Label: "What changed", Kind: radiosKind, Choices: []choice{
			{Value: "vary", Label: "The court varied the conditions", Reveal: []question{{Name: "conditions", Label: "The conditions now", Kind: textareaKind}}},
			{Value: "extend", Label: "The order was extended", Reveal: []question{{Name: "ends_on", Label: "New end date", Kind: dateKind}}},
			{Value: "discharge", Label: "The order was discharged", Reveal: []question{{Name: "discharged_on", Label: "Date discharged", Kind: dateKind}}},
		}},
		{Name: "reason", Label: "Reason", Hint: "Why the order changed, for the history", Kind: textareaKind},
	}
}

func (s *Server) saveChangeForm(c echo.Context, form url.Values) (string, error) {
	ctx := c.Request().Context()
	errs := map[string]string{}
	b := orderChangeBody{Action: form.Get("action"), Reason: form.Get("reason")}
	switch b.Action {
	case "vary":
		v := form.Get("conditions")
		b.Conditions = &v
	case "extend":
		v := formDate(form, "ends_on", "The new end date", true, errs)
		b.EndsOn = &v
	case "discharge":
		v := formDate(form, "discharged_on", "The date discharged", false, errs)
		b.DischargedOn = &v
	}
	change, apply, perr := s.orderChange(b)
	if err := fieldProblem(errs, perr); err != nil {
		return "", err
	}
	o, _, err := s.DB.Order(ctx, c.Param("id"))
	if err != nil {
		return "", err
	}
	if _, err := s.DB.ChangeOrder(ctx, justice.OrderUpdate{ID: o.ID, IfMatch: o.Version, Change: change, Apply: apply, Reason: justice.ChangeReason(o.ReferralID, b.Reason), Actor: principal(c)}); err != nil {
		return "", err
	}
	return "/referrals/" + o.ReferralID + "?done=order_changed#orders", nil
}

func breachQuestions() []question {
	return []question{
		{Name: "occurred_on", Label: "Date of the breach", Hint: "For example, 27 11 2026", Kind: dateKind},
		{Name: "summary", Label: "What happened", Kind: textareaKind},
	}
}

func (s *Server) saveBreachForm(c echo.Context, form url.Values) (string, error) {
	errs := map[string]string{}
	b, perr := newBreach(breachBody{OccurredOn: formDate(form, "occurred_on", "The date of the breach", true, errs), Summary: form.Get("summary")})
	if err := fieldProblem(errs, perr); err != nil {
		return "", err
	}
	b.OrderID = c.Param("id")
	b, err := s.DB.RecordBreach(c.Request().Context(), b, s.today(), principal(c))
	if err != nil {
		return "", err
	}
	return "/referrals/" + b.ReferralID + "?done=breach&order=" + url.QueryEscape(b.OrderID) + "#orders", nil
}

func updateQuestions() []question {
	return []question{
		{Name: "event", Label: "Decision or event", Kind: radiosKind, Choices: codeChoices(justice.Events)},
		{Name: "event_on", Label: "Date of the decision or event", Hint: "For example, 27 11 2026", Kind: dateKind},
	}
}

func (s *Server) saveUpdateForm(c echo.Context, form url.Values) (string, error) {
	errs := map[string]string{}
	u, perr := s.newVictimUpdate(victimUpdateBody{Event: form.Get("event"), EventOn: formDate(form, "event_on", "The date of the decision or event", true, errs)})
	if err := fieldProblem(errs, perr); err != nil {
		return "", err
	}
	u.ReferralID = c.Param("id")
	if _, err := s.DB.AddVictimUpdate(c.Request().Context(), u, s.calendar, principal(c)); err != nil {
		return "", err
	}
	return "/referrals/" + u.ReferralID + "?done=update#victims-code", nil
}

func toldQuestions() []question {
	return []question{
		{Name: "told_on", Label: "Date the victim was told", Hint: "For example, 27 11 2026", Kind: dateKind},
		{Name: "method", Label: "How the victim was told", Kind: radiosKind, Choices: codeChoices(justice.TellMethods)},
		{Name: "note", Label: "Note", Hint: "Optional", Kind: textareaKind},
	}
}

// safeContactMethod answers "how the victim was told" with the referral's
// safe-contact method: the victim is told the way they said is safe.
func safeContactMethod(v sharing.View, form url.Values) {
	var sc referral.SafeContact
	if b, ok := v.Content(category.SafeContact); ok && unmarshalSection(b, &sc) == nil && sc.Method != "" {
		form.Set("method", sc.Method)
	}
}

func (s *Server) saveToldForm(c echo.Context, form url.Values) (string, error) {
	errs := map[string]string{}
	u, perr := s.newTelling(tellBody{ToldOn: formDate(form, "told_on", "The date the victim was told", true, errs), Method: form.Get("method"), Note: form.Get("note")})
	if err := fieldProblem(errs, perr); err != nil {
		return "", err
	}
	u.ID = c.Param("id")
	u, err := s.DB.TellVictimUpdate(c.Request().Context(), u, 0, principal(c))
	if err != nil {
		return "", err
	}
	return "/referrals/" + u.ReferralID + "?done=told#victims-code", nil
}

func rightsQuestions() []question {
	return []question{{Name: "enhanced", Label: "Rights", Kind: radiosKind, Choices: []choice{
		{Value: "yes", Label: "Enhanced rights", Hint: "Told by the end of the next working day"},
		{Value: "no", Label: "Standard rights", Hint: "Told within five working days"},
	}}}
}

func (s *Server) saveRightsForm(c echo.Context, form url.Values) (string, error) {
	v := form.Get("enhanced")
	if v != "yes" && v != "no" {
		return "", problem.Invalidf("enhanced", "Choose the victim's rights")
	}
	if err := s.DB.SetEnhanced(c.Request().Context(), c.Param("id"), v == "yes", principal(c)); err != nil {
		return "", err
	}
	return "/referrals/" + c.Param("id") + "?done=rights#victims-code", nil
}

func outcomeQuestions() []question {
	return []question{
		{Name: "outcome", Label: "Outcome", Kind: radiosKind, Choices: codeChoices(justice.Outcomes)},
		{Name: "decided_on", Label: "Date of the decision", Hint: "For example, 27 11 2026", Kind: dateKind},
	}
}

func (s *Server) saveOutcomeForm(c echo.Context, form url.Values) (string, error) {
	errs := map[string]string{}
	on := formDate(form, "decided_on", "The date of the decision", true, errs)
	if _, ok := justice.Outcomes.Label(form.Get("outcome")); !ok {
		errs["outcome"] = "Choose the outcome"
	}
	if len(errs) > 0 {
		return "", problem.Fields(errs)
	}
	d, _ := time.Parse(time.DateOnly, on)
	if d.After(s.today()) {
		return "", problem.Invalidf("decided_on", "The date of the decision cannot be in the future")
	}
	if err := s.DB.SetOutcome(c.Request().Context(), c.Param("id"), form.Get("outcome"), d, principal(c)); err != nil {
		return "", err
	}
	return "/referrals/" + c.Param("id") + "?done=outcome#victims-code", nil
}

// orderView is one order on the referral page.
type orderView struct {
	ID, Kind, Status, StatusTag string
	Conditions                  []string
	StartsOn, EndsOn            string
	DaysLeft                    string
	Court, Reference            string
	Breaches                    int
}

// ordersOf lays out the orders section of a view, active first as stored.
func ordersOf(b []byte, day time.Time) ([]orderView, error) {
	var os []struct {
		ID, Kind, Status, Conditions, Court, Reference string
		StartsOn                                       string `json:"starts_on"`
		EndsOn                                         string `json:"ends_on"`
		Breaches                                       int
	}
	if err := unmarshalSection(b, &os); err != nil {
		return nil, err
	}
	var out []orderView
	for _, o := range os {
		label, _ := justice.OrderKinds.Label(o.Kind)
		v := orderView{ID: o.ID, Kind: orNotGiven(label), Status: o.Status, StatusTag: orderTag(o.Status), Conditions: lines(orNotGiven(o.Conditions)),
			StartsOn: dateWords(o.StartsOn), EndsOn: "Until further order", Court: orNotGiven(o.Court), Reference: orNotGiven(o.Reference), Breaches: o.Breaches}
		if o.EndsOn != "" {
			v.EndsOn = dateWords(o.EndsOn)
			ends, _ := time.Parse(time.DateOnly, o.EndsOn)
			if left, ok := justice.DaysLeft(justice.Order{EndsOn: ends}, day); ok && o.Status == string(justice.Active) && left <= justice.FirstNotice {
				v.DaysLeft = plural(left, "day left", "days left")
			}
		}
		out = append(out, v)
	}
	return out, nil
}

func orderTag(status string) string {
	switch justice.OrderStatus(status) {
	case justice.Active:
		return "govuk-tag--green"
	case justice.Discharged:
		return "govuk-tag--grey"
	}
	return "govuk-tag--yellow"
}

// justiceParts are the referral page's orders and criminal-justice parts.
type justiceParts struct {
	Orders         []orderView // the orders category when shown (OrdersShown), beside safe contact
	OrdersShown    bool
	CanRecord      bool   // an officer of the force, who may record orders and updates
	BreachReferral string // after a breach: the form of a new referral for it
	Justice        *justicePanel
}

// justicePanel is the criminal-justice side of a referral on its page, for
// the force's readers.
type justicePanel struct {
	Enhanced       bool
	EnhancedReason string
	Outcome        string
	DecidedOn      string
	Updates        []updateRow
	CanAct         bool // an officer, who may record
}

type updateRow struct {
	ID, Event, EventOn, DueBy, ToldOn, Method, Reference, ReferralID string
	Overdue                                                          bool
}

func updateRowOf(u justice.Update, day time.Time) updateRow {
	event, _ := justice.Events.Label(u.Event)
	method, _ := justice.TellMethods.Label(u.Method)
	return updateRow{ID: u.ID, Event: event, EventOn: dateWords(dateOrEmpty(u.EventOn)), DueBy: dateWords(dateOrEmpty(u.DueBy)), ToldOn: dateWords(dateOrEmpty(u.ToldOn)),
		Method: method, Reference: u.Reference, ReferralID: u.ReferralID, Overdue: justice.Overdue(u.DueBy, u.ToldOn, day)}
}

// justiceOf fills the orders and the Victims' Code panels of a referral page.
func (s *Server) justiceOf(c echo.Context, v sharing.View, pg *referralPage) error {
	ctx := c.Request().Context()
	day := s.today()
	if pg.Police && principal(c).Has(identity.Officer) {
		pg.CanRecord = true
	}
	if !pg.Police {
		return nil
	}
	j, err := s.DB.ReferralJustice(ctx, v.ReferralID())
	if err != nil {
		return err
	}
	outcome, _ := justice.Outcomes.Label(j.Outcome)
	pg.Justice = &justicePanel{Enhanced: j.Enhanced, EnhancedReason: j.EnhancedReason, Outcome: outcome, DecidedOn: dateWords(dateOrEmpty(j.OutcomeOn)), CanAct: pg.CanRecord}
	us, err := s.DB.VictimUpdates(ctx, v.ReferralID())
	if err != nil {
		return err
	}
	for _, u := range us {
		pg.Justice.Updates = append(pg.Justice.Updates, updateRowOf(u, day))
	}
	if c.QueryParam("done") == "breach" {
		pg.BreachReferral = "/orders/" + url.PathEscape(c.QueryParam("order")) + "/breach-referral"
	}
	return nil
}

// orderSection fills the orders panel from a shown orders category.
func (s *Server) orderSection(content []byte, pg *referralPage) error {
	os, err := ordersOf(content, s.today())
	pg.Orders, pg.OrdersShown = os, true
	return err
}

type endingData struct {
	Days   int
	Team   bool
	Orders []justice.EndingOrder
	Kinds  map[string]string
}

// ordersEndingPage lists orders and bail ending within 28 days (or the
// days asked): the officer's, or the whole team's for a supervisor.
func (s *Server) ordersEndingPage(c echo.Context) error {
	days := justice.FirstNotice
	if d, err := strconv.Atoi(c.QueryParam("days")); err == nil && d > 0 && d <= 366 {
		days = d
	}
	list, err := s.DB.OrdersEnding(c.Request().Context(), s.ownOrTeam(c), s.today(), days)
	if err != nil {
		return err
	}
	kinds := map[string]string{}
	for _, k := range justice.OrderKinds {
		kinds[k.Code] = k.Label
	}
	return s.render(c, http.StatusOK, "orders-ending", endingData{Days: days, Team: s.ownOrTeam(c) == "", Orders: list, Kinds: kinds})
}

type overdueData struct {
	Team    bool
	Updates []updateRow
}

// overdueUpdatesPage lists the Victims' Code updates the victim is owed and
// has not had: the officer's, or the whole team's for a supervisor.
func (s *Server) overdueUpdatesPage(c echo.Context) error {
	us, err := s.DB.OverdueVictimUpdates(c.Request().Context(), s.ownOrTeam(c), s.today())
	if err != nil {
		return err
	}
	d := overdueData{Team: s.ownOrTeam(c) == ""}
	for _, u := range us {
		d.Updates = append(d.Updates, updateRowOf(u, s.today()))
	}
	return s.render(c, http.StatusOK, "victim-updates", d)
}

// justiceTasks are the home page's lines for orders ending and updates
// owed: officer's own, or the team's (officer empty).
func (s *Server) justiceTasks(ctx context.Context, officer string, team bool) ([]task, error) {
	ending, err := s.DB.OrdersEnding(ctx, officer, s.today(), justice.FirstNotice)
	if err != nil {
		return nil, err
	}
	overdue, err := s.DB.OverdueVictimUpdates(ctx, officer, s.today())
	if err != nil {
		return nil, err
	}
	who := "your"
	if team {
		who = "the team's"
	}
	return []task{
		{Title: "Orders and bail ending", Href: "/orders", Hint: "Orders and bail on " + who + " referrals ending within 28 days", Status: plural(len(ending), "ending", "ending")},
		{Title: "Victims' Code updates overdue", Href: "/victim-updates", Hint: "Decisions the victim should have been told of by now, on " + who + " referrals", Status: plural(len(overdue), "overdue", "overdue")},
	}, nil
}

// justiceDone is the success banner after each of the officer's forms.
var justiceDone = map[string]string{
	"order":         "Order recorded.",
	"order_changed": "Order changed.",
	"breach":        "Breach recorded. The incident count has moved and the receiving agencies have been told.",
	"update":        "Recorded. The victim must be told by the date shown.",
	"told":          "Recorded that the victim was told.",
	"outcome":       "Outcome recorded.",
	"rights":        "The victim's rights are recorded.",
}

// breachReferral starts the officer's draft of a new referral for a breach
// of an order: offence breach_of_order, the victim, suspect and children of
// the referral the order protects, its agencies, and one incident on the
// breach's date. The same people give the same fingerprints, so the new
// referral is linked to the pattern as soon as it is sent. Consent and risk
// are asked afresh: they are decisions of the day.
func (s *Server) breachReferral(c echo.Context) error {
	ctx := c.Request().Context()
	o, _, err := s.DB.Order(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	v, err := s.release(c, o.ReferralID, agency.Referral)
	if err != nil {
		return err
	}
	if v.Agency() != agency.Police || v.Restricted() {
		return problem.New(problem.NotFound, "Order not found")
	}
	sub := referral.Submission{Offence: "breach_of_order", LinkedTo: o.ReferralID}
	read := func(cat category.Category, into any) error {
		b, _ := v.Content(cat)
		return unmarshalSection(b, into)
	}
	var id referral.IdentitySection
	var contact referral.ContactSection
	var needs referral.NeedsSection
	var health referral.HealthSection
	var offence referral.OffenceSection
	for cat, into := range map[category.Category]any{category.Identity: &id, category.Contact: &contact, category.SafeContact: &sub.Victim.SafeContact,
		category.Suspect: &sub.Suspect, category.Children: &sub.Children, category.Needs: &needs, category.Health: &health, category.Offence: &offence} {
		if err := read(cat, into); err != nil {
			return err
		}
	}
	sub.Victim.Name, sub.Victim.DateOfBirth = id.Name, id.DateOfBirth
	sub.Victim.Address, sub.Victim.Phone, sub.Victim.Email = contact.Address, contact.Phone, contact.Email
	sub.Victim.Needs, sub.Victim.Views, sub.Victim.Health = needs.Needs, needs.Views, health.Health
	sub.AggravatingFactors = offence.AggravatingFactors
	kind, _ := justice.OrderKinds.Label(o.Kind)
	sub.Summary = "Breach of the " + kind + " recorded on referral " + v.Reference() + "."
	if last := breachDate(offence, o); last != "" {
		sub.Incidents = referral.Incidents{Count: 1, First: last, Last: last}
	}
	for _, sh := range v.Shares() {
		sub.Agencies = append(sub.Agencies, referral.Request{Agency: sh.Agency})
	}
	draft, err := s.DB.SaveDraft(ctx, principal(c), "", sub)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, draftURL(draft, "offence"))
}

// breachDate is the day of the referral's last incident when it falls in
// the order's life: after a breach is recorded, the breach's own date.
func breachDate(offence referral.OffenceSection, o justice.Order) string {
	last, err := time.Parse(time.DateOnly, offence.Incidents.Last)
	if err != nil || last.Before(o.StartsOn) {
		return ""
	}
	return offence.Incidents.Last
}

// suspectLine is one further suspect on a page: name, born, relationship,
// address and orders, each given.
func suspectLine(x referral.Suspect) []string {
	out := []string{orNotGiven(x.Name)}
	if x.DateOfBirth != "" {
		out = append(out, "Born "+dateWords(x.DateOfBirth))
	}
	if x.Relationship != "" {
		out = append(out, labelOf(relationshipChoices, x.Relationship))
	}
	for _, v := range []string{x.Address, x.Orders} {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// personAtRiskLine is someone else at risk on a page.
func personAtRiskLine(p referral.PersonAtRisk) []string {
	out := []string{orNotGiven(p.Name), orNotGiven(labelOf(personAtRiskChoices, p.Relationship))}
	if p.Notes != "" {
		out = append(out, p.Notes)
	}
	return out
}

// victimCodeQuestion asks the victim's rights when the referral is raised;
// unanswered, the offence decides (enhanced for stalking).
var victimCodeQuestion = question{Name: "victim_code.enhanced", Label: "The victim's rights under the Victims' Code (optional)", Kind: radiosKind,
	Hint: "If you do not answer, victims of stalking have enhanced rights and others standard rights",
	Choices: []choice{
		{Value: "yes", Label: "Enhanced rights", Hint: "Told of each decision by the end of the next working day"},
		{Value: "no", Label: "Standard rights", Hint: "Told within five working days"},
	}}

// equalityQuestion asks the equality details MARAC returns count, shown
// beneath the victim's agreement to give them.
func equalityQuestion() question {
	var asks []question
	for _, f := range referral.EqualityFields {
		answers, _ := vocab.Lookup("equality." + f.Name)
		q := question{Name: "equality." + f.Name, Label: vocab.EqualityQuestions.Words(f.Name), Kind: selectKind, Placeholder: "Not answered",
			Choices: choicesOf(answers)}
		asks = append(asks, q)
	}
	return question{Name: "equality.agreed", Label: "Equality details (optional)", Kind: radiosKind,
		Hint: "MARAC data returns ask for these. Record them only if the victim agrees: they are counted, never shared",
		Choices: []choice{
			{Value: "yes", Label: "The victim agreed to give them", Reveal: asks},
			{Value: "no", Label: "Not given"},
		}}
}

// equalityInputs ties each equality answer to its place.
func equalityInputs(e *referral.Equality) map[string]*string {
	return map[string]*string{"sex": &e.Sex, "age_band": &e.AgeBand, "ethnicity": &e.Ethnicity, "disability": &e.Disability,
		"sexual_orientation": &e.SexualOrientation, "gender_identity": &e.GenderIdentity, "interpreter": &e.Interpreter}
}

// The referral form asks for up to otherSuspectSlots further suspects and
// otherAtRiskSlots others at risk, by name and relationship; the API takes
// any number, with more detail.
const (
	otherSuspectSlots = 2
	otherAtRiskSlots  = 3
)

// otherSuspectQuestions are the suspect page's further suspects: a heading,
// then a name and a relationship for each slot.
var otherSuspectQuestions = slotQuestions("suspects", "Other suspects (optional)", "Anyone else who takes part in the stalking or harassment",
	"Other suspect", otherSuspectSlots, relationshipChoices)

// othersAtRiskQuestions are the risk page's others at risk.
var othersAtRiskQuestions = slotQuestions("others_at_risk", "Others at risk (optional)", "People the suspect also threatens: a new partner, family, colleagues",
	"Person at risk", otherAtRiskSlots, personAtRiskChoices)

func slotQuestions(name, heading, hint, each string, slots int, relationships []choice) []question {
	qs := []question{{Name: name, Label: heading, Hint: hint, Kind: headingKind}}
	for k := range slots {
		prefix := fmt.Sprintf("%s[%d].", name, k)
		qs = append(qs,
			question{Name: prefix + "name", Label: fmt.Sprintf("%s %d: name", each, k+1), Kind: textKind},
			question{Name: prefix + "relationship", Label: fmt.Sprintf("%s %d: relationship to the victim", each, k+1), Kind: selectKind, Choices: relationships})
	}
	return qs
}

// personAtRiskChoices are how someone else at risk is connected to the victim.
var personAtRiskChoices = choicesOf(vocab.PersonAtRiskRelationships)

// readPeople reads the further suspects and others at risk from the form:
// each slot with a name or a relationship, in order.
func readPeople(sub *referral.Submission, v url.Values) {
	slot := func(name string, k int) (string, string) {
		prefix := fmt.Sprintf("%s[%d].", name, k)
		return strings.TrimSpace(v.Get(prefix + "name")), v.Get(prefix + "relationship")
	}
	sub.Suspects, sub.OthersAtRisk = nil, nil
	for k := range otherSuspectSlots {
		if n, r := slot("suspects", k); n != "" || r != "" {
			sub.Suspects = append(sub.Suspects, referral.Suspect{Name: n, Relationship: r})
		}
	}
	for k := range otherAtRiskSlots {
		if n, r := slot("others_at_risk", k); n != "" || r != "" {
			sub.OthersAtRisk = append(sub.OthersAtRisk, referral.PersonAtRisk{Name: n, Relationship: r})
		}
	}
}

// peopleAnswers puts the further suspects and others at risk of a
// submission back into form values.
func peopleAnswers(sub referral.Submission, v url.Values) {
	set := func(name string, k int, n, r string) {
		prefix := fmt.Sprintf("%s[%d].", name, k)
		if n != "" {
			v.Set(prefix+"name", n)
		}
		if r != "" {
			v.Set(prefix+"relationship", r)
		}
	}
	for k, x := range sub.Suspects[:min(len(sub.Suspects), otherSuspectSlots)] {
		set("suspects", k, x.Name, x.Relationship)
	}
	for k, x := range sub.OthersAtRisk[:min(len(sub.OthersAtRisk), otherAtRiskSlots)] {
		set("others_at_risk", k, x.Name, x.Relationship)
	}
}

package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/justice"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/sharing"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
	"github.com/stalking-hub/hub/internal/store"
)

// justiceRoutes are the orders register, breaches, the Victims' Code
// updates and the criminal-justice outcome: police work, so police roles.
func (s *Server) justiceRoutes() []Route {
	api := func(method, path string, roles []identity.Role, h echo.HandlerFunc) Route {
		return Route{Method: method, Path: "/api/v1" + path, Access: Roles, Roles: roles, Handler: h}
	}
	police := []identity.Role{identity.Officer, identity.Supervisor}
	return []Route{
		api(http.MethodPost, "/referrals/:id/orders", officer, s.apiAddOrder),
		api(http.MethodGet, "/orders", police, s.apiOrdersEnding),
		api(http.MethodGet, "/orders/:id", police, s.apiGetOrder),
		api(http.MethodPatch, "/orders/:id", officer, s.apiChangeOrder),
		api(http.MethodPost, "/orders/:id/breaches", officer, s.apiRecordBreach),
		api(http.MethodPost, "/referrals/:id/victim-updates", officer, s.apiAddVictimUpdate),
		api(http.MethodGet, "/referrals/:id/victim-updates", police, s.apiReferralVictimUpdates),
		api(http.MethodGet, "/victim-updates", police, s.apiVictimUpdates),
		api(http.MethodPatch, "/victim-updates/:id", officer, s.apiTellVictimUpdate),
		api(http.MethodPost, "/referrals/:id/outcome", officer, s.apiSetOutcome),
	}
}

// today is the hub's calendar day, in UTC like every stored date.
func (s *Server) today() time.Time {
	y, m, d := s.Now().UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

type orderBody struct {
	Kind       string `json:"kind"`
	Conditions string `json:"conditions"`
	StartsOn   string `json:"starts_on"`
	EndsOn     string `json:"ends_on"`
	Court      string `json:"court"`
	Reference  string `json:"reference"`
}

// newOrder checks an order as an officer entered it, naming every bad field.
func newOrder(b orderBody) (justice.Order, *problem.Error) {
	errs := map[string]string{}
	if _, ok := justice.OrderKinds.Label(b.Kind); !ok {
		errs["kind"] = "Choose the kind of order: " + strings.Join(justice.OrderKinds.Values(), ", ")
	}
	switch {
	case strings.TrimSpace(b.Conditions) == "":
		errs["conditions"] = "Enter the conditions that protect the victim"
	case len(b.Conditions) > 4000:
		errs["conditions"] = "The conditions must be 4,000 characters or fewer"
	}
	if len(b.Court) > 200 {
		errs["court"] = "The court must be 200 characters or fewer"
	}
	if len(b.Reference) > 100 {
		errs["reference"] = "The reference must be 100 characters or fewer"
	}
	starts, perr := parseDay("starts_on", b.StartsOn)
	mergeFields(errs, perr)
	if b.StartsOn == "" {
		errs["starts_on"] = "Enter the date the order starts"
	}
	ends, perr := parseDay("ends_on", b.EndsOn)
	mergeFields(errs, perr)
	if !ends.IsZero() && !starts.IsZero() && ends.Before(starts) {
		errs["ends_on"] = "The end date cannot be before the start date"
	}
	o := justice.Order{Kind: b.Kind, Conditions: justice.Conditions("", strings.TrimSpace(b.Conditions)), StartsOn: starts, EndsOn: ends, Court: b.Court, Reference: b.Reference}
	if len(errs) > 0 {
		return o, problem.Fields(errs)
	}
	return o, nil
}

// apiAddOrder records an order or bail on a referral.
func (s *Server) apiAddOrder(c echo.Context) error {
	var b orderBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	o, perr := newOrder(b)
	if perr != nil {
		return perr
	}
	o.ReferralID = c.Param("id")
	// The answer shows the conditions: the referral is released (and the
	// release audited) first, to the force only.
	v, err := s.forceRead(c, o.ReferralID)
	if err != nil {
		return err
	}
	o, err = s.DB.AddOrder(c.Request().Context(), o, principal(c))
	if err != nil {
		return err
	}
	hist := []justice.OrderChange{{Change: "granted", At: s.Now().UTC(), EndsOn: dateOrEmpty(o.EndsOn)}}
	c.Response().Header().Set("Location", "/api/v1/orders/"+o.ID)
	c.Response().Header().Set("ETag", store.ETag(o.Version))
	return answer(c, http.StatusCreated, s.orderOut(v, o, hist))
}

// orderOut is an order in the API: as the orders section holds it, its
// conditions and reasons opened by v, the View of its referral, plus the
// referral it belongs to.
func (s *Server) orderOut(v sharing.View, o justice.Order, hist []justice.OrderChange) jsonObject {
	return jsonObject{"referral": o.ReferralID, "etag": store.ETag(o.Version), "order": store.OrderJSON(o, hist, s.Now(), openedBy(v))}
}

// openedBy opens free text through v: the text where v releases it,
// nothing where it does not.
func openedBy(v sharing.View) func(sealed.Text) string {
	return func(t sealed.Text) string {
		text, _ := v.Text(t)
		return text
	}
}

// orderRead loads an order and releases its referral to the force (404 to
// anyone else), the release audited before anything is shown.
func (s *Server) orderRead(c echo.Context, id string) (sharing.View, justice.Order, []justice.OrderChange, error) {
	o, hist, err := s.DB.Order(c.Request().Context(), id)
	if err != nil {
		return sharing.View{}, o, nil, err
	}
	v, err := s.forceRead(c, o.ReferralID)
	return v, o, hist, err
}

// apiGetOrder answers one order with its history and ETag. The order is
// part of its referral: reading it is a release of the referral to the
// force, decided and audited as every read is.
func (s *Server) apiGetOrder(c echo.Context) error {
	v, o, hist, err := s.orderRead(c, c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", store.ETag(o.Version))
	return answer(c, http.StatusOK, s.orderOut(v, o, hist))
}

type orderChangeBody struct {
	Action       string  `json:"action"`
	Conditions   *string `json:"conditions"`
	Court        *string `json:"court"`
	Reference    *string `json:"reference"`
	EndsOn       *string `json:"ends_on"`
	DischargedOn *string `json:"discharged_on"`
	Reason       string  `json:"reason"`
}

// orderActions are the changes PATCH /orders/{id} makes, with the word the
// history records.
var orderActions = map[string]string{"vary": "varied", "extend": "extended", "discharge": "discharged"}

// apiChangeOrder varies, extends or discharges an order, with a reason.
func (s *Server) apiChangeOrder(c echo.Context) error {
	h := c.Request().Header.Get("If-Match")
	if h == "" {
		return problem.New(problem.NoIfMatch, "send If-Match with the order's ETag")
	}
	ifMatch, err := parseIfMatch(h)
	if err != nil {
		return err
	}
	var b orderChangeBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	change, apply, perr := s.orderChange(b)
	if perr != nil {
		return perr
	}
	v, _, _, err := s.orderRead(c, c.Param("id"))
	if err != nil {
		return err
	}
	o, err := s.DB.ChangeOrder(c.Request().Context(), justice.OrderUpdate{ID: c.Param("id"), IfMatch: ifMatch, Change: change, Apply: apply,
		Reason: justice.ChangeReason("", strings.TrimSpace(b.Reason)), Actor: principal(c)})
	if err != nil {
		return err
	}
	_, hist, err := s.DB.Order(c.Request().Context(), o.ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", store.ETag(o.Version))
	return answer(c, http.StatusOK, s.orderOut(v, o, hist))
}

// orderChange checks a change and returns what it does to the order; the
// checks that need the order as stored run inside the store's transaction.
func (s *Server) orderChange(b orderChangeBody) (string, func(*justice.Order) error, *problem.Error) {
	errs := map[string]string{}
	change, ok := orderActions[b.Action]
	if !ok {
		errs["action"] = "action must be vary, extend or discharge"
	}
	if strings.TrimSpace(b.Reason) == "" {
		errs["reason"] = "Say why the order changed"
	} else if len(b.Reason) > 2000 {
		errs["reason"] = "The reason must be 2,000 characters or fewer"
	}
	var ends, discharged time.Time
	switch b.Action {
	case "vary":
		if b.Conditions == nil && b.Court == nil && b.Reference == nil && b.EndsOn == nil {
			errs["conditions"] = "Give the varied conditions, court, reference or end date"
		}
		if b.Conditions != nil && strings.TrimSpace(*b.Conditions) == "" {
			errs["conditions"] = "Enter the conditions that protect the victim"
		}
	case "extend":
		if b.EndsOn == nil || *b.EndsOn == "" {
			errs["ends_on"] = "Enter the new end date"
		}
	case "discharge":
		discharged = s.today()
		if b.DischargedOn != nil && *b.DischargedOn != "" {
			d, perr := parseDay("discharged_on", *b.DischargedOn)
			mergeFields(errs, perr)
			if perr == nil {
				discharged = d
			}
		}
		if discharged.After(s.today()) {
			errs["discharged_on"] = "The discharge date cannot be in the future"
		}
	}
	if b.EndsOn != nil && *b.EndsOn != "" {
		d, perr := parseDay("ends_on", *b.EndsOn)
		mergeFields(errs, perr)
		ends = d
	}
	if len(errs) > 0 {
		return "", nil, problem.Fields(errs)
	}
	apply := func(o *justice.Order) error {
		switch b.Action {
		case "extend":
			if !o.EndsOn.IsZero() && !ends.After(o.EndsOn) {
				return problem.Invalidf("ends_on", "An extension must end after %s", o.EndsOn.Format(time.DateOnly))
			}
			o.EndsOn = ends
		case "discharge":
			if discharged.Before(o.StartsOn) {
				return problem.Invalidf("discharged_on", "The discharge date cannot be before the order started")
			}
			o.DischargedOn = discharged
		case "vary":
			if b.Conditions != nil {
				o.Conditions = justice.Conditions(o.ReferralID, strings.TrimSpace(*b.Conditions))
			}
			if b.Court != nil {
				o.Court = *b.Court
			}
			if b.Reference != nil {
				o.Reference = *b.Reference
			}
			if b.EndsOn != nil {
				o.EndsOn = ends
			}
		}
		if !o.EndsOn.IsZero() && o.EndsOn.Before(o.StartsOn) {
			return problem.Invalidf("ends_on", "The end date cannot be before the start date")
		}
		return nil
	}
	return change, apply, nil
}

type breachBody struct {
	OccurredOn string `json:"occurred_on"`
	Summary    string `json:"summary"`
}

// newBreach checks a breach as an officer entered it.
func newBreach(b breachBody) (justice.Breach, *problem.Error) {
	errs := map[string]string{}
	on, perr := parseDay("occurred_on", b.OccurredOn)
	mergeFields(errs, perr)
	if b.OccurredOn == "" {
		errs["occurred_on"] = "Enter the date of the breach"
	}
	switch {
	case strings.TrimSpace(b.Summary) == "":
		errs["summary"] = "Say what happened"
	case len(b.Summary) > 4000:
		errs["summary"] = "The summary must be 4,000 characters or fewer"
	}
	if len(errs) > 0 {
		return justice.Breach{}, problem.Fields(errs)
	}
	return justice.Breach{OccurredOn: on, Summary: justice.BreachSummary("", strings.TrimSpace(b.Summary))}, nil
}

// newReferralForBreach is the page that offers the officer a new referral
// prefilled for a breach: a breach is a new offence, linked to the pattern
// it continues.
func newReferralForBreach(referralID, orderID string) string {
	return "/referrals/" + url.PathEscape(referralID) + "?done=breach&order=" + url.QueryEscape(orderID) + "#orders"
}

// apiRecordBreach records a breach of an order: an incident of the
// referral, on its timeline, told to the receiving agencies.
func (s *Server) apiRecordBreach(c echo.Context) error {
	var body breachBody
	if err := decodeStrict(c, &body); err != nil {
		return err
	}
	b, perr := newBreach(body)
	if perr != nil {
		return perr
	}
	b.OrderID = c.Param("id")
	v, _, _, err := s.orderRead(c, b.OrderID)
	if err != nil {
		return err
	}
	b, err = s.DB.RecordBreach(c.Request().Context(), b, s.today(), principal(c))
	if err != nil {
		return err
	}
	summary, _ := v.Text(b.Summary)
	return answer(c, http.StatusCreated, jsonObject{
		"id": b.ID, "order": b.OrderID, "referral": b.ReferralID, "occurred_on": b.OccurredOn.Format(time.DateOnly), "summary": summary,
		"incidents":    map[string]any{"count": b.Incidents.Count, "first": b.Incidents.First, "last": b.Incidents.Last},
		"new_referral": map[string]any{"offence": "breach_of_order", "linked_to": b.ReferralID, "form": newReferralForBreach(b.ReferralID, b.OrderID)},
	})
}

// apiOrdersEnding lists orders and bail ending within a number of days:
// the officer's own referrals, the whole force's for a supervisor.
func (s *Server) apiOrdersEnding(c echo.Context) error {
	days := justice.FirstNotice
	if w := c.QueryParam("ending_within"); w != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(w, "d"))
		if err != nil || !strings.HasSuffix(w, "d") || n < 0 || n > 366 {
			return problem.Invalidf("ending_within", "ending_within must be a number of days such as 28d, at most 366d")
		}
		days = n
	}
	list, err := s.DB.OrdersEnding(c.Request().Context(), s.ownOrTeam(c), s.today(), days)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, e := range list {
		out = append(out, map[string]any{"id": e.ID, "referral": e.ReferralID, "reference": e.Reference, "kind": e.Kind,
			"ends_on": e.EndsOn.Format(time.DateOnly), "days_left": e.DaysLeft})
	}
	return answer(c, http.StatusOK, jsonObject{"ending_within_days": days, "orders": out})
}

// forceRead releases referral id to the caller, writing the release to
// the audit log, and returns the View through which its free text opens.
// It refuses (404, as for a referral that does not exist) anyone but the
// force that raised it, and an officer shown a restricted referral's
// metadata only (who breaks glass on the referral to read it).
func (s *Server) forceRead(c echo.Context, id string) (sharing.View, error) {
	v, err := s.release(c, id, agency.Referral)
	if err != nil {
		return sharing.View{}, err
	}
	if v.Agency() != agency.Police || v.Restricted() {
		return sharing.View{}, referral.NotFound()
	}
	return v, nil
}

// ownOrTeam is the officer whose referrals a police reader's lists cover:
// their own, or everyone's (empty) for a supervisor.
func (s *Server) ownOrTeam(c echo.Context) string {
	p := principal(c)
	if p.Has(identity.Supervisor) {
		return ""
	}
	return p.Subject
}

type victimUpdateBody struct {
	Event   string `json:"event"`
	EventOn string `json:"event_on"`
}

// apiAddVictimUpdate records a decision or event the victim must be told of.
func (s *Server) apiAddVictimUpdate(c echo.Context) error {
	var b victimUpdateBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	u, perr := s.newVictimUpdate(b)
	if perr != nil {
		return perr
	}
	u.ReferralID = c.Param("id")
	v, err := s.forceRead(c, u.ReferralID)
	if err != nil {
		return err
	}
	u, err = s.DB.AddVictimUpdate(c.Request().Context(), u, s.calendar, principal(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", store.ETag(u.Version))
	return answer(c, http.StatusCreated, s.victimUpdateJSON(u, openedBy(v)(u.Note)))
}

func (s *Server) newVictimUpdate(b victimUpdateBody) (justice.Update, *problem.Error) {
	errs := map[string]string{}
	if _, ok := justice.Events.Label(b.Event); !ok {
		errs["event"] = "Choose the event: " + strings.Join(justice.Events.Values(), ", ")
	}
	on, perr := parseDay("event_on", b.EventOn)
	mergeFields(errs, perr)
	switch {
	case b.EventOn == "":
		errs["event_on"] = "Enter the date of the event"
	case on.After(s.today()):
		errs["event_on"] = "The event date cannot be in the future"
	}
	if len(errs) > 0 {
		return justice.Update{}, problem.Fields(errs)
	}
	return justice.Update{Event: b.Event, EventOn: on}, nil
}

// victimUpdateJSON is one update in the API, with its note as the View of
// its referral released it.
func (s *Server) victimUpdateJSON(u justice.Update, note string) jsonObject {
	return jsonObject{"id": u.ID, "referral": u.ReferralID, "reference": u.Reference, "event": u.Event, "event_on": u.EventOn.Format(time.DateOnly),
		"due_by": u.DueBy.Format(time.DateOnly), "enhanced": u.Enhanced, "told_on": dateOrEmpty(u.ToldOn), "method": u.Method, "note": note,
		"overdue": justice.Overdue(u.DueBy, u.ToldOn, s.today()), "etag": store.ETag(u.Version)}
}

// victimUpdatesJSON lists updates, each note opened by open.
func (s *Server) victimUpdatesJSON(us []justice.Update, open func(sealed.Text) (string, error)) (jsonObject, error) {
	out := []jsonObject{}
	for _, u := range us {
		note, err := open(u.Note)
		if err != nil {
			return nil, err
		}
		out = append(out, s.victimUpdateJSON(u, note))
	}
	return jsonObject{"victim_updates": out}, nil
}

// apiReferralVictimUpdates lists a referral's updates, notes included:
// a read of the referral, released and audited.
func (s *Server) apiReferralVictimUpdates(c echo.Context) error {
	v, err := s.forceRead(c, c.Param("id"))
	if err != nil {
		return err
	}
	us, err := s.DB.VictimUpdates(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	open := openedBy(v)
	out, err := s.victimUpdatesJSON(us, func(t sealed.Text) (string, error) { return open(t), nil })
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, out)
}

// apiVictimUpdates lists the updates overdue (overdue=true, the only list
// it keeps) for the officer, or for a supervisor's whole team.
func (s *Server) apiVictimUpdates(c echo.Context) error {
	if c.QueryParam("overdue") != "true" {
		return problem.Invalidf("overdue", "ask for overdue=true: the list is of updates the victim is owed and has not had")
	}
	us, err := s.DB.OverdueVictimUpdates(c.Request().Context(), s.ownOrTeam(c), s.today())
	if err != nil {
		return err
	}
	out, err := s.victimUpdatesJSON(us, s.texts(c, agency.Referral).note)
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, out)
}

type tellBody struct {
	ToldOn string `json:"told_on"`
	Method string `json:"method"`
	Note   string `json:"note"`
}

// apiTellVictimUpdate marks an update told: when, how, and a note.
func (s *Server) apiTellVictimUpdate(c echo.Context) error {
	var b tellBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	ifMatch, err := parseIfMatch(c.Request().Header.Get("If-Match"))
	if err != nil {
		return err
	}
	u, perr := s.newTelling(b)
	if perr != nil {
		return perr
	}
	u.ID = c.Param("id")
	referralID, err := s.DB.VictimUpdateReferral(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	v, err := s.forceRead(c, referralID)
	if err != nil {
		return err
	}
	u, err = s.DB.TellVictimUpdate(c.Request().Context(), u, ifMatch, principal(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", store.ETag(u.Version))
	return answer(c, http.StatusOK, s.victimUpdateJSON(u, openedBy(v)(u.Note)))
}

func (s *Server) newTelling(b tellBody) (justice.Update, *problem.Error) {
	errs := map[string]string{}
	on, perr := parseDay("told_on", b.ToldOn)
	mergeFields(errs, perr)
	switch {
	case b.ToldOn == "":
		errs["told_on"] = "Enter the date the victim was told"
	case on.After(s.today()):
		errs["told_on"] = "The date told cannot be in the future"
	}
	if _, ok := justice.TellMethods.Label(b.Method); !ok {
		errs["method"] = "Choose how the victim was told: " + strings.Join(justice.TellMethods.Values(), ", ")
	}
	if len(b.Note) > 2000 {
		errs["note"] = "The note must be 2,000 characters or fewer"
	}
	if len(errs) > 0 {
		return justice.Update{}, problem.Fields(errs)
	}
	return justice.Update{ToldOn: on, Method: b.Method, Note: justice.Note("", strings.TrimSpace(b.Note))}, nil
}

type outcomeBody struct {
	Outcome   string `json:"outcome"`
	DecidedOn string `json:"decided_on"`
}

// apiSetOutcome records the criminal-justice outcome of a referral.
func (s *Server) apiSetOutcome(c echo.Context) error {
	var b outcomeBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	errs := map[string]string{}
	if _, ok := justice.Outcomes.Label(b.Outcome); !ok {
		errs["outcome"] = "Choose the outcome: " + strings.Join(justice.Outcomes.Values(), ", ")
	}
	on, perr := parseDay("decided_on", b.DecidedOn)
	mergeFields(errs, perr)
	switch {
	case b.DecidedOn == "":
		errs["decided_on"] = "Enter the date of the decision"
	case on.After(s.today()):
		errs["decided_on"] = "The decision date cannot be in the future"
	}
	if len(errs) > 0 {
		return problem.Fields(errs)
	}
	if err := s.DB.SetOutcome(c.Request().Context(), c.Param("id"), b.Outcome, on, principal(c)); err != nil {
		return err
	}
	return answer(c, http.StatusCreated, jsonObject{"referral": c.Param("id"), "outcome": b.Outcome, "decided_on": b.DecidedOn})
}

// justiceJSON is the criminal-justice side of a referral as the force sees it.
type justiceJSON struct {
	VictimCode struct {
		Enhanced bool   `json:"enhanced"`
		Reason   string `json:"reason,omitempty"`
	} `json:"victim_code"`
	Outcome   string `json:"outcome,omitempty"`
	DecidedOn string `json:"decided_on,omitempty"`
}

// referralJustice reads the Victims' Code rights and outcome of a referral.
func (s *Server) referralJustice(c echo.Context, id string) (*justiceJSON, error) {
	j, err := s.DB.ReferralJustice(c.Request().Context(), id)
	if err != nil {
		if problem.CodeOf(err) == problem.NotFound {
			return nil, referral.NotFound()
		}
		return nil, err
	}
	out := &justiceJSON{Outcome: j.Outcome, DecidedOn: dateOrEmpty(j.OutcomeOn)}
	out.VictimCode.Enhanced, out.VictimCode.Reason = j.Enhanced, j.EnhancedReason
	return out, nil
}

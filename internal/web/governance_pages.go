package web

import (
	"github.com/stalking-hub/hub/internal/marac"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/vocab"
)

// The pages of information governance: a referral's consent history and
// the recording of a new decision, requests to share without consent and a
// supervisor's decision on them, and the audit log for auditors and for the
// people responsible for a referral. The rules are the API's: these pages
// call the same helpers (newConsent, newOverride, decideOverride, readAudit).

// referralAuditReaders may read one referral's audit trail; the handler
// narrows officers to the referral's own.
var referralAuditReaders = []identity.Role{identity.Officer, identity.Supervisor, identity.Auditor}

// governanceRoutes are the routes of these pages.
func (s *Server) governanceRoutes() []Route {
	return []Route{
		governancePage(http.MethodGet, "/referrals/:id/consent", officer, s.consentPage),
		governancePage(http.MethodPost, "/referrals/:id/consent", officer, s.recordConsent),
		governancePage(http.MethodGet, "/referrals/:id/overrides/new", officer, s.newOverridePage),
		governancePage(http.MethodPost, "/referrals/:id/overrides", officer, s.requestOverride),
		governancePage(http.MethodGet, "/overrides", supervisor, s.overridesPage),
		governancePage(http.MethodGet, "/overrides/:id", supervisor, s.overridePage),
		governancePage(http.MethodPost, "/overrides/:id/decision", supervisor, s.decideOverridePage),
		governancePage(http.MethodGet, "/audit", auditor, s.auditPage),
		governancePage(http.MethodGet, "/referrals/:id/audit", referralAuditReaders, s.referralAuditPage),
	}
}

// governancePage is a browser route for roles; a POST checks the form's CSRF token.
func governancePage(method, path string, roles []identity.Role, h echo.HandlerFunc) Route {
	return Route{Method: method, Path: path, Access: Roles, Roles: roles, CSRF: method == http.MethodPost, Handler: h}
}

// basisLabel is the plain-English name of a lawful basis; one that
// configuration adds without words in the registry is shown by its id.
func basisLabel(basis string) string { return vocab.LawfulBases.Words(basis) }

// actionLabels say what an audit entry records, for people.
var actionLabels = map[audit.Action]string{
	audit.Release:            "Read the record",
	audit.ReleaseRefused:     "Refused: not found or not visible",
	audit.SignIn:             "Signed in",
	audit.SignOut:            "Signed out",
	audit.MembershipGranted:  "Gave a role",
	audit.MembershipRevoked:  "Took a role away",
	audit.RoleRequested:      "Asked for a role to be given; a second administrator decides",
	audit.ReferralCreated:    "Raised and sent the referral",
	audit.ConsentRecorded:    "Recorded a consent decision",
	audit.OverrideRequested:  "Asked to share without consent",
	audit.OverrideDecided:    "Decided on sharing without consent",
	audit.ShareStatusChanged: "Changed an agency's status",
	audit.Export:             "Exported records",
	audit.MARACPapers:        "Produced MARAC papers",
	audit.AuditRead:          "Read the audit log",
	audit.ReportRead:         "Read the outcome figures",
	audit.RestrictionChanged: "Changed who may read a restricted referral",
	audit.ReferralAmended:    "Updated a sent referral",
	audit.RiskReassessed:     "Re-assessed a referral's risk",
	audit.MARACCaseAdded:     "Put the referral on a MARAC agenda",
	audit.MARACResearch:      "Gave research for a MARAC case",
	audit.MARACAcknowledged:  "Acknowledged a MARAC meeting's confidentiality",
	audit.MARACActionAgreed:  "Agreed a MARAC action",
	audit.MARACActionUpdated: "Updated a MARAC action",
	audit.MARACCaseChanged:   "Changed or removed a MARAC case",
	audit.WebhookRegistered:  "Registered a partner system's webhook",
	audit.WebhookRemoved:     "Removed a webhook",
	audit.WebhookResumed:     "Resumed a paused webhook",
	audit.NoticeResent:       "Queued a failed notification again",
}

func actionLabel(a audit.Action) string {
	if l, ok := actionLabels[a]; ok {
		return l
	}
	return strings.ReplaceAll(string(a), "_", " ")
}

// formChoice is one radio button or checkbox. The first of a group has the
// group's name as its id, so that the error summary's link lands on it.
type formChoice struct {
	ID, Name, Value, Label, Hint string
	Checked                      bool
}

// choiceGroup is a set of choices with its legend, hint and error, as the
// governance-checkboxes and governance-radios partials draw it.
type choiceGroup struct {
	Name, Legend, Hint, Error string
	Items                     []formChoice
}

// choices builds a group of radios or checkboxes named name.
func choices(name string, values, labels []string, checked []string) []formChoice {
	out := make([]formChoice, len(values))
	for i, v := range values {
		id := name
		if i > 0 {
			id = name + "-" + v
		}
		out[i] = formChoice{ID: id, Name: name, Value: v, Label: labels[i], Checked: slices.Contains(checked, v)}
	}
	return out
}

// termChoices are a vocabulary's terms as one group's choices, with their hints.
func termChoices(name string, l vocab.List, checked []string) []formChoice {
	out := choices(name, l.Values(), l.Labels(), checked)
	for i := range out {
		out[i].Hint = l[i].Hint
	}
	return out
}

// pageFieldErrors turns the field names of a validation problem into the
// ids of the page's fields: agencies[1] is the agencies checkboxes (the
// first message of the group stands), and a date links to its day box.
func pageFieldErrors(fields map[string]string, dates ...string) map[string]string {
	out := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		v := fields[k]
		if i := strings.IndexByte(k, '['); i >= 0 {
			k = k[:i]
		}
		if slices.Contains(dates, k) {
			k += "-day"
		}
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	return out
}

// recipientChoices are checkboxes of the agencies a referral went to.
func (s *Server) recipientChoices(name string, shares []string, checked []string) []formChoice {
	labels := make([]string, len(shares))
	for i, id := range shares {
		labels[i] = s.agencyTitle(id)
	}
	return choices(name, shares, labels, checked)
}

func categoryBoxes(checked []string) []formChoice {
	var values, labels []string
	for _, c := range category.All() {
		values, labels = append(values, c.String()), append(labels, c.Title())
	}
	return choices("categories", values, labels, checked)
}

func (s *Server) agencyTitle(id string) string {
	if a, ok := s.Agencies.Get(id); ok {
		return a.Name
	}
	return id
}

func (s *Server) agencyTitles(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.agencyTitle(id))
	}
	return out
}

func categoryTitles(set category.Set) []string {
	var out []string
	for _, c := range set.List() {
		out = append(out, c.Title())
	}
	return out
}

// categoryNameTitles turns category names, as an audit entry holds them, into titles.
func categoryNameTitles(names []string) []string {
	var out []string
	for _, n := range names {
		if c, err := category.Parse(n); err == nil {
			out = append(out, c.Title())
		} else {
			out = append(out, n)
		}
	}
	return out
}

// personOf shows a subject ("issuer|sub") by its subject at the issuer.
func personOf(subject string) string {
	if i := strings.LastIndexByte(subject, '|'); i >= 0 && i+1 < len(subject) {
		return subject[i+1:]
	}
	return subject
}

// stamp is a moment as a page shows it, UK time with GMT or BST, with its
// machine form.
type stamp struct{ Text, ISO string }

func stampOf(t time.Time) stamp {
	if t.IsZero() {
		return stamp{}
	}
	return stamp{Text: whenText(t), ISO: t.UTC().Format(time.RFC3339)}
}

func longDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 January 2006")
}

// recipientsOf lists the agencies a referral was sent to.
func recipientsOf(shares []referral.Share) []string {
	out := make([]string, 0, len(shares))
	for _, sh := range shares {
		out = append(out, sh.Agency)
	}
	return out
}

// consentRow is one record of a consent history.
type consentRow struct {
	Decision   consent.Decision
	Label      string
	Current    bool
	Lapsed     bool // consent given whose review date has come: it covers nothing now
	Reason     string
	Agencies   []string
	Categories []string
	Method     string
	ObtainedOn string
	ReviewOn   string
	RecordedBy string
	RecordedAt stamp
}

// overrideRow is a request to share without consent as the pages show it.
type overrideRow struct {
	ID         string
	ReferralID string
	Reference  string
	Basis      string
	BasisLabel string
	Rationale  string
	// RationaleWithheld says why the rationale is not shown; empty when it is.
	RationaleWithheld string
	Agencies          []string
	Categories        []string
	Until             string
	Status            consent.OverrideStatus
	StatusLabel       string
	RequestedBy       string
	RequestedAt       stamp
	DecidedBy         string
	DecidedAt         stamp
	Note              string
}

// overrideRowOf is a request as a page shows it, its rationale (free text
// about the victim) as tx releases it.
func (s *Server) overrideRowOf(o consent.Override, referralID, reference string, tx *texts) (overrideRow, error) {
	rationale, err := tx.release(o.Rationale)
	return overrideRow{ID: o.ID, ReferralID: referralID, Reference: reference, Basis: o.Basis, BasisLabel: basisLabel(o.Basis),
		Rationale: rationale.Text, RationaleWithheld: rationale.Withheld, Agencies: s.agencyTitles(o.Agencies), Categories: categoryTitles(o.Categories), Until: longDate(o.Until),
		Status: o.Status, StatusLabel: vocab.OverrideStatuses.Words(string(o.Status)), RequestedBy: s.personName(o.RequestedBy, o.RequestedAt), RequestedAt: stampOf(o.RequestedAt),
		DecidedBy: s.personName(o.DecidedBy, o.DecidedAt), DecidedAt: stampOf(o.DecidedAt), Note: o.Note}, err
}

// consentForm is the consent form as the officer filled it in.
type consentForm struct {
	Decision, Reason, Method string
	Agencies, Categories     []string
	Obtained, Review         typedDate
}

type consentPageData struct {
	ReferralID string
	Reference  string
	History    []consentRow // newest first
	Requests   []overrideRow
	Decisions  []formChoice
	Agencies   choiceGroup
	Categories choiceGroup
	Methods    choiceGroup
	Reason     string
	Obtained   dateField
	Review     dateField
	Errors     map[string]string
	Done       string // what was just recorded, for the success banner
}

// consentPage shows a referral's consent history, and the requests to share
// without consent, with the form to record a new decision.
func (s *Server) consentPage(c echo.Context) error {
	return s.renderConsent(c, http.StatusOK, consentForm{}, nil)
}

// renderConsent draws the consent page. The referral is opened through the
// release path, so that the officer's view of it is recorded like any other.
func (s *Server) renderConsent(c echo.Context, status int, f consentForm, errs map[string]string) error {
	id := c.Param("id")
	v, err := s.release(c, id, agency.Referral)
	if err != nil {
		return err
	}
	// The history comes from the View, which holds it for the originating
	// force only: nothing is loaded again after the release.
	consents, overrides := v.Consents(), v.Overrides()
	d := consentPageData{ReferralID: id, Reference: v.Reference(), Reason: f.Reason, Errors: errs}
	switch c.QueryParam("done") {
	case "consent":
		d.Done = "The consent decision is recorded."
	case "request":
		d.Done = "Your request to share without consent is sent to a supervisor to decide."
	}
	current, _ := consent.Current(consents)
	now := s.Now()
	for i := len(consents) - 1; i >= 0; i-- {
		h := consents[i]
		d.History = append(d.History, consentRow{Decision: h.Decision, Label: vocab.ConsentDecisions.Words(string(h.Decision)), Current: h.ID == current.ID,
			Lapsed: h.Decision == consent.Given && !now.Before(h.ReviewOn),
			Reason: h.Reason, Agencies: s.agencyTitles(h.Agencies), Categories: categoryTitles(h.Categories), Method: vocab.ConsentMethods.Words(string(h.Method)),
			ObtainedOn: longDate(h.ObtainedOn), ReviewOn: longDate(h.ReviewOn), RecordedBy: s.personName(h.RecordedBy, h.RecordedAt), RecordedAt: stampOf(h.RecordedAt)})
	}
	tx := s.texts(c, agency.Referral)
	tx.with(v)
	for i := len(overrides) - 1; i >= 0; i-- {
		row, err := s.overrideRowOf(overrides[i], id, v.Reference(), tx)
		if err != nil {
			return err
		}
		d.Requests = append(d.Requests, row)
	}
	d.Decisions = termChoices("decision", vocab.ConsentDecisions, []string{f.Decision})
	d.Methods = choiceGroup{Name: "method", Legend: "How was consent given?", Error: errs["method"], Items: termChoices("method", vocab.ConsentMethods, []string{f.Method})}
	d.Agencies = choiceGroup{Name: "agencies", Legend: "Which agencies does it cover?", Hint: "The agencies this referral was sent to. Select all that apply.",
		Error: errs["agencies"], Items: s.recipientChoices("agencies", recipientsOf(v.Shares()), f.Agencies)}
	d.Categories = choiceGroup{Name: "categories", Legend: "Which kinds of information does it cover?", Hint: "Each agency still receives only what its information-sharing agreement allows.",
		Error: errs["categories"], Items: categoryBoxes(f.Categories)}
	d.Obtained = dateField{ID: "obtained_on", Legend: "When did the person answer?", Hint: "The day the person gave, refused or withdrew consent. For example, 21 11 2026. Not needed when consent was not sought.",
		typedDate: f.Obtained, Error: errs["obtained_on-day"]}
	d.Review = dateField{ID: "review_on", Legend: "When must the consent be reviewed?", Hint: "Consent ends at the start of this day. For example, 21 5 2027.",
		typedDate: f.Review, Error: errs["review_on-day"]}
	return s.render(c, status, "consent", d)
}

// recordConsent records the officer's new consent decision, or shows the
// form again with what is wrong.
func (s *Server) recordConsent(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return problem.New(problem.Malformed, "the form could not be read")
	}
	f := consentForm{Decision: form.Get("decision"), Reason: strings.TrimSpace(form.Get("reason")), Method: form.Get("method"),
		Agencies: form["agencies"], Categories: form["categories"], Obtained: typedDateOf(form, "obtained_on"), Review: typedDateOf(form, "review_on")}
	errs := map[string]string{}
	b := consentBody{Decision: f.Decision}
	var msg string
	if b.ObtainedOn, msg = f.Obtained.iso("The date the person answered"); msg != "" {
		errs["obtained_on"] = msg
	}
	// The scope, method and review date belong to consent given, the reason
	// to consent not sought; what else the form holds is not recorded.
	switch consent.Decision(f.Decision) {
	case consent.Given:
		b.Agencies, b.Categories, b.Method = f.Agencies, f.Categories, f.Method
		if b.ReviewOn, msg = f.Review.iso("The review date"); msg != "" {
			errs["review_on"] = msg
		}
	case consent.NotSought:
		b.Reason = f.Reason
	}
	rec, perr := s.newConsent(b)
	mergeFields(errs, perr)
	if len(errs) > 0 {
		return s.renderConsent(c, http.StatusUnprocessableEntity, f, pageFieldErrors(errs, "obtained_on", "review_on"))
	}
	id := c.Param("id")
	if _, err := s.DB.AddConsent(c.Request().Context(), id, rec, principal(c)); err != nil {
		return err
	}
	s.log.Info("consent recorded", append(logAttrs(c), "referral", id, "decision", string(rec.Decision))...)
	return c.Redirect(http.StatusSeeOther, "/referrals/"+id+"/consent?done=consent")
}

// overrideForm is the request to share without consent as the officer filled it in.
type overrideForm struct {
	Basis, Rationale, RationaleCategory string
	Agencies, Categories                []string
	Until                               typedDate
}

type newOverrideData struct {
	ReferralID string
	Reference  string
	Bases      choiceGroup
	Rationale  string
	Agencies   choiceGroup
	Categories choiceGroup
	Until      dateField
	Errors     map[string]string
	// RationaleCategory is the choice of the kind of information the
	// rationale holds.
	RationaleCategory textCategoryField
}

// newOverridePage is the form to ask a supervisor to share without consent.
func (s *Server) newOverridePage(c echo.Context) error {
	return s.renderNewOverride(c, http.StatusOK, overrideForm{}, nil)
}

func (s *Server) renderNewOverride(c echo.Context, status int, f overrideForm, errs map[string]string) error {
	id := c.Param("id")
	v, err := s.release(c, id, agency.Referral)
	if err != nil {
		return err
	}
	d := newOverrideData{ReferralID: id, Reference: v.Reference(), Rationale: f.Rationale, Errors: errs}
	force, _ := s.Agencies.Get(agency.Police)
	d.RationaleCategory = textCategory("rationale_category", "rationale_category", "What kind of information does the reason hold?", f.RationaleCategory,
		marac.Writer{Agency: agency.Police, Default: force.FreeText, HasDefault: force.HasFreeText}, errs)
	var labels []string
	for _, b := range s.Config.Sharing.LawfulBases {
		labels = append(labels, basisLabel(b))
	}
	d.Bases = choiceGroup{Name: "basis", Legend: "What is the lawful basis for sharing without consent?", Error: errs["basis"],
		Items: choices("basis", s.Config.Sharing.LawfulBases, labels, []string{f.Basis})}
	d.Agencies = choiceGroup{Name: "agencies", Legend: "Which agencies should receive it?", Hint: "The agencies this referral was sent to. Select all that apply.",
		Error: errs["agencies"], Items: s.recipientChoices("agencies", recipientsOf(v.Shares()), f.Agencies)}
	d.Categories = choiceGroup{Name: "categories", Legend: "Which kinds of information are necessary?", Hint: "Share only what each agency needs. Its information-sharing agreement still limits what it receives.",
		Error: errs["categories"], Items: categoryBoxes(f.Categories)}
	d.Until = dateField{ID: "until", Legend: "When should sharing without consent end?", Hint: "Nothing is shared on this request from the start of this day. For example, 1 2 2027.",
		typedDate: f.Until, Error: errs["until-day"]}
	return s.render(c, status, "override-new", d)
}

// requestOverride records the officer's request to share without consent;
// nothing is shared on it until a supervisor approves.
func (s *Server) requestOverride(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return problem.New(problem.Malformed, "the form could not be read")
	}
	f := overrideForm{Basis: form.Get("basis"), Rationale: strings.TrimSpace(form.Get("rationale")), RationaleCategory: form.Get("rationale_category"), Agencies: form["agencies"],
		Categories: form["categories"], Until: typedDateOf(form, "until")}
	errs := map[string]string{}
	b := overrideBody{Basis: f.Basis, Rationale: f.Rationale, RationaleCategory: f.RationaleCategory, Agencies: f.Agencies, Categories: f.Categories}
	var msg string
	if b.Until, msg = f.Until.iso("The end date"); msg != "" {
		errs["until"] = msg
	}
	o, perr := s.newOverride(b)
	mergeFields(errs, perr)
	if len(errs) > 0 {
		return s.renderNewOverride(c, http.StatusUnprocessableEntity, f, pageFieldErrors(errs, "until"))
	}
	id := c.Param("id")
	saved, err := s.DB.RequestOverride(c.Request().Context(), id, o, principal(c))
	if err != nil {
		return err
	}
	s.log.Info("override requested", append(logAttrs(c), "referral", id, "override", saved.ID)...)
	return c.Redirect(http.StatusSeeOther, "/referrals/"+id+"/consent?done=request#requests")
}

// overridesPage lists the requests to share without consent that wait for a supervisor.
func (s *Server) overridesPage(c echo.Context) error {
	pending, err := s.DB.PendingOverrides(c.Request().Context())
	if err != nil {
		return err
	}
	var rows []overrideRow
	tx := s.texts(c, agency.Referral)
	for _, o := range pending {
		row, err := s.overrideRowOf(o.Override, o.ReferralID, o.Reference, tx)
		if err != nil {
			return err
		}
		rows = append(rows, row)
	}
	return s.render(c, http.StatusOK, "overrides", overrideRows(rows))
}

// decisionForm is a supervisor's decision as filled in.
type decisionForm struct{ Decision, Note string }

type overrideData struct {
	Request overrideRow
	// Standing is what the supervisor may do now: decide, sign_in_again,
	// own (their own request) or decided.
	Standing string
	SignIn   string // where to sign in again, then come back
	Reauth   string // how recent a sign-in must be, in words
	Form     decisionForm
	Errors   map[string]string
}

// overridePage shows one request to share without consent, with the form to
// decide on it when the supervisor may.
func (s *Server) overridePage(c echo.Context) error {
	return s.renderOverride(c, http.StatusOK, decisionForm{}, nil)
}

// renderOverride draws a request and what the supervisor may do with it.
// consent.Decide is asked first, without storing anything, so that the page
// offers only what the decision itself would allow.
func (s *Server) renderOverride(c echo.Context, status int, f decisionForm, errs map[string]string) error {
	id := c.Param("id")
	ctx := c.Request().Context()
	o, referralID, err := s.DB.Override(ctx, id)
	if err != nil {
		return err
	}
	refs, err := s.DB.References(ctx, []string{referralID})
	if err != nil {
		return err
	}
	// The rationale is free text about the victim: the page is a read of the
	// referral, released and audited like any other.
	row, err := s.overrideRowOf(o, referralID, refs[referralID], s.texts(c, agency.Referral))
	if err != nil {
		return err
	}
	reauth := s.Config.Session.Reauth.Duration
	d := overrideData{Request: row, Standing: "decide", SignIn: reauthURL(id),
		Reauth: minutes(reauth), Form: f, Errors: errs}
	_, derr := consent.Decide(o, principal(c), true, "", s.Now(), reauth)
	switch problem.CodeOf(derr) {
	case problem.Conflict:
		d.Standing = "decided"
	case problem.Forbidden:
		d.Standing = "own"
	case problem.Unauthorized:
		d.Standing = "sign_in_again"
	}
	return s.render(c, status, "override", d)
}

// reauthURL sends a supervisor to sign in again, then back to the request.
func reauthURL(overrideID string) string {
	return "/signin?" + url.Values{"return_to": {"/overrides/" + overrideID}, "prompt": {"login"}}.Encode()
}

func minutes(d time.Duration) string {
	n := int(d.Round(time.Minute) / time.Minute)
	if n == 1 {
		return "1 minute"
	}
	return strconv.Itoa(n) + " minutes"
}

// decideOverridePage records a supervisor's decision. A sign-in older than
// the configured limit sends them to sign in again and back to the request.
func (s *Server) decideOverridePage(c echo.Context) error {
	id := c.Param("id")
	f := decisionForm{Decision: c.FormValue("decision"), Note: strings.TrimSpace(c.FormValue("note"))}
	errs := map[string]string{}
	if f.Decision != "approve" && f.Decision != "refuse" {
		errs["decision"] = "Choose whether to approve or refuse the request"
	} else {
		o, err := s.decideOverride(c, id, f.Decision == "approve", f.Note)
		if pe, ok := problem.As(err); ok && pe.Code == problem.Unauthorized && pe.Message == consent.SignInAgain {
			return c.Redirect(http.StatusSeeOther, reauthURL(id))
		}
		if pe, ok := problem.As(err); ok && pe.Code == problem.Invalid {
			errs = pe.Fields
		} else if err != nil {
			return err
		} else {
			s.log.Info("override decided", append(logAttrs(c), "override", id, "status", string(o.Status))...)
			return c.Redirect(http.StatusSeeOther, "/overrides/"+id)
		}
	}
	return s.renderOverride(c, http.StatusUnprocessableEntity, f, errs)
}

// auditRow is one audit entry as the audit pages show it.
type auditRow struct {
	Index       int64
	Time        stamp
	Actor       string // the subject, to search by
	Person      string
	ActorAgency string
	Action      string
	Record      string
	Reference   string
	Agencies    []string
	Purpose     string
	Shown       []string
	Withheld    []string
	Rules       []string
	Bases       []string
	Detail      string
}

// auditRows turns entries into rows, naming referrals by their reference.
func (s *Server) auditRows(c echo.Context, entries []audit.Entry) ([]auditRow, error) {
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.Record)
	}
	refs, err := s.DB.References(c.Request().Context(), ids)
	if err != nil {
		return nil, err
	}
	rows := make([]auditRow, 0, len(entries))
	for _, e := range entries {
		r := auditRow{Index: e.Index, Time: stampOf(e.Time), Actor: e.Actor, Person: s.personName(e.Actor, e.Time), ActorAgency: s.agencyTitleOrEmpty(e.ActorAgency),
			Action: actionLabel(e.Action), Record: e.Record, Reference: refs[e.Record], Purpose: e.Purpose,
			Shown: categoryNameTitles(e.Shown), Withheld: categoryNameTitles(e.Withheld), Rules: ruleWords(e.Rules), Detail: strings.ReplaceAll(e.Detail, "_", " ")}
		if e.Agency != "" {
			r.Agencies = s.agencyTitles(strings.Split(e.Agency, ","))
		}
		if e.Basis != "" {
			for _, b := range strings.Split(e.Basis, ",") {
				r.Bases = append(r.Bases, basisLabel(b))
			}
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func (s *Server) agencyTitleOrEmpty(id string) string {
	if id == "" {
		return ""
	}
	return s.agencyTitle(id)
}

// auditPageSize is how many entries a page of the audit log shows.
const auditPageSize = 50

type auditSearchData struct {
	Searched bool
	Referral string
	Actor    string
	From     dateField
	To       dateField
	Rows     []auditRow
	Next     string // the next page's address, "" on the last
	First    string // the first page's address, "" on the first
	Errors   map[string]string
}

// auditPage searches the audit log for auditors, by referral (id or
// reference), actor and dates. The search is recorded in the log before
// the results are shown.
func (s *Server) auditPage(c echo.Context) error {
	q := c.QueryParams()
	d := auditSearchData{Referral: strings.TrimSpace(q.Get("referral")), Actor: strings.TrimSpace(q.Get("actor"))}
	from, to := typedDateOf(q, "from"), typedDateOf(q, "to")
	d.From = dateField{ID: "from", Legend: "From", Hint: "For example, 1 11 2026", typedDate: from}
	d.To = dateField{ID: "to", Legend: "To", Hint: "Up to and including this day", typedDate: to}
	if len(q) == 0 {
		return s.render(c, http.StatusOK, "audit", d)
	}
	d.Searched = true
	errs := map[string]string{}
	// The search in the API's own terms, read by the API's own parser.
	api := url.Values{"actor": {d.Actor}, "cursor": {q.Get("cursor")}}
	if d.Referral != "" {
		id := d.Referral
		if strings.HasPrefix(strings.ToUpper(id), "SH-") {
			found, err := s.DB.ReferralIDByReference(c.Request().Context(), id)
			if problem.CodeOf(err) == problem.NotFound {
				errs["referral"] = "There is no referral with this reference"
			} else if err != nil {
				return err
			}
			id = found
		}
		api.Set("referral", id)
	}
	if v, m := from.iso("The start date"); m != "" {
		errs["from"] = m
	} else {
		api.Set("from", v)
	}
	if v, m := to.iso("The end date"); m != "" {
		errs["to"] = m
	} else {
		api.Set("to", v)
	}
	f, err := auditFilter(api)
	if pe, ok := problem.As(err); ok && pe.Code == problem.Invalid {
		mergeFields(errs, pe)
	} else if err != nil {
		return err
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		errs["to"] = "The end date must be the same as or after the start date"
	}
	if len(errs) > 0 {
		d.Errors = pageFieldErrors(errs, "from", "to")
		d.From.Error, d.To.Error = d.Errors["from-day"], d.Errors["to-day"]
		return s.render(c, http.StatusUnprocessableEntity, "audit", d)
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // up to and including the day
	}
	f.Limit = auditPageSize
	entries, next, err := s.readAudit(c, f)
	if err != nil {
		return err
	}
	if d.Rows, err = s.auditRows(c, entries); err != nil {
		return err
	}
	d.Next, d.First = pageLinks("/audit", q, next)
	return s.render(c, http.StatusOK, "audit", d)
}

// pageLinks are the addresses of the next page (when there is one) and of
// the first page (when this is not it), keeping the search.
func pageLinks(path string, q url.Values, next string) (string, string) {
	var nextURL, firstURL string
	if next != "" {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("cursor", next)
		nextURL = path + "?" + nq.Encode()
	}
	if q.Get("cursor") != "" {
		fq := url.Values{}
		for k, v := range q {
			if k != "cursor" {
				fq[k] = v
			}
		}
		firstURL = path
		if len(fq) > 0 {
			firstURL += "?" + fq.Encode()
		}
	}
	return nextURL, firstURL
}

type referralAuditData struct {
	ReferralID string
	Reference  string
	Releases   []auditRow // who saw what, and on what basis
	Others     []auditRow // everything else done to the record
	Next       string
	First      string
}

// referralAuditPage answers "who has seen this person's data, when, and on
// what basis" for the referral's own officer, supervisors and auditors;
// others get the same not-found as a referral that does not exist.
func (s *Server) referralAuditPage(c echo.Context) error {
	id := c.Param("id")
	reference, err := s.referralAuditReader(c, id)
	if err != nil {
		return err
	}
	f, err := auditFilter(url.Values{"cursor": {c.QueryParam("cursor")}})
	if err != nil {
		return err
	}
	f.Record, f.Limit = id, auditPageSize
	entries, next, err := s.readAudit(c, f)
	if err != nil {
		return err
	}
	rows, err := s.auditRows(c, entries)
	if err != nil {
		return err
	}
	d := referralAuditData{ReferralID: id, Reference: reference}
	for i, e := range entries {
		if e.Action == audit.Release {
			d.Releases = append(d.Releases, rows[i])
		} else {
			d.Others = append(d.Others, rows[i])
		}
	}
	d.Next, d.First = pageLinks("/referrals/"+id+"/audit", c.QueryParams(), next)
	return s.render(c, http.StatusOK, "audit-referral", d)
}

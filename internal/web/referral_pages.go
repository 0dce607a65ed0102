package web

import (
	"encoding/json"
	"fmt"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the hub shows times in UK time on any host

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/sharing"
	"github.com/stalking-hub/hub/internal/vocab"
)

// referralRoutes are the pages of referrals: raising one, reading one,
// answering it, and the lists that lead to them.
func (s *Server) referralRoutes() []Route {
	page := func(method, path string, roles []identity.Role, h echo.HandlerFunc) Route {
		return Route{Method: method, Path: path, Access: Roles, Roles: roles, CSRF: method == http.MethodPost, Handler: h}
	}
	police := []identity.Role{identity.Officer, identity.Supervisor}
	return []Route{
		page(http.MethodGet, "/referrals", police, s.policeReferrals),
		page(http.MethodGet, "/referrals/new", officer, s.newReferralPage),
		page(http.MethodPost, "/referrals/new", officer, s.startReferral),
		page(http.MethodGet, "/referrals/new/:draft/:step", officer, s.draftStepPage),
		page(http.MethodPost, "/referrals/new/:draft/:step", officer, s.draftStepSave),
		page(http.MethodPost, "/referrals/new/:draft/send", officer, s.sendDraft),
		page(http.MethodPost, "/referrals/new/:draft/delete", officer, s.deleteDraft),
		page(http.MethodGet, "/referrals/:id", everyRole, s.referralPage),
		page(http.MethodPost, "/referrals/:id/status", agencyStaff, s.referralStatus),
		page(http.MethodPost, "/referrals/:id/messages", []identity.Role{identity.Officer, identity.Supervisor, identity.AgencyStaff}, s.referralMessage),
		page(http.MethodGet, "/inbox", agencyStaff, s.inbox),
	}
}

// london is the time zone the hub's people work in.
var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}()

// whenText shows an instant as "21 November 2026 at 9:05am", UK time.
func whenText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(london).Format("2 January 2006 at 3:04pm MST")
}

// dayText shows the day of an instant, UK time.
func dayText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(london).Format("2 January 2006")
}

// referralPage is the referral as released to its reader, with what the
// reader may do on it. Everything in it comes from a sharing.View, the
// timeline and the threads: never from a referral.Referral.
type referralPage struct {
	ID, Reference string
	Offence       string
	Risk, RiskTag string
	SentAt        string
	Done          string // what was just done, for the success banner
	Attention     bool
	SafeContact   *safeContactPanel
	Sections      []sectionView
	Shares        []shareView
	Timeline      []eventView
	Threads       []threadView
	Police        bool
	Own           *shareView // the reader's agency's share
	StatusFields  []formField
	MessageFields []formField
	Summary       []fieldError
	Errors        map[string]string
	Links         []pageLink

	// The orders beside safe contact, and the force's Victims' Code panel.
	justiceParts
	// Restricted is true for an officer shown a restricted referral's
	// metadata only: the page offers the break-glass form instead.
	Restricted bool
	// BrokeGlass is true when the page was read on a break-glass reason.
	BrokeGlass bool
	// Restriction is the form to restrict the referral, for its officer and
	// supervisors; nil for anyone else.
	Restriction *restrictionForm
	// MessageCategory is the choice of the kind of information a message holds.
	MessageCategory textCategoryField
	// AddShareFields and WithdrawFields change who has the referral, for
	// its force's officers (shares_pages.go); empty for anyone else.
	AddShareFields, WithdrawFields []formField
}

// restrictionForm is whether a referral is restricted and who is named on it.
type restrictionForm struct {
	Restricted bool
	Officers   string // one a line
}

type safeContactPanel struct {
	Method       string
	OtherMethods []string // other ways the victim also accepts, in words
	Times        string
	Instructions []string
}

// sectionView is one category as released: its content, or why it is withheld.
type sectionView struct {
	ID, Title string
	Shown     bool
	Reason    string
	Rows      []answerRow
}

// shareView is one agency's part in a referral, for the shares table.
type shareView struct {
	Agency, Name        string
	Status, StatusLabel string
	Badge               string
	CodeLabel           string // the kind of reason for a decline, or of outcome for a close
	DueAt               string
	Overdue             bool
	AnsweredAt          string
	Texts               bool // the reader may read the share's free text
	Request             []string
	Reason              []string
	Outcome             []string
	Version             int
}

type eventView struct {
	Title, By, At, ISO, Detail string
}

type threadView struct {
	Agency, Name string
	Messages     []messageView
}

type messageView struct {
	From, At, ISO string
	Lines         []string
	Withheld      string // why the message is withheld from the reader; empty when shown
	Sent          bool   // written by the reader's side
}

type pageLink struct{ Title, Href, Hint string }

// pageOptions is what a POST hands back to the page it re-renders.
type pageOptions struct {
	status  int
	errs    map[string]string
	summary []fieldError
	form    map[string][]string
}

// referralPage shows a referral as released to the reader. The release is
// decided and audited before anything is drawn.
func (s *Server) referralPage(c echo.Context) error {
	return s.renderReferral(c, c.Param("id"), pageOptions{status: http.StatusOK})
}

func (s *Server) renderReferral(c echo.Context, id string, o pageOptions) error {
	v, err := s.release(c, id, agency.Referral)
	if err != nil {
		return err
	}
	pg, err := s.referralPageOf(c, v, o)
	if err != nil {
		return err
	}
	return s.render(c, o.status, "referral", pg)
}

func (s *Server) referralPageOf(c echo.Context, v sharing.View, o pageOptions) (referralPage, error) {
	ctx := c.Request().Context()
	p, now := principal(c), s.Now()
	m := v.Meta()
	pg := referralPage{ID: v.ReferralID(), Reference: v.Reference(), Offence: labelOf(offenceChoices, m.Offence),
		Risk: labelOf(riskLevelChoices, string(m.Risk)), RiskTag: riskTag(string(m.Risk)), SentAt: whenText(m.SentAt),
		Police: v.Agency() == agency.Police, Errors: o.errs, Summary: o.summary}
	switch c.QueryParam("done") {
	case "sent":
		pg.Done = "Referral sent. Each agency has been told it is waiting."
	case "status":
		pg.Done = "Your agency's answer has been saved."
	case "message":
		pg.Done = "Message sent."
	case "restriction":
		pg.Done = "Who may read this referral has been saved."
	default:
		pg.Done = justiceDone[c.QueryParam("done")]
		if d, ok := amendDone[c.QueryParam("done")]; ok {
			pg.Done = d
		}
	}
	if v.Restricted() {
		// An officer who gave no reason sees that the referral exists and
		// the form to break glass: nothing of it, no timeline, no messages.
		pg.Police, pg.Restricted = false, true
		return pg, nil
	}
	pg.BrokeGlass = v.BrokeGlass()
	if pg.Police && !pg.BrokeGlass {
		x, err := s.DB.RestrictionOf(ctx, v.ReferralID())
		if err != nil {
			return pg, err
		}
		if p.Subject == x.Officer || p.Has(identity.Supervisor) {
			pg.Restriction = &restrictionForm{Restricted: x.Restricted, Officers: strings.Join(x.Named, "\n")}
		}
	}
	if err := s.sectionsOf(v, &pg); err != nil {
		return pg, err
	}
	if err := s.justiceOf(c, v, &pg); err != nil {
		return pg, err
	}
	for _, sh := range v.Shares() {
		a, _ := s.Agencies.Get(sh.Agency)
		sv := shareView{Agency: sh.Agency, Name: orNotGiven(a.Name), Status: string(sh.Status), StatusLabel: statusLabel(sh.Status),
			Badge: statusBadge(sh.Status), CodeLabel: codeLabel(sh.Status, sh.ReasonCode, sh.OutcomeCode), DueAt: whenText(sh.DueAt), Overdue: sh.Overdue(now),
			AnsweredAt: whenText(sh.AnsweredAt), Version: sh.Version,
			Texts: v.Agency() == agency.Police || v.Agency() == sh.Agency}
		if sv.Texts {
			sv.Request, sv.Reason, sv.Outcome = nonEmptyLines(sh.Request), nonEmptyLines(sh.Reason), nonEmptyLines(sh.Outcome)
		}
		if sh.Agency == p.Agency && p.Has(identity.AgencyStaff) {
			own := sv
			pg.Own = &own
		}
		pg.Shares = append(pg.Shares, sv)
	}
	pg.Attention = pg.Police && referral.Summary{Shares: v.Shares()}.Attention(now)

	events, err := s.DB.Events(ctx, v.ReferralID(), readerAgency(v))
	if err != nil {
		return pg, err
	}
	for i := len(events) - 1; i >= 0; i-- {
		pg.Timeline = append(pg.Timeline, s.eventViewOf(events[i]))
	}
	if err := s.threadsOf(c, v, &pg); err != nil {
		return pg, err
	}
	if pg.Police && p.Has(identity.Officer) && slices.ContainsFunc(v.Shares(), func(sh referral.Share) bool { return sh.Unread }) {
		// The officer has now seen the agencies' messages.
		if err := s.DB.MessagesRead(ctx, v.ReferralID()); err != nil {
			return pg, err
		}
	}
	form := o.form
	if pg.Own != nil && len(statusChoices(referral.ShareStatus(pg.Own.Status))) > 0 {
		pg.StatusFields = fieldsOf(statusQuestions(referral.ShareStatus(pg.Own.Status)), form, o.errs)
	}
	if pg.Police || pg.Own != nil {
		pg.MessageFields = fieldsOf(s.messageQuestions(pg), form, o.errs)
		w := s.writer(c)
		if pg.Police {
			// The police's message holds, unless chosen, the kind the
			// receiving agency works with.
			w = marac.Writer{Agency: agency.Police}
		}
		chosen := ""
		if v := form["category"]; len(v) > 0 {
			chosen = v[0]
		}
		pg.MessageCategory = textCategory("message-category", "category", "What kind of information does the message hold?", chosen, w, o.errs)
		if pg.Police {
			pg.MessageCategory.Empty = "The kind the agency works with"
		}
	}
	s.sharesFormsOf(c, &pg, o)
	if p.Has(identity.Officer) && pg.Police {
		pg.Links = append(pg.Links,
			pageLink{"Consent", "/referrals/" + pg.ID + "/consent", "The victim's consent history, and record a new decision"},
			pageLink{"Ask to share without consent", "/referrals/" + pg.ID + "/overrides/new", "A supervisor decides"})
	}
	if pg.Police {
		pg.Links = append(pg.Links, pageLink{"Earlier referrals for this victim or suspect", "/referrals/" + pg.ID + "/links", "Stalking is a pattern: confirm or reject suggested links"})
	}
	if pg.Police || p.Has(identity.Auditor) {
		pg.Links = append(pg.Links, pageLink{"Who has seen this referral", "/referrals/" + pg.ID + "/audit", "Every view, what was shown and on what basis"})
	}
	return pg, nil
}

// readerAgency is the agency whose part of the timeline the reader sees:
// an agency sees only what concerns it; the police and auditors see all.
func readerAgency(v sharing.View) string {
	if v.Agency() == agency.Police {
		return ""
	}
	return v.Agency()
}

func nonEmptyLines(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return lines(s)
}

// sectionsOf lays out each category of the view: safe contact apart and
// first, the others in order, each shown or withheld with the reason.
func (s *Server) sectionsOf(v sharing.View, pg *referralPage) error {
	for _, d := range v.Decisions() {
		sec := sectionView{ID: strings.ReplaceAll(d.Category.String(), "_", "-"), Title: d.Category.Title(), Shown: d.Shown, Reason: d.Reason()}
		if !d.Shown {
			pg.Sections = append(pg.Sections, sec)
			continue
		}
		content, _ := v.Content(d.Category)
		if d.Category == category.SafeContact {
			var sc referral.SafeContact
			if err := unmarshalSection(content, &sc); err != nil {
				return err
			}
			others := make([]string, 0, len(sc.OtherMethods))
			for _, m := range sc.OtherMethods {
				others = append(others, labelOf(safeContactChoices, m))
			}
			pg.SafeContact = &safeContactPanel{Method: orNotGiven(labelOf(safeContactChoices, sc.Method)), OtherMethods: others, Times: orNotGiven(sc.Times), Instructions: lines(orNotGiven(sc.Instructions))}
			continue
		}
		if d.Category == category.Orders {
			if err := s.orderSection(content, pg); err != nil {
				return err
			}
			continue
		}
		rows, err := sectionRows(d.Category, content)
		if err != nil {
			return err
		}
		sec.Rows = rows
		pg.Sections = append(pg.Sections, sec)
	}
	return nil
}

func unmarshalSection(b []byte, v any) error {
	if b == nil {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("a stored section does not read: %w", err)
	}
	return nil
}

// sectionRows lays out the content of a shown category. A category the
// referral holds nothing for has no rows.
func sectionRows(c category.Category, b []byte) ([]answerRow, error) {
	if b == nil {
		return nil, nil
	}
	row := func(key, value string) answerRow { return answerRow{Key: key, Values: lines(orNotGiven(value))} }
	switch c {
	case category.Identity:
		var x referral.IdentitySection
		if err := unmarshalSection(b, &x); err != nil {
			return nil, err
		}
		return []answerRow{row("Full name", x.Name), row("Date of birth", dateWords(x.DateOfBirth))}, nil
	case category.Contact:
		var x referral.ContactSection
		if err := unmarshalSection(b, &x); err != nil {
			return nil, err
		}
		return []answerRow{row("Address", x.Address), row("Phone number", x.Phone), row("E-mail address", x.Email)}, nil
	case category.Offence:
		var x referral.OffenceSection
		if err := unmarshalSection(b, &x); err != nil {
			return nil, err
		}
		count := ""
		if x.Incidents.Count > 0 {
			count = strconv.Itoa(x.Incidents.Count)
		}
		var factors []string
		for _, f := range x.AggravatingFactors {
			l := labelOf(factorChoices, f.Factor)
			if f.Strand != "" {
				l += ": " + labelOf(strandChoices, f.Strand)
			}
			factors = append(factors, l)
		}
		fr := answerRow{Key: "Aggravating factors", Values: factors}
		if len(factors) == 0 {
			fr.Values = []string{"None recorded"}
		}
		return []answerRow{row("Crime reference", x.CrimeReference), row("What happened", x.Summary), row("Number of incidents", count),
			row("First incident", dateWords(x.Incidents.First)), row("Last incident", dateWords(x.Incidents.Last)), fr}, nil
	case category.Risk:
		var x referral.RiskSection
		if err := unmarshalSection(b, &x); err != nil {
			return nil, err
		}
		score := ""
		if x.Score != nil {
			score = strconv.Itoa(*x.Score)
		}
		rows := []answerRow{row("Risk level", labelOf(riskLevelChoices, x.Level)), row("Tool", labelOf(riskToolChoices, x.Tool)),
			row("Score", score), row("Assessed on", dateWords(x.AssessedOn))}
		if x.MARACConcern != "" {
			rows = append(rows, row("Concern for MARAC (professional judgement)", x.MARACConcern))
		}
		for i, o := range x.OthersAtRisk {
			rows = append(rows, answerRow{Key: "Also at risk " + strconv.Itoa(i+1), Values: personAtRiskLine(o)})
		}
		return append(rows, riskHistoryRows(x.History)...), nil
	case category.Suspect:
		var x referral.SuspectSection
		if err := unmarshalSection(b, &x); err != nil {
			return nil, err
		}
		rows := []answerRow{row("Name", x.Name), row("Date of birth", dateWords(x.DateOfBirth)), row("Relationship to the victim", labelOf(relationshipChoices, x.Relationship)),
			row("Address", x.Address), row("Orders or bail conditions", x.Orders)}
		for i, o := range x.Others {
			rows = append(rows, answerRow{Key: "Other suspect " + strconv.Itoa(i+1), Values: suspectLine(o)})
		}
		return rows, nil
	case category.Health:
		var x referral.HealthSection
		if err := unmarshalSection(b, &x); err != nil {
			return nil, err
		}
		return []answerRow{row("Health", x.Health)}, nil
	case category.Children:
		var x []referral.Child
		if err := unmarshalSection(b, &x); err != nil {
			return nil, err
		}
		var rows []answerRow
		for i, ch := range x {
			rows = append(rows, answerRow{Key: "Child " + strconv.Itoa(i+1), Values: childLine(ch)})
		}
		return rows, nil
	case category.Needs:
		var x referral.NeedsSection
		if err := unmarshalSection(b, &x); err != nil {
			return nil, err
		}
		return []answerRow{row("Circumstances and needs", x.Needs), row("The victim's views", x.Views)}, nil
	}
	return nil, nil
}

// eventViewOf puts a timeline event into words. Events hold no personal
// data: kinds, agencies and who acted.
func (s *Server) eventViewOf(e referral.Event) eventView {
	name := func(id string) string {
		if a, ok := s.Agencies.Get(id); ok {
			return a.Name
		}
		return id
	}
	ev := eventView{By: e.ActorName, At: whenText(e.At), ISO: e.At.UTC().Format(time.RFC3339)}
	// The event's agency is the share it concerns; a message says which
	// side wrote it.
	side := e.Agency
	if e.Kind == "message" {
		side = strings.TrimPrefix(e.Detail, "from ")
	}
	if e.Kind == "share_added" || e.Kind == "share_withdrawn" {
		// The police add and withdraw agencies.
		side = agency.Police
	}
	if side != "" && side != agency.Police {
		ev.By += " (" + name(side) + ")"
	}
	switch {
	case e.Kind == "referral_created":
		ev.Title, ev.Detail = "Referral sent", e.Detail
	case e.Kind == "share_added":
		ev.Title = "Sent to " + name(e.Agency)
	case strings.HasPrefix(e.Kind, "share_"):
		st := referral.ShareStatus(strings.TrimPrefix(e.Kind, "share_"))
		ev.Title = name(e.Agency) + ": " + strings.ToLower(statusLabel(st))
		ev.Detail = codeLabel(st, e.Detail, e.Detail)
	case e.Kind == "message":
		if e.Detail == "from "+agency.Police {
			ev.Title = "Message to " + name(e.Agency)
		} else {
			ev.Title = "Message from " + name(e.Agency)
		}
	case strings.HasPrefix(e.Kind, "consent_"):
		ev.Title = vocab.ConsentDecisions.Words(strings.TrimPrefix(e.Kind, "consent_"))
	case e.Kind == "referral_updated" || e.Kind == "risk_reassessed":
		ev.Title, ev.Detail = amendEventWords(e.Kind, e.Detail)
	case e.Kind == "override_requested":
		ev.Title = "Request to share without consent"
	case strings.HasPrefix(e.Kind, "override_"):
		ev.Title = "Request to share without consent " + strings.TrimPrefix(e.Kind, "override_")
	default:
		ev.Title = sentence(strings.ReplaceAll(e.Kind, "_", " "))
	}
	return ev
}

// threadsOf loads the message threads the reader may read: every agency's
// for the police, the agency's own for its staff, none for anyone else.
func (s *Server) threadsOf(c echo.Context, v sharing.View, pg *referralPage) error {
	if !pg.Police && pg.Own == nil {
		return nil
	}
	msgs, err := s.DB.Messages(c.Request().Context(), v.ReferralID(), readerAgency(v))
	if err != nil {
		return err
	}
	side := v.Agency()
	// A message is free text about the victim: shown only as the reader's
	// View releases its category (its writer's side always reads it).
	tx := s.texts(c, v.Purpose())
	tx.with(v)
	for _, sh := range pg.Shares {
		if !pg.Police && sh.Agency != side {
			continue
		}
		t := threadView{Agency: sh.Agency, Name: sh.Name}
		for _, m := range msgs {
			if m.Agency != sh.Agency {
				continue
			}
			from := m.AuthorName
			if a, ok := s.Agencies.Get(m.AuthorSide); ok {
				from += ", " + a.Name
			}
			body, err := tx.release(m.Body)
			if err != nil {
				return err
			}
			mv := messageView{From: from, At: whenText(m.CreatedAt), ISO: m.CreatedAt.UTC().Format(time.RFC3339), Withheld: body.Withheld, Sent: m.AuthorSide == side}
			if body.Withheld == "" {
				mv.Lines = lines(body.Text)
			}
			t.Messages = append(t.Messages, mv)
		}
		pg.Threads = append(pg.Threads, t)
	}
	return nil
}

// statusChoices are the answers an agency may give from where its share
// stands. Viewed is the hub's to set, not the agency's.
func statusChoices(from referral.ShareStatus) []choice {
	var out []choice
	for _, next := range referral.Next(from) {
		switch next {
		case referral.Accepted:
			out = append(out, choice{Value: string(next), Label: "Accept the referral"})
		case referral.Declined:
			out = append(out, choice{Value: string(next), Label: "Decline the referral", Reveal: []question{
				{Name: "reason_code", Label: "What kind of reason is it?", Kind: radiosKind, Choices: codeChoices(referral.DeclineReasons),
					Hint: "Reports count declines by kind of reason"},
				{Name: "reason", Label: "Why your agency is declining it", Kind: textareaKind,
					Hint: "The officer reads this and may refer elsewhere"}}})
		case referral.InProgress:
			out = append(out, choice{Value: string(next), Label: "Mark as in progress", Hint: "Your agency is working with the victim"})
		case referral.Closed:
			out = append(out, choice{Value: string(next), Label: "Close the referral", Reveal: []question{
				{Name: "outcome_code", Label: "What kind of outcome was it?", Kind: radiosKind, Choices: codeChoices(referral.ClosingOutcomes),
					Hint: "Reports count outcomes by kind"},
				{Name: "outcome", Label: "What your agency did and the outcome", Kind: textareaKind}}})
		}
	}
	return out
}

func statusQuestions(from referral.ShareStatus) []question {
	return []question{{Name: "status", Label: "What is your answer?", Kind: radiosKind, Choices: statusChoices(from)}}
}

// answerQuestions are the status form's questions with every choice any
// share may be offered, in page order: the order of its error summary.
func answerQuestions() []question {
	q := statusQuestions(referral.Sent)
	q[0].Choices = append(q[0].Choices, statusChoices(referral.Accepted)...)
	return q
}

// codeChoices offers a vocabulary as radios above a text box: "other",
// without a hint of its own, asks to say what it was there.
func codeChoices(l vocab.List) []choice {
	out := choicesOf(l)
	for i := range out {
		if out[i].Value == "other" && out[i].Hint == "" {
			out[i].Hint = "Say what it was below"
		}
	}
	return out
}

// codeLabel is the words of a share's code for its status: the kind of
// reason of a decline, the kind of outcome of a close; "" when not coded.
func codeLabel(st referral.ShareStatus, reasonCode, outcomeCode string) string {
	var l string
	switch st {
	case referral.Declined:
		l, _ = referral.DeclineReasons.Label(reasonCode)
	case referral.Closed:
		l, _ = referral.ClosingOutcomes.Label(outcomeCode)
	}
	return l
}

// formAnswer reads the status form. A code goes only with its status:
// without JavaScript every choice's questions are on the page, and a code
// picked under one choice must not ride along with another.
func formAnswer(status, reason, reasonCode, outcome, outcomeCode string) referral.Answer {
	a := referral.Answer{To: referral.ShareStatus(status), Reason: strings.TrimSpace(reason), Outcome: strings.TrimSpace(outcome)}
	switch a.To {
	case referral.Declined:
		a.ReasonCode = reasonCode
	case referral.Closed:
		a.OutcomeCode = outcomeCode
	}
	return a
}

// messageQuestions ask for a message; the police also choose the agency.
func (s *Server) messageQuestions(pg referralPage) []question {
	body := question{Name: "body", Label: "Message", Kind: textareaKind,
		Hint: "For example, a question about the referral or the answer to one. Do not repeat what the agency may not see"}
	if !pg.Police {
		return []question{body}
	}
	var choices []choice
	for _, sh := range pg.Shares {
		choices = append(choices, choice{Value: sh.Agency, Label: sh.Name})
	}
	return []question{{Name: "agency", Label: "Agency", Kind: selectKind, Choices: choices}, body}
}

// forceReader reports whether p reads as the originating force, as
// sharing.Release decides it: police roles and no partner agency.
func forceReader(p identity.Principal) bool {
	return p.Police() && (p.Agency == "" || p.Agency == agency.Police)
}

// maxMessage bounds a message: a thread is for questions and answers.
const maxMessage = 4000

// referralStatus records an agency's answer on its share: accept, decline
// with the kind of reason and the reason, in progress, close with the kind
// of outcome and the outcome. Unlike the API, the form asks for the kind
// always, so that reports count every decline and close made here. The form
// carries the share's version; a form older than the share gets the page
// back, fresh, with a message, instead of overwriting what someone else did.
func (s *Server) referralStatus(c echo.Context) error {
	id, p := c.Param("id"), principal(c)
	form := map[string][]string{}
	for _, name := range []string{"status", "reason_code", "reason", "outcome_code", "outcome"} {
		form[name] = []string{c.FormValue(name)}
	}
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || version < 1 {
		version = -1
	}
	a := formAnswer(c.FormValue("status"), c.FormValue("reason"), c.FormValue("reason_code"), c.FormValue("outcome"), c.FormValue("outcome_code"))
	errs := a.Problems(true)
	if a.To == "" {
		errs = map[string]string{"status": "Choose your agency's answer"}
	}
	if len(errs) > 0 {
		return s.renderReferral(c, id, pageOptions{status: http.StatusUnprocessableEntity, errs: errs, summary: errorSummary(answerQuestions(), errs), form: form})
	}
	_, err = s.DB.ChangeShareStatus(c.Request().Context(), referral.StatusChange{ReferralID: id, Agency: p.Agency,
		To: a.To, Reason: a.Reason, ReasonCode: a.ReasonCode, Outcome: a.Outcome, OutcomeCode: a.OutcomeCode,
		IfMatch: version, Actor: p})
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/referrals/"+id+"?done=status")
	}
	pe, ok := problem.As(err)
	if !ok {
		return err
	}
	switch pe.Code {
	case problem.Invalid:
		errs = maps.Clone(pe.Fields)
		return s.renderReferral(c, id, pageOptions{status: http.StatusUnprocessableEntity, errs: errs,
			summary: errorSummary(answerQuestions(), errs), form: form})
	case problem.Stale:
		return s.renderReferral(c, id, pageOptions{status: http.StatusPreconditionFailed,
			summary: []fieldError{{"status", "This referral changed since you opened it. Check where it stands now, then give your answer again"}}})
	case problem.Conflict:
		return s.renderReferral(c, id, pageOptions{status: http.StatusConflict, summary: []fieldError{{"status", sentence(pe.Message)}}})
	}
	return err
}

// referralMessage adds a message to a share's thread: agency staff to their
// own agency's thread, the police to the thread of the agency they choose.
func (s *Server) referralMessage(c echo.Context) error {
	id, p := c.Param("id"), principal(c)
	body := strings.TrimSpace(c.FormValue("body"))
	target, side := p.Agency, p.Agency
	force := forceReader(p)
	if force {
		target, side = c.FormValue("agency"), agency.Police
	}
	errs := map[string]string{}
	if force && target == "" {
		errs["agency"] = "Choose the agency to send the message to"
	}
	switch {
	case body == "":
		errs["body"] = "Enter a message"
	case len([]rune(body)) > maxMessage:
		errs["body"] = fmt.Sprintf("Message must be %d characters or fewer", maxMessage)
	}
	if len(errs) > 0 {
		var order []fieldError
		for _, f := range []string{"agency", "body"} {
			if m, ok := errs[f]; ok {
				order = append(order, fieldError{f, m})
			}
		}
		return s.renderReferral(c, id, pageOptions{status: http.StatusUnprocessableEntity, errs: errs, summary: order,
			form: map[string][]string{"agency": {target}, "body": {c.FormValue("body")}, "category": {c.FormValue("category")}}})
	}
	cat, ok := s.messageCategory(c.FormValue("category"), side, target)
	if !ok {
		return s.renderReferral(c, id, pageOptions{status: http.StatusUnprocessableEntity, errs: map[string]string{"category": "Choose the kind of information the message holds"},
			summary: []fieldError{{"category", "Choose the kind of information the message holds"}}, form: map[string][]string{"agency": {target}, "body": {c.FormValue("body")}, "category": {c.FormValue("category")}}})
	}
	if err := s.DB.AddMessage(c.Request().Context(), id, target, referral.Message{AuthorSide: side, Body: sealed.NewText("", cat, side, body)}, p); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/referrals/"+id+"?done=message#messages")
}

// messageCategory is the kind of information a message holds: the one the
// writer chose, or else, from the police, the kind the receiving agency
// works with (its free_text_category), and from an agency its own.
func (s *Server) messageCategory(chosen, side, target string) (category.Category, bool) {
	def := side
	if side == agency.Police {
		def = target
	}
	a, _ := s.Agencies.Get(def)
	c, err := category.ForText(chosen, a.FreeText, a.HasFreeText)
	return c, err == nil
}

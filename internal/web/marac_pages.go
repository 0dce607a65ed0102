package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/sharing"
)

// The MARAC pages. Each form posts, re-renders with the user's input and an
// error summary when it is refused, or redirects when it is taken. A case's
// personal data reaches a page only as a sharing.View released for the marac purpose.

// maracNames maps the id of every agency to its name, for pages.
func (s *Server) maracNames() map[string]string {
	names := map[string]string{}
	for _, a := range s.Agencies.All() {
		names[a.ID] = a.Name
	}
	return names
}

func (s *Server) agencyOptions(ids []string) []agencyOption {
	names := s.maracNames()
	out := make([]agencyOption, 0, len(ids))
	for _, id := range ids {
		name := names[id]
		if name == "" {
			name = id
		}
		out = append(out, agencyOption{ID: id, Name: name})
	}
	return out
}

// checkDate puts the page's message for a date field into errs under the
// field's name: the domain's own messages speak of YYYY-MM-DD, which a date
// input does not show.
func checkDate(errs map[string]string, field, what string, in typedDate) string {
	iso, msg := in.iso(sentence(what))
	switch {
	case msg != "":
		errs[field] = msg
	case iso == "":
		errs[field] = "Enter " + what
	}
	return iso
}

// yesNo reads a yes/no radio: nil when neither was chosen.
func yesNo(v string) *bool {
	switch v {
	case "yes":
		t := true
		return &t
	case "no":
		f := false
		return &f
	}
	return nil
}

// formErrors turns the refusal of a form's action into messages beside its
// fields and the status to answer: 422 for validation, 409 for a conflict
// (shown on the field named). Any other error is returned to the error handler.
func formErrors(err error, conflictField string) (int, map[string]string, error) {
	pe, ok := problem.As(err)
	if !ok {
		return 0, nil, err
	}
	switch pe.Code {
	case problem.Invalid:
		if len(pe.Fields) == 0 {
			return http.StatusUnprocessableEntity, map[string]string{conflictField: sentence(pe.Message)}, nil
		}
		return http.StatusUnprocessableEntity, pe.Fields, nil
	case problem.Conflict:
		return http.StatusConflict, map[string]string{conflictField: sentence(pe.Message)}, nil
	}
	return 0, nil, err
}

// mergeErrors adds the messages of more to errs, keeping a message errs already has.
func mergeErrors(errs map[string]string, more map[string]string) {
	for k, v := range more {
		if _, ok := errs[k]; !ok {
			errs[k] = v
		}
	}
}

// releasedSection is one kind of information of a case as a page shows it:
// its rows when shown, the reason when withheld.
type releasedSection struct {
	Category string // the category's name, for ids
	Title    string
	Shown    bool
	Reason   string
	Rows     []releasedRow
}

// releasedRow is one label and value of a shown section.
type releasedRow struct{ Label, Value string }

// releasedSections lays out a View for a page, in the categories' display
// order (safe contact early). Withheld categories carry only their reason.
func releasedSections(v sharing.View) []releasedSection {
	var out []releasedSection
	for _, d := range v.Decisions() {
		sec := releasedSection{Category: d.Category.String(), Title: d.Category.Title(), Shown: d.Shown, Reason: sentence(d.Reason())}
		if b, ok := v.Content(d.Category); ok {
			sec.Rows = wordedRows(d.Category, b)
		}
		out = append(out, sec)
	}
	return out
}

// itemNoun names one item of a category held as a list.
func itemNoun(c category.Category) string {
	if c == category.Children {
		return "Child"
	}
	return "Item"
}

// contentRows flattens a section's JSON into labelled rows, in the order of
// its fields: nested fields are labelled by their path ("Incidents: count"),
// list items by their number ("Child 1: name", "Aggravating factors 1:
// factor"). Empty values are left out.
func contentRows(b []byte, noun string) []releasedRow {
	if len(b) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var rows []releasedRow
	if err := flattenJSON(dec, "", noun, &rows); err != nil {
		return []releasedRow{{Label: "Content", Value: "This section could not be shown"}}
	}
	return rows
}

func flattenJSON(dec *json.Decoder, label, noun string, rows *[]releasedRow) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key, _ := k.(string)
				if err := flattenJSON(dec, joinLabel(label, fieldLabel(key)), "Item", rows); err != nil {
					return err
				}
			}
		case '[':
			for i := 1; dec.More(); i++ {
				item := noun + " " + strconv.Itoa(i)
				if label != "" {
					item = label + " " + strconv.Itoa(i)
				}
				if err := flattenJSON(dec, item, noun, rows); err != nil {
					return err
				}
			}
		}
		_, err := dec.Token() // the closing delimiter
		return err
	case string:
		if strings.TrimSpace(t) != "" {
			*rows = append(*rows, releasedRow{Label: label, Value: t})
		}
	case json.Number:
		*rows = append(*rows, releasedRow{Label: label, Value: t.String()})
	case bool:
		v := "No"
		if t {
			v = "Yes"
		}
		*rows = append(*rows, releasedRow{Label: label, Value: v})
	}
	return nil
}

func joinLabel(prefix, label string) string {
	if prefix == "" {
		return label
	}
	return prefix + ": " + strings.ToLower(label)
}

// fieldLabel turns a JSON field name into words: date_of_birth -> Date of birth.
func fieldLabel(key string) string {
	return sentenceCase(strings.ReplaceAll(key, "_", " "))
}

func sentenceCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// maracActionRow is an action as a list shows it, flagged when overdue, its
// free text as the reader's View of the referral releases it (these fields
// stand in for the sealed ones of the action).
type maracActionRow struct {
	marac.Action
	Overdue                          bool
	Description, DescriptionWithheld string
	Note, NoteWithheld               string
}

func maracActionRows(as []marac.Action, now time.Time, tx *texts) ([]maracActionRow, error) {
	out := make([]maracActionRow, 0, len(as))
	for _, a := range as {
		desc, err := tx.release(a.Description)
		if err != nil {
			return nil, err
		}
		note, err := tx.release(a.Note)
		if err != nil {
			return nil, err
		}
		out = append(out, maracActionRow{Action: a, Overdue: marac.ActionOverdue(a, now),
			Description: desc.Text, DescriptionWithheld: desc.Withheld, Note: note.Text, NoteWithheld: note.Withheld})
	}
	return out, nil
}

// researchRow is one agency's research as the papers show it: the answers
// and the summary only where the reader's View releases them.
type researchRow struct {
	Agency                   string
	Released                 bool
	KnownToService, OpenCase bool
	Summary, Withheld        string
}

func researchRows(rs []marac.Research, tx *texts) ([]researchRow, error) {
	var out []researchRow
	for _, r := range rs {
		text, why, ok, err := tx.open(r.Summary)
		if err != nil {
			return nil, err
		}
		row := researchRow{Agency: r.Agency, Released: ok, Summary: text, Withheld: why}
		if ok {
			row.KnownToService, row.OpenCase = r.KnownToService, r.OpenCase
		}
		out = append(out, row)
	}
	return out, nil
}

// The coordinator's dashboard.

type maracDashboardData struct {
	Dashboard marac.Dashboard
	NextPanel string
	Upcoming  []marac.Meeting
	Past      []marac.Meeting
	Queue     []marac.QueueEntry
	Names     map[string]string
	Panels    map[string]string
	Overdue   int // overdue actions across every agency
	// QueueRows is the queue in words, riskiest first; Search the term it
	// was searched by (sealed in the address as SearchToken).
	QueueRows           []queueRow
	Search, SearchToken string
	CSRF                string
}

// maracDashboard shows the coordinator the next meeting and its cases,
// research outstanding and actions open and overdue by agency, repeat cases,
// and the referrals waiting for a meeting.
func (s *Server) maracDashboard(c echo.Context) error {
	ctx := c.Request().Context()
	now := s.Now()
	d, err := s.DB.MARACDashboard(ctx, marac.Members(s.Agencies), now)
	if err != nil {
		return err
	}
	data := maracDashboardData{Dashboard: d, Names: s.maracNames(), Panels: s.panelNames()}
	panelID := ""
	if d.Next != nil {
		panelID = d.Next.Panel
	}
	p, ok := s.panel(panelID)
	if !ok {
		p, _ = s.panel("")
	}
	if data.Queue, err = s.DB.Queue(ctx, p.EscalationIncidents); err != nil {
		return err
	}
	if data.Search, data.SearchToken = s.queueSearch(c); data.Search != "" {
		if data.Queue, err = s.searchQueue(c, data.Queue, data.Search); err != nil {
			return err
		}
	}
	if data.Upcoming, err = s.DB.UpcomingMeetings(ctx, now); err != nil {
		return err
	}
	if data.Past, err = s.DB.PastMeetings(ctx, now); err != nil {
		return err
	}
	if len(data.Past) > 6 {
		data.Past = data.Past[:6]
	}
	for _, a := range d.Actions {
		data.Overdue += a.Overdue
	}
	next := ""
	if d.Next != nil {
		next = d.Next.ID
	}
	data.QueueRows, data.CSRF = queueRows(data.Queue, next), csrfToken(c)
	return s.render(c, http.StatusOK, "marac", data)
}

func (s *Server) panelNames() map[string]string {
	names := map[string]string{}
	for _, p := range s.Config.Marac.Panels {
		names[p.ID] = p.Name
	}
	return names
}

// Planning a meeting.

type meetingForm struct {
	Panel string
	Date  typedDate
}

type newMeetingData struct {
	Panels []agencyOption // id and name of each panel
	Form   meetingForm
	Date   dateField
	Errors map[string]string // by the id of the field, a date's day box
}

func (s *Server) renderNewMeeting(c echo.Context, status int, f meetingForm, errs map[string]string) error {
	errs = pageFieldErrors(errs, "date")
	d := newMeetingData{Form: f, Errors: errs,
		Date: dateField{ID: "date", Legend: "Date of the meeting", Hint: "For example, 27 3 2027", typedDate: f.Date, Error: errs["date-day"]}}
	for _, p := range s.Config.Marac.Panels {
		d.Panels = append(d.Panels, agencyOption{ID: p.ID, Name: p.Name})
	}
	if f.Panel == "" && len(d.Panels) == 1 {
		d.Form.Panel = d.Panels[0].ID
	}
	return s.render(c, status, "marac-meeting-new", d)
}

// newMeetingPage asks for the panel and the date of a meeting.
func (s *Server) newMeetingPage(c echo.Context) error {
	return s.renderNewMeeting(c, http.StatusOK, meetingForm{}, nil)
}

// createMeetingPage plans the meeting and opens its page.
func (s *Server) createMeetingPage(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	f := meetingForm{Panel: form.Get("panel"), Date: typedDateOf(form, "date")}
	errs := map[string]string{}
	iso := checkDate(errs, "date", "the date of the meeting", f.Date)
	m, perr := marac.NewMeeting{Date: iso, Panel: f.Panel}.Validate(s.panelIDs(), s.Now())
	if perr != nil {
		mergeErrors(errs, perr.Fields)
	}
	if len(errs) > 0 {
		return s.renderNewMeeting(c, http.StatusUnprocessableEntity, f, errs)
	}
	m, err = s.DB.CreateMeeting(c.Request().Context(), m, principal(c))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/marac/meetings/"+m.ID)
}

// The meeting page.

type caseForm struct {
	Referral, Criterion, Note, NoteCategory string
}

type agendaRow struct {
	Number      int // the case's place on the agenda, from 1
	Case        marac.Case
	Submitted   int
	Outstanding []string // names of the member agencies yet to give research
	// Lapses is true when the orders protecting the victim end before the
	// meeting: metadata, shown to every participant, the orders withheld.
	Lapses bool
}

// apologyOption is a member agency and whether it sent apologies.
type apologyOption struct {
	agencyOption
	Sent bool
}

type meetingData struct {
	Meeting      marac.Meeting
	PanelName    string
	Over         bool
	Coordinator  bool
	Agenda       []agendaRow
	Members      int
	Queue        []marac.QueueEntry
	Criteria     []marac.Criterion
	Attending    []agencyOption
	NotAttending []agencyOption
	// Apologies are the member agencies, each marked when it sent apologies.
	Apologies      []apologyOption
	People         []marac.Attendance
	Review         []maracActionRow
	Acknowledged   bool
	MayAcknowledge bool
	Names          map[string]string
	Form           caseForm
	Errors         map[string]string
	AttendErrors   map[string]string
	// NoteCategory is the choice of the kind of information the note holds.
	NoteCategory textCategoryField
}

// meetingPage shows a meeting: its agenda, who attends and, to the
// coordinator, the queue to add cases from, each case's research and the
// open actions of earlier meetings that come back for review.
func (s *Server) meetingPage(c echo.Context) error {
	return s.renderMeeting(c, http.StatusOK, c.Param("id"), caseForm{Referral: c.QueryParam("referral")}, nil, nil)
}

func (s *Server) renderMeeting(c echo.Context, status int, id string, f caseForm, errs, attendErrs map[string]string) error {
	if err := s.participant(c, "Meeting"); err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := principal(c)
	now := s.Now()
	m, err := s.DB.Meeting(ctx, id)
	if err != nil {
		return err
	}
	names := s.maracNames()
	d := meetingData{Meeting: m, PanelName: s.panelNames()[m.Panel], Over: m.Over(now), Coordinator: p.Has(identity.MARACCoordinator),
		Criteria: marac.Criteria, Names: names, Form: f, Errors: errs, AttendErrors: attendErrs}
	d.NoteCategory = textCategory("note_category", "note_category", "What kind of information does the note hold?", f.NoteCategory, s.writer(c), errs)
	agencies, people, err := s.DB.Attendance(ctx, m.ID)
	if err != nil {
		return err
	}
	d.People = people
	sent, err := s.DB.Apologies(ctx, m.ID)
	if err != nil {
		return err
	}
	for _, o := range s.agencyOptions(s.attenders()) {
		d.Apologies = append(d.Apologies, apologyOption{agencyOption: o, Sent: slices.Contains(sent, o.ID)})
	}
	for _, o := range s.agencyOptions(s.attenders()) {
		if slices.Contains(agencies, o.ID) {
			d.Attending = append(d.Attending, o)
		} else {
			d.NotAttending = append(d.NotAttending, o)
		}
	}
	d.MayAcknowledge = marac.MayAcknowledge(p, agencies)
	if d.Acknowledged, err = s.DB.HasAcknowledged(ctx, m.ID, p.Subject); err != nil {
		return err
	}
	members := marac.Members(s.Agencies)
	d.Members = len(members)
	for i, cs := range m.Cases {
		row := agendaRow{Number: i + 1, Case: cs}
		if !d.Over {
			if row.Lapses, err = s.DB.ProtectionLapses(ctx, cs.ReferralID, now, m.Date); err != nil {
				return err
			}
		}
		if d.Coordinator {
			st, err := s.DB.ResearchStatus(ctx, cs.ID, members)
			if err != nil {
				return err
			}
			row.Submitted = len(st.Submitted)
			for _, id := range st.Outstanding {
				row.Outstanding = append(row.Outstanding, names[id])
			}
		}
		d.Agenda = append(d.Agenda, row)
	}
	if d.Coordinator {
		if pn, ok := s.panel(m.Panel); ok && !d.Over {
			if d.Queue, err = s.DB.Queue(ctx, pn.EscalationIncidents); err != nil {
				return err
			}
			sortQueue(d.Queue)
			if f.Referral != "" {
				d.Criteria = criteriaFor(d.Queue, f.Referral)
			}
		}
		review, err := s.DB.OpenActionsForReview(ctx, m.ID)
		if err != nil {
			return err
		}
		if d.Review, err = maracActionRows(review, now, s.texts(c, agency.MARAC)); err != nil {
			return err
		}
	}
	return s.render(c, status, "marac-meeting", d)
}

// addCasePage puts a referral from the queue on the meeting's agenda.
func (s *Server) addCasePage(c echo.Context) error {
	id := c.Param("id")
	m, err := s.DB.Meeting(c.Request().Context(), id)
	if err != nil {
		return err
	}
	f := caseForm{Referral: c.FormValue("referral"), Criterion: c.FormValue("criterion"), Note: c.FormValue("note"), NoteCategory: c.FormValue("note_category")}
	if _, err := s.addCase(c, m, marac.NewCase(f)); err != nil {
		status, errs, err := formErrors(err, "referral")
		if err != nil {
			return err
		}
		return s.renderMeeting(c, status, id, f, errs, nil)
	}
	return c.Redirect(http.StatusSeeOther, "/marac/meetings/"+id+"#agenda")
}

// recordAttendancePage records the agencies ticked as attending.
func (s *Server) recordAttendancePage(c echo.Context) error {
	id := c.Param("id")
	form, err := c.FormParams()
	if err != nil {
		return problem.New(problem.Malformed, "the form could not be read")
	}
	chosen := form["agency"]
	if len(chosen) == 0 {
		return s.renderMeeting(c, http.StatusUnprocessableEntity, id, caseForm{}, nil, map[string]string{"attending": "Choose the agencies that attend"})
	}
	allowed := s.attenders()
	for _, a := range chosen {
		if !slices.Contains(allowed, a) {
			return s.renderMeeting(c, http.StatusUnprocessableEntity, id, caseForm{}, nil, map[string]string{"attending": "Choose agencies from the list"})
		}
	}
	for _, a := range chosen {
		if err := s.DB.RecordAttendance(c.Request().Context(), id, a, principal(c)); err != nil {
			return err
		}
	}
	return c.Redirect(http.StatusSeeOther, "/marac/meetings/"+id+"#attendance")
}

// Confidentiality and the papers.

type confidentialityData struct {
	Meeting      marac.Meeting
	PanelName    string
	Acknowledged *marac.Attendance // set once the reader has acknowledged
	Refused      bool              // the reader came for the papers and was refused
	Errors       map[string]string
}

// attendeeCheck loads a meeting for a reader of its papers. A non-member is
// told it does not exist; a member whose agency is not recorded as attending
// is refused.
func (s *Server) attendeeCheck(c echo.Context, id string) (marac.Meeting, []marac.Attendance, error) {
	if err := s.participant(c, "Meeting"); err != nil {
		return marac.Meeting{}, nil, err
	}
	ctx := c.Request().Context()
	m, err := s.DB.Meeting(ctx, id)
	if err != nil {
		return m, nil, err
	}
	agencies, people, err := s.DB.Attendance(ctx, id)
	if err != nil {
		return m, nil, err
	}
	if !marac.MayAcknowledge(principal(c), agencies) {
		return m, nil, problem.New(problem.Forbidden, "Your agency is not recorded as attending this meeting. Only attendees read its papers; ask the MARAC coordinator")
	}
	return m, people, nil
}

func (s *Server) renderConfidentiality(c echo.Context, status int, id string, refused bool, errs map[string]string) error {
	m, people, err := s.attendeeCheck(c, id)
	if err != nil {
		return err
	}
	d := confidentialityData{Meeting: m, PanelName: s.panelNames()[m.Panel], Refused: refused, Errors: errs}
	for i := range people {
		if people[i].Person == principal(c).Subject {
			d.Acknowledged = &people[i]
		}
	}
	return s.render(c, status, "marac-confidentiality", d)
}

// confidentialityPage asks an attendee to acknowledge that what the meeting
// shares is confidential, before its papers open to them.
func (s *Server) confidentialityPage(c echo.Context) error {
	return s.renderConfidentiality(c, http.StatusOK, c.Param("id"), false, nil)
}

// acknowledgePage records the acknowledgement and opens the papers.
func (s *Server) acknowledgePage(c echo.Context) error {
	id := c.Param("id")
	if c.FormValue("acknowledged") != "yes" {
		return s.renderConfidentiality(c, http.StatusUnprocessableEntity, id, false,
			map[string]string{"acknowledged": "Confirm that you will keep what is shared at the meeting confidential"})
	}
	if _, _, err := s.attendeeCheck(c, id); err != nil {
		return err
	}
	if _, err := s.DB.Acknowledge(c.Request().Context(), id, principal(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/marac/meetings/"+id+"/papers")
}

type papersData struct {
	Marking   string
	PanelName string
	Papers    maracPapers
	Cases     []papersCaseData
	Review    []maracActionRow
	Attending []agencyOption
	Names     map[string]string
	Now       time.Time
}

type papersCaseData struct {
	maracPapersCase
	Number       int
	Sections     []releasedSection // the shown ones
	Withheld     []releasedSection
	ActionRows   []maracActionRow
	Note         releasedText
	ResearchRows []researchRow
	MinutesRows  *minutesRows // nil when none are written
}

// papersPage prints a meeting's agenda and minutes, marked restricted on
// every page. An attendee who has not acknowledged confidentiality is
// refused and shown the acknowledgement instead.
func (s *Server) papersPage(c echo.Context) error {
	id := c.Param("id")
	m, _, err := s.attendeeCheck(c, id)
	if err != nil {
		return err
	}
	ack, err := s.DB.HasAcknowledged(c.Request().Context(), m.ID, principal(c).Subject)
	if err != nil {
		return err
	}
	if !marac.MaySeePapers(principal(c), ack) {
		return s.renderConfidentiality(c, http.StatusForbidden, id, true, nil)
	}
	p, err := s.papers(c, id)
	if err != nil {
		return err
	}
	d := papersData{Marking: restrictedMarking, PanelName: s.panelNames()[p.Meeting.Panel], Papers: p, Attending: s.agencyOptions(p.Attending),
		Names: s.maracNames(), Now: s.Now()}
	if d.Review, err = maracActionRows(p.Review, d.Now, p.texts); err != nil {
		return err
	}
	for i, pc := range p.Cases {
		cd := papersCaseData{maracPapersCase: pc, Number: i + 1}
		if cd.ActionRows, err = maracActionRows(pc.Actions, d.Now, p.texts); err != nil {
			return err
		}
		if cd.Note, err = p.texts.release(pc.Case.Note); err != nil {
			return err
		}
		if pc.Minutes != nil {
			r, dd, a, err := releaseMinutes(*pc.Minutes, p.texts)
			if err != nil {
				return err
			}
			cd.MinutesRows = &minutesRows{Risks: r, Decisions: dd, Actions: a, WrittenAt: stampOf(pc.Minutes.WrittenAt)}
		}
		if cd.ResearchRows, err = researchRows(pc.Research, p.texts); err != nil {
			return err
		}
		if pc.View != nil {
			for _, sec := range releasedSections(*pc.View) {
				if sec.Shown {
					cd.Sections = append(cd.Sections, sec)
				} else {
					cd.Withheld = append(cd.Withheld, sec)
				}
			}
		}
		d.Cases = append(d.Cases, cd)
	}
	return s.render(c, http.StatusOK, "marac-papers", d)
}

// Cases.

type researchForm struct {
	Summary, KnownToService, OpenCase, Category string
}

type actionForm struct {
	Agency, Description, Category string
	Due                           typedDate
}

type maracCaseData struct {
	maracCase
	PanelName   string
	Sections    []releasedSection
	Coordinator bool
	Member      bool
	Over        bool
	Outstanding []agencyOption
	Owners      []agencyOption
	Names       map[string]string
	Research    researchForm
	// ResearchCategory and ActionCategory are the choices of the kind of
	// information the summary and the action's description hold.
	ResearchCategory, ActionCategory textCategoryField
	ResearchErrors                   map[string]string
	Action                           actionForm
	Due                              dateField
	ActionErrors                     map[string]string // by the id of the field, the due date's day box
	Saved                            bool              // the reader's research was just saved
	ActionRows                       []maracActionRow
	// Change is the coordinator's edit or removal of the case; nil for anyone else.
	Change *caseChangePart
	// Minutes are the case's minutes as released to the reader; nil when
	// none are written or the reader may not read them here.
	Minutes *minutesRows
	// MinutesForm is the coordinator's minutes form; nil for anyone else.
	MinutesForm *minutesForm
}

// maracCasePage shows a case as released to the reader for the marac
// purpose; to member agencies the research form, to the coordinator who has
// given research and who has not, and the form to agree an action.
func (s *Server) maracCasePage(c echo.Context) error {
	return s.renderMARACCase(c, http.StatusOK, c.Param("id"), nil, nil, nil, nil)
}

func (s *Server) renderMARACCase(c echo.Context, status int, id string, rf *researchForm, rerrs map[string]string, af *actionForm, aerrs map[string]string) error {
	mc, err := s.maracCaseFor(c, id)
	if err != nil {
		return err
	}
	p := principal(c)
	members := marac.Members(s.Agencies)
	tx := s.texts(c, agency.MARAC)
	tx.with(mc.View)
	rows, err := maracActionRows(mc.Actions, s.Now(), tx)
	if err != nil {
		return err
	}
	d := maracCaseData{maracCase: mc, PanelName: s.panelNames()[mc.Meeting.Panel],
		Coordinator: p.Has(identity.MARACCoordinator), Member: maracMember(p, members), Over: mc.Meeting.Over(s.Now()),
		Owners: s.agencyOptions(s.attenders()), Names: s.maracNames(), ResearchErrors: rerrs, ActionErrors: aerrs,
		Saved: c.QueryParam("saved") == "research", ActionRows: rows}
	if !mc.Unreleased {
		d.Sections = releasedSections(mc.View)
	}
	if mc.Status != nil {
		d.Outstanding = s.agencyOptions(mc.Status.Outstanding)
	}
	switch {
	case rf != nil:
		d.Research = *rf
	case mc.Own != nil:
		own, err := tx.release(mc.Own.Summary)
		if err != nil {
			return err
		}
		d.Research = researchForm{Summary: own.Text, KnownToService: yesNoText(mc.Own.KnownToService), OpenCase: yesNoText(mc.Own.OpenCase)}
	}
	if af != nil {
		d.Action = *af
	}
	d.ActionErrors = pageFieldErrors(aerrs, "due")
	w := s.writer(c)
	d.ResearchCategory = textCategory("research-category", "category", "What kind of information does it hold?", d.Research.Category, w, rerrs)
	d.ActionCategory = textCategory("action-category", "category", "What kind of information does the description hold?", d.Action.Category, w, d.ActionErrors)
	d.Due = dateField{ID: "due", Legend: "Due date", Hint: "The last day to do it. For example, 27 3 2027", typedDate: d.Action.Due, Error: d.ActionErrors["due-day"]}
	if d.Coordinator {
		if d.Change, err = s.caseChangeOf(c, mc); err != nil {
			return err
		}
	}
	mn, err := s.caseMinutes(c, mc)
	if err != nil {
		return err
	}
	if mn != nil {
		r, dd, a, err := releaseMinutes(*mn, tx)
		if err != nil {
			return err
		}
		d.Minutes = &minutesRows{Risks: r, Decisions: dd, Actions: a, WrittenAt: stampOf(mn.WrittenAt), By: s.personName(mn.WrittenBy, mn.WrittenAt)}
	}
	if d.Coordinator && !mc.Case.Removed() {
		f, ok := c.Get(string(minutesKey)).(minutesForm)
		if !ok && d.Minutes != nil {
			// The coordinator wrote them, so their view releases them whole.
			f = minutesForm{Risks: d.Minutes.Risks.Text, Decisions: d.Minutes.Decisions.Text, Actions: d.Minutes.Actions.Text}
		}
		f.Done = c.QueryParam("done") == "minutes"
		f.CategoryField = textCategory("minutes-category", "category", "What kind of information do the minutes hold?", f.Category, w, f.Errors)
		d.MinutesForm = &f
	}
	return s.render(c, status, "marac-case", d)
}

func yesNoText(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// submitResearchPage takes the reader's agency's research on the case.
func (s *Server) submitResearchPage(c echo.Context) error {
	id := c.Param("id")
	f := researchForm{Summary: c.FormValue("summary"), KnownToService: c.FormValue("known_to_service"), OpenCase: c.FormValue("open_case"), Category: c.FormValue("category")}
	_, err := s.submitResearch(c, id, marac.NewResearch{Summary: f.Summary, KnownToService: yesNo(f.KnownToService), OpenCase: yesNo(f.OpenCase), Category: f.Category})
	if err != nil {
		status, errs, err := formErrors(err, "summary")
		if err != nil {
			return err
		}
		return s.renderMARACCase(c, status, id, &f, errs, nil, nil)
	}
	return c.Redirect(http.StatusSeeOther, "/marac/cases/"+id+"?saved=research#research")
}

// addActionPage records an action agreed on the case.
func (s *Server) addActionPage(c echo.Context) error {
	id := c.Param("id")
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	f := actionForm{Agency: form.Get("agency"), Description: form.Get("description"), Category: form.Get("category"), Due: typedDateOf(form, "due")}
	errs := map[string]string{}
	iso := checkDate(errs, "due", "the due date", f.Due)
	b := marac.NewAction{Agency: f.Agency, Description: f.Description, Due: iso, Category: f.Category}
	if _, perr := b.Validate(s.attenders(), s.writer(c), s.Now()); perr != nil {
		mergeErrors(errs, perr.Fields)
	}
	if len(errs) == 0 {
		_, err := s.addAction(c, id, b)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/marac/cases/"+id+"#actions")
		}
		status, more, err := formErrors(err, "description")
		if err != nil {
			return err
		}
		return s.renderMARACCase(c, status, id, nil, nil, &f, more)
	}
	return s.renderMARACCase(c, http.StatusUnprocessableEntity, id, nil, nil, &f, errs)
}

type caseListRow struct {
	Case      marac.Case
	Meeting   marac.Meeting
	Submitted bool
}

type maracCasesData struct {
	Rows   []caseListRow
	Agency string
	Panels map[string]string
}

// maracCasesPage lists, for staff of a member agency, the cases on the
// meetings to come and whether their agency has given its research.
func (s *Server) maracCasesPage(c echo.Context) error {
	p := principal(c)
	members := marac.Members(s.Agencies)
	if !maracMember(p, members) {
		return marac.NotFound("Case")
	}
	ctx := c.Request().Context()
	upcoming, err := s.DB.UpcomingMeetings(ctx, s.Now())
	if err != nil {
		return err
	}
	d := maracCasesData{Agency: s.maracNames()[p.Agency], Panels: s.panelNames()}
	for _, um := range upcoming {
		m, err := s.DB.Meeting(ctx, um.ID)
		if err != nil {
			return err
		}
		for _, cs := range m.Cases {
			st, err := s.DB.ResearchStatus(ctx, cs.ID, members)
			if err != nil {
				return err
			}
			d.Rows = append(d.Rows, caseListRow{Case: cs, Meeting: m, Submitted: !slices.Contains(st.Outstanding, p.Agency)})
		}
	}
	return s.render(c, http.StatusOK, "marac-cases", d)
}

// Actions.

type maracActionsData struct {
	Open, Closed []maracActionRow
	Coordinator  bool
	Agency       string // the agency filtered on, for the coordinator; the reader's own for staff
	Options      []agencyOption
	Names        map[string]string
	Overdue      int
	Done         bool // an action's outcome was just recorded
}

// maracActionsPage lists actions by due date, overdue ones flagged: staff
// see their agency's, the coordinator every agency's or one (?agency=).
func (s *Server) maracActionsPage(c echo.Context) error {
	p := principal(c)
	d := maracActionsData{Coordinator: p.Has(identity.MARACCoordinator), Names: s.maracNames(), Options: s.agencyOptions(s.attenders()),
		Done: c.QueryParam("done") == "recorded"}
	f, err := s.actionFilter(p, c.QueryParam("agency"), "", "")
	if err != nil {
		return err
	}
	if f != nil {
		d.Agency = f.Agency
		as, err := s.DB.Actions(c.Request().Context(), *f)
		if err != nil {
			return err
		}
		rows, err := maracActionRows(as, s.Now(), s.texts(c, agency.MARAC))
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.Status == marac.Open {
				d.Open = append(d.Open, r)
				if r.Overdue {
					d.Overdue++
				}
			} else {
				d.Closed = append(d.Closed, r)
			}
		}
	}
	return s.render(c, http.StatusOK, "marac-actions", d)
}

type actionUpdateForm struct {
	Status, Note string
}

type maracActionData struct {
	Action   maracActionRow
	Overdue  bool
	Names    map[string]string
	Statuses []marac.ActionStatus // the statuses the reader may move it to
	Form     actionUpdateForm
	Errors   map[string]string
	More     *actionMore // the coordinator's chase and extension, and their history
}

// maracActionPage shows one action with the form to record what became of it.
func (s *Server) maracActionPage(c echo.Context) error {
	return s.renderMARACAction(c, http.StatusOK, c.Param("id"), actionUpdateForm{}, nil)
}

func (s *Server) renderMARACAction(c echo.Context, status int, id string, f actionUpdateForm, errs map[string]string) error {
	p := principal(c)
	a, err := s.DB.Action(c.Request().Context(), id, p)
	if err != nil {
		return err
	}
	// An action is a record about a person: reading it releases its
	// referral to the reader, audited, before anything is shown.
	tx := s.texts(c, agency.MARAC)
	if _, err := tx.view(a.ReferralID); err != nil {
		return err
	}
	rows, err := maracActionRows([]marac.Action{a}, s.Now(), tx)
	if err != nil {
		return err
	}
	d := maracActionData{Action: rows[0], Overdue: marac.ActionOverdue(a, s.Now()), Names: s.maracNames(), Statuses: nextStatuses(a.Status, p), Form: f, Errors: errs}
	if d.More, err = s.actionMoreOf(c, a); err != nil {
		return err
	}
	return s.render(c, status, "marac-action", d)
}

// nextStatuses lists the statuses p may move an action in status from:
// an open action is closed one of three ways; only the coordinator reopens.
func nextStatuses(from marac.ActionStatus, p identity.Principal) []marac.ActionStatus {
	if from == marac.Open {
		return []marac.ActionStatus{marac.Done, marac.NotPossible, marac.NotDone}
	}
	if p.Has(identity.MARACCoordinator) {
		return []marac.ActionStatus{marac.Open}
	}
	return nil
}

// updateActionPage records what became of an action.
func (s *Server) updateActionPage(c echo.Context) error {
	id := c.Param("id")
	f := actionUpdateForm{Status: c.FormValue("status"), Note: c.FormValue("note")}
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || version < 1 {
		return problem.New(problem.Malformed, "the form could not be read")
	}
	if f.Status == "" {
		return s.renderMARACAction(c, http.StatusUnprocessableEntity, id, f, map[string]string{"status": "Choose what became of the action"})
	}
	_, err = s.DB.UpdateAction(c.Request().Context(), marac.ActionUpdate{ID: id, Status: f.Status, Note: f.Note, IfMatch: version, By: principal(c), Writer: s.writer(c)})
	if err != nil {
		status, errs, err := formErrors(err, "status")
		if err != nil {
			return err
		}
		return s.renderMARACAction(c, status, id, f, errs)
	}
	return c.Redirect(http.StatusSeeOther, "/marac/actions?done=recorded")
}

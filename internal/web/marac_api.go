package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/sharing"
	"github.com/stalking-hub/hub/internal/store"
	"github.com/stalking-hub/hub/internal/vocab"
)

// maracRoutes are the MARAC's pages and API: the coordinator runs meetings,
// member agencies research cases and carry out actions, attendees read the papers.
func (s *Server) maracRoutes() []Route {
	var (
		coordinator = []identity.Role{identity.MARACCoordinator}
		// The people who may take part: who of them sees what is decided per
		// request (maracParticipant, sharing.Release, the acknowledgement).
		participants = []identity.Role{identity.MARACCoordinator, identity.AgencyStaff, identity.Officer, identity.Supervisor}
		// Actions: the coordinator, and whoever owns them (an agency's staff, or
		// the force's officers and supervisors for the police's own).
		coordinatorOrStaff = []identity.Role{identity.MARACCoordinator, identity.AgencyStaff, identity.Officer, identity.Supervisor}
	)
	page := func(method, path string, roles []identity.Role, h echo.HandlerFunc) Route {
		return Route{Method: method, Path: path, Access: Roles, Roles: roles, CSRF: method == http.MethodPost, Handler: h}
	}
	api := func(method, path string, roles []identity.Role, h echo.HandlerFunc) Route {
		return Route{Method: method, Path: "/api/v1" + path, Access: Roles, Roles: roles, Handler: h}
	}
	return []Route{
		api(http.MethodGet, "/marac/queue", coordinator, s.apiMARACQueue),
		api(http.MethodGet, "/marac/meetings", participants, s.apiMARACMeetings),
		api(http.MethodPost, "/marac/meetings", coordinator, s.apiCreateMeeting),
		api(http.MethodGet, "/marac/meetings/:id", participants, s.apiMeeting),
		api(http.MethodPost, "/marac/meetings/:id/cases", coordinator, s.apiAddCase),
		api(http.MethodPost, "/marac/meetings/:id/attendance", coordinator, s.apiRecordAttendance),
		api(http.MethodPost, "/marac/meetings/:id/acknowledgement", participants, s.apiAcknowledge),
		api(http.MethodGet, "/marac/meetings/:id/papers", participants, s.apiPapers),
		api(http.MethodGet, "/marac/cases/:id", participants, s.apiMARACCase),
		api(http.MethodPost, "/marac/cases/:id/research", agencyStaff, s.apiSubmitResearch),
		api(http.MethodPost, "/marac/cases/:id/actions", coordinator, s.apiAddAction),
		api(http.MethodGet, "/marac/actions", coordinatorOrStaff, s.apiActions),
		api(http.MethodGet, "/marac/actions/:id", coordinatorOrStaff, s.apiAction),
		api(http.MethodPatch, "/marac/actions/:id", coordinatorOrStaff, s.apiUpdateAction),

		page(http.MethodGet, "/marac", coordinator, s.maracDashboard),
		page(http.MethodGet, "/marac/meetings/new", coordinator, s.newMeetingPage),
		page(http.MethodPost, "/marac/meetings", coordinator, s.createMeetingPage),
		page(http.MethodGet, "/marac/meetings/:id", participants, s.meetingPage),
		page(http.MethodPost, "/marac/meetings/:id/cases", coordinator, s.addCasePage),
		page(http.MethodPost, "/marac/meetings/:id/attendance", coordinator, s.recordAttendancePage),
		page(http.MethodGet, "/marac/meetings/:id/confidentiality", participants, s.confidentialityPage),
		page(http.MethodPost, "/marac/meetings/:id/confidentiality", participants, s.acknowledgePage),
		page(http.MethodGet, "/marac/meetings/:id/papers", participants, s.papersPage),
		page(http.MethodGet, "/marac/cases", agencyStaff, s.maracCasesPage),
		page(http.MethodGet, "/marac/cases/:id", participants, s.maracCasePage),
		page(http.MethodPost, "/marac/cases/:id/research", agencyStaff, s.submitResearchPage),
		page(http.MethodPost, "/marac/cases/:id/actions", coordinator, s.addActionPage),
		page(http.MethodGet, "/marac/actions", coordinatorOrStaff, s.maracActionsPage),
		page(http.MethodGet, "/marac/actions/:id", coordinatorOrStaff, s.maracActionPage),
		page(http.MethodPost, "/marac/actions/:id", coordinatorOrStaff, s.updateActionPage),
	}
}

// maracParticipant reports whether p takes part in the MARAC at all: the
// coordinator, the force's officers and supervisors, and staff of a member
// agency (one whose agreement has the marac purpose). Anyone else is told
// that meetings and cases do not exist.
func maracParticipant(p identity.Principal, members []string) bool {
	if p.Has(identity.MARACCoordinator) || p.Police() {
		return true
	}
	return p.Has(identity.AgencyStaff) && p.Agency != "" && slices.Contains(members, p.Agency)
}

// maracMember reports whether p is staff of a member agency: the people who
// research cases.
func maracMember(p identity.Principal, members []string) bool {
	return p.Has(identity.AgencyStaff) && p.Agency != "" && slices.Contains(members, p.Agency)
}

// participant refuses, as not found, a caller who takes no part in the MARAC.
func (s *Server) participant(c echo.Context, what string) error {
	if !maracParticipant(principal(c), marac.Members(s.Agencies)) {
		return marac.NotFound(what)
	}
	return nil
}

// attenders are the agencies that may be recorded as attending a meeting:
// the police and the member agencies.
func (s *Server) attenders() []string {
	return append([]string{agency.Police}, marac.Members(s.Agencies)...)
}

// panel returns the configured panel with id, or the first configured panel
// when id is empty.
func (s *Server) panel(id string) (config.Panel, bool) {
	if id == "" && len(s.Config.Marac.Panels) > 0 {
		return s.Config.Marac.Panels[0], true
	}
	return s.Config.Panel(id)
}

func (s *Server) panelIDs() []string {
	var ids []string
	for _, p := range s.Config.Marac.Panels {
		ids = append(ids, p.ID)
	}
	return ids
}

// The JSON of the MARAC API. A case's personal data is only ever encoded
// from a sharing.View (viewJSON); the rest is metadata, the coordinator's
// restricted notes (papers only) and the agencies' own research and actions.

type maracMeetingJSON struct {
	ID        string    `json:"id"`
	Panel     string    `json:"panel"`
	Date      string    `json:"date"`
	CreatedAt time.Time `json:"created_at"`
}

type maracAttendeeJSON struct {
	Agency         string    `json:"agency"`
	Name           string    `json:"name"`
	AcknowledgedAt time.Time `json:"acknowledged_at"`
}

type maracAttendanceJSON struct {
	Attending []string            `json:"attending"`
	Attendees []maracAttendeeJSON `json:"attendees"`
}

type maracMeetingDetailJSON struct {
	maracMeetingJSON
	Cases []maracCaseJSON `json:"cases"`
	maracAttendanceJSON
}

type maracCaseJSON struct {
	ID        string    `json:"id"`
	Meeting   string    `json:"meeting"`
	Referral  string    `json:"referral"`
	Reference string    `json:"reference"`
	Risk      string    `json:"risk_level"`
	Criterion string    `json:"criterion"`
	Repeat    bool      `json:"repeat"`
	AddedAt   time.Time `json:"added_at"`
	// RemovedAt is when the case was taken off the agenda; absent while on it.
	RemovedAt *time.Time `json:"removed_at,omitempty"`
}

// maracResearchJSON is one agency's research. The summary and the answers
// are personal data of the summary's category: a reader the case's View does
// not release them to gets null answers, an empty summary and
// summary_withheld saying why.
type maracResearchJSON struct {
	Case            string    `json:"case"`
	Agency          string    `json:"agency"`
	Summary         string    `json:"summary"`
	SummaryWithheld string    `json:"summary_withheld,omitempty"`
	KnownToService  *bool     `json:"known_to_service"`
	OpenCase        *bool     `json:"open_case"`
	SubmittedAt     time.Time `json:"submitted_at"`
}

type maracSubmittedJSON struct {
	Agency      string    `json:"agency"`
	SubmittedAt time.Time `json:"submitted_at"`
}

type maracResearchStatusJSON struct {
	Submitted   []maracSubmittedJSON `json:"submitted"`
	Outstanding []string             `json:"outstanding"`
}

type maracCaseDetailJSON struct {
	maracCaseJSON
	Date string `json:"date"`
	// Released is the referral as released to the caller; null for a case
	// taken off the agenda, which releases nothing.
	Released *releasedJSON `json:"released"`
	// Research is the caller's own agency's research, for member agencies.
	Research *maracResearchJSON `json:"research,omitempty"`
	// ResearchStatus is who has given research and who has not, for the coordinator.
	ResearchStatus *maracResearchStatusJSON `json:"research_status,omitempty"`
	Actions        []maracActionJSON        `json:"actions"`
	// Minutes are the case's minutes, for the coordinator and attendees who
	// acknowledged confidentiality; absent otherwise or when none are written.
	Minutes *maracMinutesJSON `json:"minutes,omitempty"`
}

type maracActionJSON struct {
	ID          string `json:"id"`
	Case        string `json:"case"`
	Meeting     string `json:"meeting"`
	Referral    string `json:"referral"`
	Reference   string `json:"reference"`
	Agency      string `json:"agency"`
	Description string `json:"description"`
	// DescriptionWithheld and NoteWithheld say why the text is withheld
	// from the reader; empty when it is shown.
	DescriptionWithheld string     `json:"description_withheld,omitempty"`
	Due                 string     `json:"due"`
	Status              string     `json:"status"`
	Note                string     `json:"note,omitempty"`
	NoteWithheld        string     `json:"note_withheld,omitempty"`
	Overdue             bool       `json:"overdue"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           *time.Time `json:"updated_at,omitempty"`
	ETag                string     `json:"etag"`
}

type maracQueueEntryJSON struct {
	Referral  string            `json:"referral"`
	Reference string            `json:"reference"`
	Risk      string            `json:"risk_level"`
	Offence   string            `json:"offence"`
	SentAt    time.Time         `json:"sent_at"`
	Criteria  []marac.Criterion `json:"criteria"`
	LastCase  string            `json:"last_case,omitempty"`
}

type maracPapersCaseJSON struct {
	maracCaseJSON
	Note         string `json:"note"`
	NoteWithheld string `json:"note_withheld,omitempty"`
	// Released is the case as released to the reader; null when nothing of
	// it is released to them now.
	Released *releasedJSON       `json:"released"`
	Research []maracResearchJSON `json:"research"`
	Actions  []maracActionJSON   `json:"actions"`
	Minutes  *maracMinutesJSON   `json:"minutes,omitempty"`
}

type maracPapersJSON struct {
	Marking string `json:"marking"`
	maracMeetingJSON
	maracAttendanceJSON
	Cases  []maracPapersCaseJSON `json:"cases"`
	Review []maracActionJSON     `json:"review"`
	// Apologies are the member agencies that sent apologies.
	Apologies []string `json:"apologies"`
}

func dateOnly(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func maracMeetingJSONOf(m marac.Meeting) maracMeetingJSON {
	return maracMeetingJSON{ID: m.ID, Panel: m.Panel, Date: dateOnly(m.Date), CreatedAt: m.CreatedAt.UTC()}
}

func maracCaseJSONOf(c marac.Case) maracCaseJSON {
	j := maracCaseJSON{ID: c.ID, Meeting: c.MeetingID, Referral: c.ReferralID, Reference: c.Reference, Risk: string(c.Risk),
		Criterion: string(c.Criterion), Repeat: c.Repeat, AddedAt: c.AddedAt.UTC()}
	if c.Removed() {
		at := c.RemovedAt.UTC()
		j.RemovedAt = &at
	}
	return j
}

// maracResearchJSONOf encodes research as tx releases it.
func maracResearchJSONOf(r marac.Research, tx *texts) (maracResearchJSON, error) {
	j := maracResearchJSON{Case: r.CaseID, Agency: r.Agency, SubmittedAt: r.SubmittedAt.UTC()}
	text, why, ok, err := tx.open(r.Summary)
	if ok {
		j.Summary, j.KnownToService, j.OpenCase = text, &r.KnownToService, &r.OpenCase
	} else {
		j.SummaryWithheld = why
	}
	return j, err
}

// maracActionJSONOf encodes an action, its free text as tx releases it.
func maracActionJSONOf(a marac.Action, now time.Time, tx *texts) (maracActionJSON, error) {
	j := maracActionJSON{ID: a.ID, Case: a.CaseID, Meeting: a.MeetingID, Referral: a.ReferralID, Reference: a.Reference,
		Agency: a.Agency, Due: dateOnly(a.Due), Status: string(a.Status),
		Overdue: marac.ActionOverdue(a, now), CreatedAt: a.CreatedAt.UTC(), UpdatedAt: optTime(a.UpdatedAt), ETag: store.ETag(a.Version)}
	desc, err := tx.release(a.Description)
	if err != nil {
		return j, err
	}
	note, err := tx.release(a.Note)
	j.Description, j.DescriptionWithheld, j.Note, j.NoteWithheld = desc.Text, desc.Withheld, note.Text, note.Withheld
	return j, err
}

func maracActionsJSONOf(as []marac.Action, now time.Time, tx *texts) ([]maracActionJSON, error) {
	out := make([]maracActionJSON, 0, len(as))
	for _, a := range as {
		j, err := maracActionJSONOf(a, now, tx)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

func maracAttendanceJSONOf(agencies []string, people []marac.Attendance) maracAttendanceJSON {
	out := maracAttendanceJSON{Attending: append([]string{}, agencies...), Attendees: []maracAttendeeJSON{}}
	for _, a := range people {
		out.Attendees = append(out.Attendees, maracAttendeeJSON{Agency: a.Agency, Name: a.Name, AcknowledgedAt: a.AcknowledgedAt.UTC()})
	}
	return out
}

// apiMARACQueue lists the referrals waiting for a MARAC: eligible and on no
// agenda yet, with the criteria each meets at the panel's threshold.
func (s *Server) apiMARACQueue(c echo.Context) error {
	p, ok := s.panel(c.QueryParam("panel"))
	if !ok {
		return problem.Invalidf("panel", "panel must be one of the configured MARAC panels")
	}
	q, err := s.DB.Queue(c.Request().Context(), p.EscalationIncidents)
	if err != nil {
		return err
	}
	out := maracQueueJSON{Panel: p.ID, EscalationIncidents: p.EscalationIncidents, Referrals: []maracQueueEntryJSON{}}
	for _, e := range q {
		out.Referrals = append(out.Referrals, maracQueueEntryJSON{Referral: e.ReferralID, Reference: e.Reference, Risk: string(e.Risk),
			Offence: e.Offence, SentAt: e.SentAt.UTC(), Criteria: e.Criteria, LastCase: dateOnly(e.LastCase)})
	}
	return answer(c, http.StatusOK, out)
}

// apiMARACMeetings lists the meetings to come, soonest first, and those
// held, latest first; none to a caller who takes no part in the MARAC.
func (s *Server) apiMARACMeetings(c echo.Context) error {
	out := maracMeetingsJSON{Upcoming: []maracMeetingJSON{}, Past: []maracMeetingJSON{}}
	if !maracParticipant(principal(c), marac.Members(s.Agencies)) {
		return answer(c, http.StatusOK, out)
	}
	ctx := c.Request().Context()
	upcoming, err := s.DB.UpcomingMeetings(ctx, s.Now())
	if err != nil {
		return err
	}
	past, err := s.DB.PastMeetings(ctx, s.Now())
	if err != nil {
		return err
	}
	for _, m := range upcoming {
		out.Upcoming = append(out.Upcoming, maracMeetingJSONOf(m))
	}
	for _, m := range past {
		out.Past = append(out.Past, maracMeetingJSONOf(m))
	}
	return answer(c, http.StatusOK, out)
}

// apiCreateMeeting plans a meeting of a panel.
func (s *Server) apiCreateMeeting(c echo.Context) error {
	var b marac.NewMeeting
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	m, perr := b.Validate(s.panelIDs(), s.Now())
	if perr != nil {
		return perr
	}
	m, err := s.DB.CreateMeeting(c.Request().Context(), m, principal(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/marac/meetings/"+m.ID)
	return answer(c, http.StatusCreated, maracMeetingDetailJSON{maracMeetingJSON: maracMeetingJSONOf(m), Cases: []maracCaseJSON{},
		maracAttendanceJSON: maracAttendanceJSONOf(nil, nil)})
}

// apiMeeting answers a meeting's agenda (metadata of its cases, never their
// notes) and who attends.
func (s *Server) apiMeeting(c echo.Context) error {
	if err := s.participant(c, "Meeting"); err != nil {
		return err
	}
	ctx := c.Request().Context()
	m, err := s.DB.Meeting(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	agencies, people, err := s.DB.Attendance(ctx, m.ID)
	if err != nil {
		return err
	}
	out := maracMeetingDetailJSON{maracMeetingJSON: maracMeetingJSONOf(m), Cases: []maracCaseJSON{}, maracAttendanceJSON: maracAttendanceJSONOf(agencies, people)}
	for _, cs := range m.Cases {
		out.Cases = append(out.Cases, maracCaseJSONOf(cs))
	}
	return answer(c, http.StatusOK, out)
}

// apiAddCase puts a referral on a meeting's agenda.
func (s *Server) apiAddCase(c echo.Context) error {
	ctx := c.Request().Context()
	m, err := s.DB.Meeting(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	var b marac.NewCase
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	cs, err := s.addCase(c, m, b)
	if err != nil {
		return err
	}
	return answer(c, http.StatusCreated, maracCaseJSONOf(cs))
}

// addCase validates and stores a case on meeting m. The meeting was found,
// so a referral the store cannot find is the body's mistake.
func (s *Server) addCase(c echo.Context, m marac.Meeting, b marac.NewCase) (marac.Case, error) {
	cs, perr := b.Validate(s.writer(c))
	if perr != nil {
		return cs, perr
	}
	if err := s.checkCriterion(c, m, cs); err != nil {
		return cs, err
	}
	cs, err := s.DB.AddCase(c.Request().Context(), m.ID, cs, principal(c))
	if problem.CodeOf(err) == problem.NotFound {
		return cs, problem.Invalidf("referral", "Choose a referral that has been sent")
	}
	return cs, err
}

type attendanceBody struct {
	Agency string `json:"agency"`
}

// apiRecordAttendance records that an agency attends a meeting.
func (s *Server) apiRecordAttendance(c echo.Context) error {
	var b attendanceBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	if !slices.Contains(s.attenders(), b.Agency) {
		return problem.Invalidf("agency", "agency must be the police or a MARAC member agency")
	}
	ctx := c.Request().Context()
	id := c.Param("id")
	if err := s.DB.RecordAttendance(ctx, id, b.Agency, principal(c)); err != nil {
		return err
	}
	agencies, people, err := s.DB.Attendance(ctx, id)
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, maracAttendanceJSONOf(agencies, people))
}

type acknowledgementBody struct {
	Acknowledged bool `json:"acknowledged"`
}

// apiAcknowledge records that the caller acknowledged a meeting's
// confidentiality; the body must say so in as many words.
func (s *Server) apiAcknowledge(c echo.Context) error {
	if err := s.participant(c, "Meeting"); err != nil {
		return err
	}
	var b acknowledgementBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	if !b.Acknowledged {
		return problem.Invalidf("acknowledged", "Confirm that you will keep what is shared at the meeting confidential")
	}
	a, err := s.DB.Acknowledge(c.Request().Context(), c.Param("id"), principal(c))
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, maracAttendeeJSON{Agency: a.Agency, Name: a.Name, AcknowledgedAt: a.AcknowledgedAt.UTC()})
}

// maracPapers are a meeting's papers as one reader may read them.
type maracPapers struct {
	Meeting   marac.Meeting
	Attending []string
	People    []marac.Attendance
	Cases     []maracPapersCase
	Review    []marac.Action
	Apologies []string // the member agencies that sent apologies
	// texts releases the free text of the papers: each case's through its
	// View, the review's actions through their referrals'.
	texts *texts
}

// maracPapersCase is one case of the papers.
type maracPapersCase struct {
	Case     marac.Case
	View     *sharing.View // nil when nothing of the case is released to the reader
	Research []marac.Research
	Actions  []marac.Action
	Minutes  *marac.Minutes // nil when none are written
}

// papers produces a meeting's papers for the caller: the store checks the
// acknowledgement and audits the papers, then each case goes through
// s.release with the marac purpose, audited too, before anything is written.
// A case not released to the reader stays in the agenda without its content.
func (s *Server) papers(c echo.Context, meetingID string) (maracPapers, error) {
	var out maracPapers
	if err := s.participant(c, "Meeting"); err != nil {
		return out, err
	}
	ctx := c.Request().Context()
	p, err := s.DB.Papers(ctx, meetingID, principal(c))
	if err != nil {
		return out, err
	}
	out.Meeting, out.Review = p.Meeting, p.Review
	if out.Attending, out.People, err = s.DB.Attendance(ctx, meetingID); err != nil {
		return out, err
	}
	out.texts = s.texts(c, agency.MARAC)
	if out.Apologies, err = s.DB.Apologies(ctx, meetingID); err != nil {
		return out, err
	}
	minutes, err := s.DB.MeetingMinutes(ctx, meetingID)
	if err != nil {
		return out, err
	}
	for _, cs := range p.Meeting.Cases {
		pc := maracPapersCase{Case: cs}
		v, err := s.release(c, cs.ReferralID, agency.MARAC)
		switch {
		case err == nil:
			pc.View = &v
			out.texts.with(v)
		case problem.CodeOf(err) != problem.NotFound:
			return out, err
		default:
			out.texts.without(cs.ReferralID)
		}
		for _, r := range p.Research {
			if r.CaseID == cs.ID {
				pc.Research = append(pc.Research, r)
			}
		}
		if pc.Actions, err = s.DB.Actions(ctx, store.ActionFilter{CaseID: cs.ID}); err != nil {
			return out, err
		}
		for i := range minutes {
			if minutes[i].CaseID == cs.ID {
				pc.Minutes = &minutes[i]
			}
		}
		out.Cases = append(out.Cases, pc)
	}
	return out, nil
}

// restrictedMarking heads and foots every page of the papers.
const restrictedMarking = "RESTRICTED — MARAC"

// apiPapers answers a meeting's agenda and minutes, to the coordinator and
// to attendees who acknowledged its confidentiality.
func (s *Server) apiPapers(c echo.Context) error {
	p, err := s.papers(c, c.Param("id"))
	if err != nil {
		return err
	}
	now := s.Now()
	out := maracPapersJSON{Marking: restrictedMarking, maracMeetingJSON: maracMeetingJSONOf(p.Meeting),
		maracAttendanceJSON: maracAttendanceJSONOf(p.Attending, p.People), Cases: []maracPapersCaseJSON{}}
	for _, pc := range p.Cases {
		j := maracPapersCaseJSON{maracCaseJSON: maracCaseJSONOf(pc.Case), Research: []maracResearchJSON{}}
		note, err := p.texts.release(pc.Case.Note)
		if err != nil {
			return err
		}
		j.Note, j.NoteWithheld = note.Text, note.Withheld
		if j.Actions, err = maracActionsJSONOf(pc.Actions, now, p.texts); err != nil {
			return err
		}
		if pc.View != nil {
			v := viewJSON(*pc.View, now)
			j.Released = &v
		}
		if pc.Minutes != nil {
			if j.Minutes, err = maracMinutesJSONOf(*pc.Minutes, p.texts); err != nil {
				return err
			}
		}
		for _, r := range pc.Research {
			rj, err := maracResearchJSONOf(r, p.texts)
			if err != nil {
				return err
			}
			j.Research = append(j.Research, rj)
		}
		out.Cases = append(out.Cases, j)
	}
	review, err := maracActionsJSONOf(p.Review, now, p.texts)
	if err != nil {
		return err
	}
	out.Review, out.Apologies = review, p.Apologies
	return answer(c, http.StatusOK, out)
}

// maracCase is one case as its reader sees it: the case, its meeting, the
// referral released for the marac purpose, and what the reader may see of
// the research and actions.
type maracCase struct {
	Case    marac.Case
	Meeting marac.Meeting
	View    sharing.View
	// Unreleased is true for a case taken off the agenda, which releases
	// nothing of its referral: View is empty then.
	Unreleased bool
	// Own is the reader's agency's research, nil when it has given none.
	Own *marac.Research
	// Status is who has given research and who has not, for the coordinator.
	Status  *marac.ResearchStatus
	Actions []marac.Action
}

// maracCaseFor loads a case for the caller. The referral goes through
// s.release with the marac purpose: a non-member agency, or a case no
// longer shared with the members, is not found.
func (s *Server) maracCaseFor(c echo.Context, id string) (maracCase, error) {
	var out maracCase
	if err := s.participant(c, "Case"); err != nil {
		return out, err
	}
	ctx := c.Request().Context()
	p := principal(c)
	cs, err := s.DB.Case(ctx, id)
	if err != nil {
		return out, err
	}
	m, err := s.DB.Meeting(ctx, cs.MeetingID)
	if err != nil {
		return out, err
	}
	v, err := s.release(c, cs.ReferralID, agency.MARAC)
	switch {
	case problem.CodeOf(err) == problem.NotFound && cs.Removed() && p.Has(identity.MARACCoordinator):
		// Off the agenda, nothing of the referral is released for the
		// MARAC; the coordinator still sees the case's record and history.
		out.Unreleased = true
	case problem.CodeOf(err) == problem.NotFound:
		return out, marac.NotFound("Case")
	case err != nil:
		return out, err
	}
	out.Case, out.Meeting, out.View = cs, m, v
	members := marac.Members(s.Agencies)
	if p.Has(identity.MARACCoordinator) {
		st, err := s.DB.ResearchStatus(ctx, cs.ID, members)
		if err != nil {
			return out, err
		}
		out.Status = &st
	}
	if maracMember(p, members) {
		r, err := s.DB.ResearchOf(ctx, cs.ID, p.Agency)
		switch {
		case err == nil:
			out.Own = &r
		case problem.CodeOf(err) != problem.NotFound:
			return out, err
		}
	}
	as, err := s.DB.Actions(ctx, store.ActionFilter{CaseID: cs.ID})
	if err != nil {
		return out, err
	}
	for _, a := range as {
		if marac.MaySeeAction(a, p) {
			out.Actions = append(out.Actions, a)
		}
	}
	return out, nil
}

// apiMARACCase answers a case as released to the caller for the marac purpose.
func (s *Server) apiMARACCase(c echo.Context) error {
	mc, err := s.maracCaseFor(c, c.Param("id"))
	if err != nil {
		return err
	}
	now := s.Now()
	tx := s.texts(c, agency.MARAC)
	tx.with(mc.View)
	out := maracCaseDetailJSON{maracCaseJSON: maracCaseJSONOf(mc.Case), Date: dateOnly(mc.Meeting.Date)}
	if !mc.Unreleased {
		v := viewJSON(mc.View, now)
		out.Released = &v
	}
	if out.Actions, err = maracActionsJSONOf(mc.Actions, now, tx); err != nil {
		return err
	}
	if mn, err := s.caseMinutes(c, mc); err != nil {
		return err
	} else if mn != nil {
		if out.Minutes, err = maracMinutesJSONOf(*mn, tx); err != nil {
			return err
		}
	}
	if mc.Own != nil {
		r, err := maracResearchJSONOf(*mc.Own, tx)
		if err != nil {
			return err
		}
		out.Research = &r
	}
	if mc.Status != nil {
		st := maracResearchStatusJSON{Submitted: []maracSubmittedJSON{}, Outstanding: append([]string{}, mc.Status.Outstanding...)}
		for _, r := range mc.Status.Submitted {
			st.Submitted = append(st.Submitted, maracSubmittedJSON{Agency: r.Agency, SubmittedAt: r.SubmittedAt.UTC()})
		}
		out.ResearchStatus = &st
	}
	return answer(c, http.StatusOK, out)
}

// apiSubmitResearch takes a member agency's research on a case before its meeting.
func (s *Server) apiSubmitResearch(c echo.Context) error {
	var b marac.NewResearch
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	r, err := s.submitResearch(c, c.Param("id"), b)
	if err != nil {
		return err
	}
	j, err := maracResearchJSONOf(r, s.texts(c, agency.MARAC))
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, j)
}

// submitResearch stores research for the caller's agency, which must be a
// member: another agency is told the case does not exist.
func (s *Server) submitResearch(c echo.Context, caseID string, b marac.NewResearch) (marac.Research, error) {
	p := principal(c)
	if !maracMember(p, marac.Members(s.Agencies)) {
		return marac.Research{}, marac.NotFound("Case")
	}
	r, perr := b.Validate(s.writer(c))
	if perr != nil {
		return r, perr
	}
	return s.DB.SubmitResearch(c.Request().Context(), caseID, r, p)
}

// apiAddAction records an action agreed on a case, owned by one member agency.
func (s *Server) apiAddAction(c echo.Context) error {
	var b marac.NewAction
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	a, err := s.addAction(c, c.Param("id"), b)
	if err != nil {
		return err
	}
	j, err := maracActionJSONOf(a, s.Now(), s.texts(c, agency.MARAC))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/marac/actions/"+a.ID)
	c.Response().Header().Set("ETag", store.ETag(a.Version))
	return answer(c, http.StatusCreated, j)
}

func (s *Server) addAction(c echo.Context, caseID string, b marac.NewAction) (marac.Action, error) {
	a, perr := b.Validate(s.attenders(), s.writer(c), s.Now())
	if perr != nil {
		return a, perr
	}
	return s.DB.AddAction(c.Request().Context(), caseID, a, principal(c))
}

// apiActions lists actions by due date: any for the coordinator, only their
// own agency's for agency staff. Filters agency, status, overdue=true.
func (s *Server) apiActions(c echo.Context) error {
	f, err := s.actionFilter(principal(c), c.QueryParam("agency"), c.QueryParam("status"), c.QueryParam("overdue"))
	if err != nil {
		return err
	}
	out := maracActionsJSON{Actions: []maracActionJSON{}}
	if f == nil {
		return answer(c, http.StatusOK, out)
	}
	as, err := s.DB.Actions(c.Request().Context(), *f)
	if err != nil {
		return err
	}
	if out.Actions, err = maracActionsJSONOf(as, s.Now(), s.texts(c, agency.MARAC)); err != nil {
		return err
	}
	return answer(c, http.StatusOK, out)
}

// actionFilter reads the filters of an action list for p; nil when p can see
// none of what is asked (staff asking for another agency's actions).
func (s *Server) actionFilter(p identity.Principal, agencyID, status, overdue string) (*store.ActionFilter, error) {
	f := store.ActionFilter{Agency: agencyID, Now: s.Now()}
	if status != "" {
		st, err := marac.ParseActionStatus(status)
		if err != nil {
			return nil, problem.Invalidf("status", "status must be one of %s", vocab.MARACActionStatuses.OneOf())
		}
		f.Status = st
	}
	switch overdue {
	case "", "false":
	case "true":
		f.Overdue = true
	default:
		return nil, problem.Invalidf("overdue", "overdue must be true or false")
	}
	if p.Has(identity.MARACCoordinator) {
		return &f, nil
	}
	owner := p.Agency
	if owner == "" && p.Police() {
		owner = agency.Police // the police own actions too
	}
	if owner == "" || agencyID != "" && agencyID != owner {
		return nil, nil
	}
	f.Agency = owner
	return &f, nil
}

// apiAction answers one action to the coordinator or the owning agency. An
// action is a record about a person: reading it releases its referral to
// the reader, audited, before anything is answered.
func (s *Server) apiAction(c echo.Context) error {
	a, err := s.DB.Action(c.Request().Context(), c.Param("id"), principal(c))
	if err != nil {
		return err
	}
	tx := s.texts(c, agency.MARAC)
	if _, err := tx.view(a.ReferralID); err != nil {
		return err
	}
	j, err := maracActionJSONOf(a, s.Now(), tx)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", store.ETag(a.Version))
	return answer(c, http.StatusOK, j)
}

type actionUpdateBody struct {
	Status string `json:"status"`
	Note   string `json:"note"`
}

// apiUpdateAction records what became of an action; If-Match guards against
// a change made since the caller read it.
func (s *Server) apiUpdateAction(c echo.Context) error {
	var b actionUpdateBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	ifMatch, err := parseIfMatch(c.Request().Header.Get("If-Match"))
	if err != nil {
		return err
	}
	a, err := s.DB.UpdateAction(c.Request().Context(), marac.ActionUpdate{ID: c.Param("id"), Status: b.Status, Note: b.Note, IfMatch: ifMatch, By: principal(c), Writer: s.writer(c)})
	if err != nil {
		return err
	}
	j, err := maracActionJSONOf(a, s.Now(), s.texts(c, agency.MARAC))
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", store.ETag(a.Version))
	return answer(c, http.StatusOK, j)
}

// Package marac holds the Multi-Agency Risk Assessment Conference: who is
// eligible, meetings and their cases, agencies' research, and the actions agreed.
package marac

import (
	"fmt"
	"slices"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
	"github.com/stalking-hub/hub/internal/vocab"
)

// Criterion is why a referral goes to MARAC.
type Criterion string

// The four referral criteria, in the order the API lists them.
const (
	VisibleHighRisk       Criterion = "visible_high_risk"      // DASH 14 or more
	ProfessionalJudgement Criterion = "professional_judgement" // the referrer's stated concern
	PotentialEscalation   Criterion = "potential_escalation"   // the panel's number of incidents in 12 months
	Repeat                Criterion = "repeat"                 // the same victim and suspect within 12 months of their last case
)

// Criteria lists every criterion.
var Criteria = vocab.Typed[Criterion](vocab.MARACCriteria)

// ParseCriterion returns the criterion with the given name.
func ParseCriterion(s string) (Criterion, error) {
	if slices.Contains(Criteria, Criterion(s)) {
		return Criterion(s), nil
	}
	return "", fmt.Errorf("unknown MARAC criterion %q", s)
}

// Meeting is one conference of a panel on a date.
type Meeting struct {
	ID        string
	Panel     string    // a configured panel id
	Date      time.Time // the day, at midnight UTC
	CreatedBy string
	CreatedAt time.Time
	Cases     []Case // the agenda in order, cases as they were added; set when one meeting is loaded
}

// Over reports whether the meeting has taken place: from the day after its
// date. Research and new cases are taken up to and on the day itself.
func (m Meeting) Over(now time.Time) bool { return day(now).After(m.Date) }

// Case is one referral on a meeting's agenda.
type Case struct {
	ID         string
	MeetingID  string
	ReferralID string
	Reference  string // the referral's human reference
	Risk       risk.Level
	Criterion  Criterion
	// Note is the coordinator's note on the case, sealed with its category.
	// It is restricted: only the coordinator and attendees who acknowledged
	// confidentiality read it, and only as sharing.Release releases it.
	Note sealed.Text
	// Repeat is true when the same victim and suspect had a case heard in the
	// 12 months before this meeting.
	Repeat  bool
	AddedBy string
	AddedAt time.Time
	// RemovedAt is when the coordinator took the case off the agenda, zero
	// while it is on it; RemovedBy is who did. A removed case stays in the
	// record with its research and actions.
	RemovedAt time.Time
	RemovedBy string
}

// Removed reports whether the case was taken off its meeting's agenda.
func (c Case) Removed() bool { return !c.RemovedAt.IsZero() }

// Research is what one member agency holds on a case, given before the meeting.
type Research struct {
	CaseID         string
	Agency         string
	Summary        sealed.Text // free text, sealed with its category; may be empty when the person is not known to the service
	KnownToService bool
	OpenCase       bool
	SubmittedBy    string
	SubmittedAt    time.Time
}

// ResearchStatus is, for one case, who has given research and who has not.
type ResearchStatus struct {
	Submitted   []Research // without summaries: the coordinator sees who, not what
	Outstanding []string   // member agency ids yet to submit
}

// Attendance is one person at a meeting for an agency, recorded when they
// acknowledge its confidentiality.
type Attendance struct {
	MeetingID string
	Agency    string
	Person    string // the person's subject
	Name      string
	// AcknowledgedAt is when the person acknowledged that what is shared at
	// the meeting is confidential; zero until then. The papers stay closed
	// to them until it is set.
	AcknowledgedAt time.Time
}

// Attendee is p's attendance at a meeting: their agency, or the police for
// the force's officers, and none for the coordinator, who runs the meeting.
func Attendee(meetingID string, p identity.Principal) Attendance {
	return Attendance{MeetingID: meetingID, Agency: attendsFor(p), Person: p.Subject, Name: p.Name}
}

func attendsFor(p identity.Principal) string {
	if p.Agency == "" && p.Police() {
		return agency.Police
	}
	return p.Agency
}

// ActionStatus is where an agreed action stands.
type ActionStatus string

// The statuses of an action. not_possible and not_done are kept apart: the
// meeting reviews "circumstances changed" differently from "the agency did not do it".
const (
	Open        ActionStatus = "open"
	Done        ActionStatus = "done"
	NotPossible ActionStatus = "not_possible"
	NotDone     ActionStatus = "not_done"
)

// ActionStatuses lists every action status.
var ActionStatuses = vocab.Typed[ActionStatus](vocab.MARACActionStatuses)

// ParseActionStatus returns the action status with the given name.
func ParseActionStatus(s string) (ActionStatus, error) {
	if slices.Contains(ActionStatuses, ActionStatus(s)) {
		return ActionStatus(s), nil
	}
	return "", fmt.Errorf("unknown MARAC action status %q", s)
}

// Action is one action agreed at a meeting, owned by one agency.
type Action struct {
	ID          string
	CaseID      string
	MeetingID   string
	ReferralID  string
	Reference   string      // the referral's human reference
	Agency      string      // the owning agency
	Description sealed.Text // what is to be done, sealed with its category
	Due         time.Time   // the last day, at midnight UTC
	Status      ActionStatus
	Note        sealed.Text // what the owner recorded with the last change of status, sealed with its category
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedBy   string
	UpdatedAt   time.Time
	Version     int // for ETag and If-Match
}

// Papers are a meeting's restricted papers: the agenda with its notes, every
// agency's research, and the open actions from earlier meetings to review.
type Papers struct {
	Meeting  Meeting
	Research []Research
	Review   []Action
}

// QueueEntry is a referral that meets at least one criterion and is on no
// agenda yet: it waits in the coordinator's queue. Metadata only.
type QueueEntry struct {
	ReferralID string
	Reference  string
	Risk       risk.Level
	Offence    string
	SentAt     time.Time
	Criteria   []Criterion // never empty
	LastCase   time.Time   // the pair's latest earlier case, zero if none
}

// Dashboard is what the coordinator sees first.
type Dashboard struct {
	Next        *Meeting        // the next meeting with its agenda (no notes); nil when none is planned
	Outstanding []AgencyCount   // research not yet given on the cases of meetings to come, by agency
	Actions     []AgencyActions // open and overdue actions, by owning agency
	Repeats     []Case          // repeat cases on meetings from 12 months ago onwards, latest meeting first (no notes)
}

// AgencyCount is a number for one agency.
type AgencyCount struct {
	Agency string
	Count  int
}

// AgencyActions counts one agency's open actions and how many of them are overdue.
type AgencyActions struct {
	Agency        string
	Open, Overdue int
}

// NotFound is the error for a meeting, case or action that does not exist or
// that the reader may not see; the two are never told apart.
func NotFound(what string) *problem.Error {
	return problem.New(problem.NotFound, "%s not found", what)
}

// Members lists the MARAC member agencies: those whose agreement has terms
// for the marac purpose. They research cases and see them through sharing.Release.
func Members(d *agency.Directory) []string {
	var ids []string
	for _, a := range d.All() {
		if _, ok := a.Terms(agency.MARAC); ok {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

// MaySeeAction reports whether p may see and update action a: the
// coordinator, staff of the owning agency, and the force's officers and
// supervisors for an action the police own.
func MaySeeAction(a Action, p identity.Principal) bool {
	return p.Has(identity.MARACCoordinator) || p.Has(identity.AgencyStaff) && p.Agency != "" && p.Agency == a.Agency ||
		a.Agency == agency.Police && p.Agency == "" && p.Police()
}

// MayAcknowledge reports whether p may acknowledge a meeting's
// confidentiality, and so read its papers: the coordinator, and people of an
// agency the coordinator recorded as attending (attending lists them).
func MayAcknowledge(p identity.Principal, attending []string) bool {
	if p.Has(identity.MARACCoordinator) {
		return true
	}
	id := attendsFor(p)
	return id != "" && slices.Contains(attending, id)
}

// MaySeePapers reports whether p may read a meeting's restricted papers: the
// coordinator always; anyone else only once they have acknowledged confidentiality.
func MaySeePapers(p identity.Principal, acknowledged bool) bool {
	return p.Has(identity.MARACCoordinator) || acknowledged
}

// day is the UTC date of t, at midnight.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// withinYear reports whether the day of later is no more than 12 calendar
// months after the day of earlier; exactly 12 months counts. From 29 February
// the 12 months run to 1 March, as time.AddDate normalises.
func withinYear(earlier, later time.Time) bool {
	return !day(later).After(day(earlier).AddDate(1, 0, 0))
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// sqlReader is a transaction or the reader pool.
type sqlReader interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// Seal contexts bind each sealed MARAC text to the row it belongs to.
func caseNoteContext(caseID string) string           { return caseID + "/note" }
func researchContext(caseID, agencyID string) string { return caseID + "/research/" + agencyID }
func actionDescContext(actionID string) string       { return actionID + "/description" }
func actionNoteContext(actionID string) string       { return actionID + "/note" }

// CreateMeeting stores a meeting the coordinator planned (validated by
// marac.NewMeeting) and returns it with its id.
func (db *DB) CreateMeeting(ctx context.Context, m marac.Meeting, by identity.Principal) (marac.Meeting, error) {
	m.ID, m.CreatedBy, m.CreatedAt, m.Cases = newID("mm-"), by.Subject, db.Now().UTC(), nil
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO marac_meetings (id, panel, meeting_date, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			m.ID, m.Panel, dateText(m.Date), m.CreatedBy, timeText(m.CreatedAt))
		return err
	})
	return m, err
}

// UpcomingMeetings lists the meetings from today on, soonest first, without their agendas.
func (db *DB) UpcomingMeetings(ctx context.Context, now time.Time) ([]marac.Meeting, error) {
	return db.meetings(ctx, db.r, `WHERE meeting_date >= ? ORDER BY meeting_date, created_at, id`, dateText(now))
}

// PastMeetings lists the meetings before today, latest first, without their agendas.
func (db *DB) PastMeetings(ctx context.Context, now time.Time) ([]marac.Meeting, error) {
	return db.meetings(ctx, db.r, `WHERE meeting_date < ? ORDER BY meeting_date DESC, created_at DESC, id DESC`, dateText(now))
}

// Meeting loads a meeting and its agenda. Case notes are left closed: they
// are restricted, and only Papers opens them.
func (db *DB) Meeting(ctx context.Context, id string) (marac.Meeting, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return marac.Meeting{}, err
	}
	defer tx.Rollback()
	return db.meetingWithCases(ctx, tx, id, false)
}

func (db *DB) meetings(ctx context.Context, q sqlReader, where string, args ...any) ([]marac.Meeting, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, panel, meeting_date, created_by, created_at FROM marac_meetings `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []marac.Meeting
	for rows.Next() {
		var m marac.Meeting
		var date, created string
		if err := rows.Scan(&m.ID, &m.Panel, &date, &m.CreatedBy, &created); err != nil {
			return nil, err
		}
		m.Date, m.CreatedAt = parseDate(date), parseTime(created)
		out = append(out, m)
	}
	return out, rows.Err()
}

func (db *DB) meeting(ctx context.Context, q sqlReader, id string) (marac.Meeting, error) {
	ms, err := db.meetings(ctx, q, `WHERE id = ?`, id)
	if err != nil {
		return marac.Meeting{}, err
	}
	if len(ms) == 0 {
		return marac.Meeting{}, marac.NotFound("Meeting")
	}
	return ms[0], nil
}

func (db *DB) meetingWithCases(ctx context.Context, q sqlReader, id string, withNotes bool) (marac.Meeting, error) {
	m, err := db.meeting(ctx, q, id)
	if err != nil {
		return m, err
	}
	m.Cases, err = db.cases(ctx, q, withNotes, `WHERE c.meeting_id = ? AND c.removed_at = '' ORDER BY c.position`, id)
	return m, err
}

// cases loads cases with their referral's reference and risk; the restricted
// note is opened only withNotes.
func (db *DB) cases(ctx context.Context, q sqlReader, withNotes bool, where string, args ...any) ([]marac.Case, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.meeting_id, c.referral_id, r.reference, r.risk_level, c.criterion, c.note_key, c.note, c.note_category, c.note_author, c.is_repeat, c.added_by, c.added_at, c.removed_at, c.removed_by
		FROM marac_cases c JOIN referrals r ON r.id = c.referral_id JOIN marac_meetings m ON m.id = c.meeting_id `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []marac.Case
	for rows.Next() {
		var c marac.Case
		var level, criterion, added, removed string
		var note freeText
		if err := rows.Scan(&c.ID, &c.MeetingID, &c.ReferralID, &c.Reference, &level, &criterion, &note.keyID, &note.sealed, &note.category, &note.author, &c.Repeat, &c.AddedBy, &added, &removed, &c.RemovedBy); err != nil {
			return nil, err
		}
		c.Risk, c.Criterion, c.AddedAt, c.RemovedAt = risk.Level(level), marac.Criterion(criterion), parseTime(added), parseTime(removed)
		if withNotes {
			if c.Note, err = db.openFree(c.ReferralID, note, caseNoteContext(c.ID)); err != nil {
				return nil, err
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Case loads one case, without its restricted note.
func (db *DB) Case(ctx context.Context, id string) (marac.Case, error) {
	cs, err := db.cases(ctx, db.r, false, `WHERE c.id = ?`, id)
	if err != nil {
		return marac.Case{}, err
	}
	if len(cs) == 0 {
		return marac.Case{}, marac.NotFound("Case")
	}
	return cs[0], nil
}

// AddCase puts a sent referral on a meeting's agenda (c validated by
// marac.NewCase) in one transaction: the meeting must not be over and the
// referral not already on it (Conflict). The case is marked repeat when the
// same victim and suspect, by their keyed fingerprints, or the same
// referral, had a case at a meeting in the 12 months before this one. The
// listing is audited and goes on the referral's timeline for the force.
func (db *DB) AddCase(ctx context.Context, meetingID string, c marac.Case, by identity.Principal) (marac.Case, error) {
	now := db.Now().UTC()
	c.ID, c.MeetingID, c.AddedBy, c.AddedAt = newID("mc-"), meetingID, by.Subject, now
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		m, err := db.meeting(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		if m.Over(now) {
			return problem.New(problem.Conflict, "The meeting has taken place; put the case on a later meeting")
		}
		var state, level, victimFP, suspectFP string
		err = tx.QueryRowContext(ctx, `SELECT reference, state, risk_level, victim_fp, suspect_fp FROM referrals WHERE id = ?`, c.ReferralID).
			Scan(&c.Reference, &state, &level, &victimFP, &suspectFP)
		if errors.Is(err, sql.ErrNoRows) {
			return referral.NotFound()
		}
		if err != nil {
			return err
		}
		if referral.State(state) != referral.Open {
			return problem.New(problem.Conflict, "A draft referral cannot go to MARAC; send it first")
		}
		c.Risk = risk.Level(level)
		var one int
		var removed string
		err = tx.QueryRowContext(ctx, `SELECT 1, removed_at FROM marac_cases WHERE meeting_id = ? AND referral_id = ?`, meetingID, c.ReferralID).Scan(&one, &removed)
		if err == nil && removed != "" {
			return problem.New(problem.Conflict, "The referral was removed from this meeting's agenda; put it on another meeting")
		}
		if err == nil {
			return problem.New(problem.Conflict, "The referral is already on this meeting's agenda")
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var last sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT MAX(m.meeting_date) FROM marac_cases c
			JOIN marac_meetings m ON m.id = c.meeting_id JOIN referrals o ON o.id = c.referral_id
			WHERE m.meeting_date < ? AND c.removed_at = '' AND (c.referral_id = ? OR (? <> '' AND ? <> '' AND o.victim_fp = ? AND o.suspect_fp = ?))`,
			dateText(m.Date), c.ReferralID, victimFP, suspectFP, victimFP, suspectFP).Scan(&last); err != nil {
			return err
		}
		c.Repeat = marac.RepeatCase(parseDate(last.String), m.Date)
		note, err := db.sealFree(c.Note, caseNoteContext(c.ID))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO marac_cases (id, meeting_id, referral_id, position, criterion, note_key, note, note_category, note_author, is_repeat, added_by, added_at)
			VALUES (?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM marac_cases WHERE meeting_id = ?), ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, meetingID, c.ReferralID, meetingID, string(c.Criterion), note.keyID, note.sealed, note.category, note.author, c.Repeat, c.AddedBy, timeText(now)); err != nil {
			return err
		}
		if err := db.record(ctx, tx, by, audit.MARACCaseAdded, c.ReferralID, "", string(c.Criterion)); err != nil {
			return err
		}
		if err := db.partnerEvent(ctx, tx, partner.MARACCaseListed, agency.Police, c.ReferralID, c.Reference, ""); err != nil {
			return err
		}
		if err := db.noticeMARACMembers(ctx, tx, c.ReferralID, c.Reference); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s meeting on %s; criterion %s", m.Panel, dateText(m.Date), c.Criterion)
		if c.Repeat {
			detail += "; repeat"
		}
		// The listing is told to the force, not to every recipient of the
		// referral: member agencies learn of it through the MARAC itself.
		return db.addEvent(ctx, tx, c.ReferralID, now, by, agency.Police, "marac_case_added", detail)
	})
	return c, err
}

// Queue lists the referrals waiting for the coordinator: sent, on no agenda
// yet, and meeting at least one criterion (marac.Eligible) with the panel's
// escalation threshold. SQL keeps only referrals that could meet one; the
// decision itself is marac.Eligible's, taken at the time each was sent.
// Oldest first.
func (db *DB) Queue(ctx context.Context, escalationIncidents int) ([]marac.QueueEntry, error) {
	return db.eligible(ctx, escalationIncidents, `NOT EXISTS (SELECT 1 FROM marac_cases c WHERE c.referral_id = r.id AND c.removed_at = '')`)
}

// CriteriaOf lists the criteria a sent referral meets, listed or not, with
// the panel's escalation threshold; none for a referral not sent or unknown.
// Its own cases do not make it a repeat.
func (db *DB) CriteriaOf(ctx context.Context, referralID string, escalationIncidents int) ([]marac.Criterion, error) {
	es, err := db.eligible(ctx, escalationIncidents, `r.id = ?`, referralID)
	if err != nil || len(es) == 0 {
		return nil, err
	}
	return es[0].Criteria, nil
}

// eligible lists the sent referrals chosen by which that meet at least one criterion.
func (db *DB) eligible(ctx context.Context, escalationIncidents int, which string, args ...any) ([]marac.QueueEntry, error) {
	threshold := escalationIncidents
	if threshold < 1 {
		return nil, errors.New("a MARAC panel's escalation threshold is at least 1")
	}
	rows, err := db.r.QueryContext(ctx, `SELECT * FROM (
		SELECT r.id, r.reference, r.risk_level, r.offence, r.sent_at, r.risk_tool, r.risk_score, r.incidents, r.first_incident, r.last_incident, r.marac_concern,
			(SELECT MAX(m.meeting_date) FROM marac_cases c JOIN marac_meetings m ON m.id = c.meeting_id JOIN referrals o ON o.id = c.referral_id
			 WHERE c.removed_at = '' AND c.referral_id <> r.id AND r.victim_fp <> '' AND r.suspect_fp <> '' AND o.victim_fp = r.victim_fp AND o.suspect_fp = r.suspect_fp
			   AND m.meeting_date <= substr(r.sent_at, 1, 10)) AS last_case
		FROM referrals r
		WHERE r.state = 'sent' AND `+which+`
	) q
	WHERE (q.risk_tool = ? AND q.risk_score >= ?) OR q.marac_concern = 1 OR q.incidents >= ? OR q.last_case IS NOT NULL
	ORDER BY q.sent_at, q.id`, append(args, string(risk.DASH), risk.VisibleHighRisk, threshold)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []marac.QueueEntry
	for rows.Next() {
		var e marac.QueueEntry
		var level, sent, tool, first, lastIncident string
		var score sql.NullInt64
		var lastCase sql.NullString
		in := marac.EligibilityInput{EscalationIncidents: threshold}
		if err := rows.Scan(&e.ReferralID, &e.Reference, &level, &e.Offence, &sent, &tool, &score, &in.Incidents, &first, &lastIncident, &in.Concern, &lastCase); err != nil {
			return nil, err
		}
		e.Risk, e.SentAt, e.LastCase = risk.Level(level), parseTime(sent), parseDate(lastCase.String)
		in.RiskTool, in.FirstIncident, in.LastIncident, in.LastCase = risk.Tool(tool), parseDate(first), parseDate(lastIncident), e.LastCase
		if score.Valid {
			v := int(score.Int64)
			in.RiskScore = &v
		}
		if e.Criteria = marac.Eligible(in, e.SentAt); len(e.Criteria) > 0 {
			out = append(out, e)
		}
	}
	return out, rows.Err()
}

// SubmitResearch stores what an agency holds on a case (r validated by
// marac.NewResearch, r.Agency the submitting member agency), replacing its
// earlier submission, and audits it. Research is taken up to the day of the meeting.
func (db *DB) SubmitResearch(ctx context.Context, caseID string, r marac.Research, by identity.Principal) (marac.Research, error) {
	if r.Agency == "" {
		return r, errors.New("research needs the submitting agency")
	}
	now := db.Now().UTC()
	r.CaseID, r.SubmittedBy, r.SubmittedAt = caseID, by.Subject, now
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		m, referralID, err := db.meetingOfCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if m.Over(now) {
			return problem.New(problem.Conflict, "The meeting has taken place; research is no longer taken for it")
		}
		if err := notRemoved(ctx, tx, caseID); err != nil {
			return err
		}
		// The detail names the case, never the answers: "known to a mental
		// health service" is itself personal data.
		if err := db.record(ctx, tx, by, audit.MARACResearch, referralID, r.Agency, caseID); err != nil {
			return err
		}
		summary, err := db.sealFree(r.Summary, researchContext(caseID, r.Agency))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO marac_research (case_id, agency, summary_key, summary, summary_category, known_to_service, open_case, submitted_by, submitted_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (case_id, agency) DO UPDATE SET summary_key = excluded.summary_key, summary = excluded.summary, summary_category = excluded.summary_category,
				known_to_service = excluded.known_to_service, open_case = excluded.open_case,
				submitted_by = excluded.submitted_by, submitted_at = excluded.submitted_at`,
			caseID, r.Agency, summary.keyID, summary.sealed, summary.category, r.KnownToService, r.OpenCase, r.SubmittedBy, timeText(now))
		if err != nil {
			return err
		}
		// The summary as read back: sealed about the case's referral.
		rs, err := db.research(ctx, tx, true, `WHERE case_id = ? AND agency = ?`, caseID, r.Agency)
		if err == nil && len(rs) == 1 {
			r = rs[0]
		}
		return err
	})
	return r, err
}

// notRemoved refuses (Conflict) a case taken off its agenda: it takes no
// more research or actions.
func notRemoved(ctx context.Context, tx *sql.Tx, caseID string) error {
	var removed string
	if err := tx.QueryRowContext(ctx, `SELECT removed_at FROM marac_cases WHERE id = ?`, caseID).Scan(&removed); err != nil {
		return err
	}
	if removed != "" {
		return problem.New(problem.Conflict, "The case was removed from the agenda")
	}
	return nil
}

// meetingOfCase loads the meeting a case is on, and the case's referral id.
func (db *DB) meetingOfCase(ctx context.Context, q sqlReader, caseID string) (marac.Meeting, string, error) {
	var meetingID, referralID string
	err := q.QueryRowContext(ctx, `SELECT meeting_id, referral_id FROM marac_cases WHERE id = ?`, caseID).Scan(&meetingID, &referralID)
	if errors.Is(err, sql.ErrNoRows) {
		return marac.Meeting{}, "", marac.NotFound("Case")
	}
	if err != nil {
		return marac.Meeting{}, "", err
	}
	m, err := db.meeting(ctx, q, meetingID)
	return m, referralID, err
}

// ResearchOf loads one agency's research on a case, for that agency to read
// and change; NotFound when it has given none.
func (db *DB) ResearchOf(ctx context.Context, caseID, agencyID string) (marac.Research, error) {
	rs, err := db.research(ctx, db.r, true, `WHERE case_id = ? AND agency = ?`, caseID, agencyID)
	if err != nil {
		return marac.Research{}, err
	}
	if len(rs) == 0 {
		return marac.Research{}, marac.NotFound("Research")
	}
	return rs[0], nil
}

// ResearchStatus says which of the member agencies have given research on a
// case and which have not. Summaries stay sealed: this is who, not what.
func (db *DB) ResearchStatus(ctx context.Context, caseID string, members []string) (marac.ResearchStatus, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return marac.ResearchStatus{}, err
	}
	defer tx.Rollback()
	if _, _, err := db.meetingOfCase(ctx, tx, caseID); err != nil {
		return marac.ResearchStatus{}, err
	}
	submitted, err := db.research(ctx, tx, false, `WHERE case_id = ?`, caseID)
	if err != nil {
		return marac.ResearchStatus{}, err
	}
	return marac.ResearchStatus{Submitted: submitted, Outstanding: marac.Outstanding(members, submitted)}, nil
}

// research loads research rows ordered by case and agency; the summary is
// opened only withSummary.
func (db *DB) research(ctx context.Context, q sqlReader, withSummary bool, where string, args ...any) ([]marac.Research, error) {
	rows, err := q.QueryContext(ctx, `SELECT case_id, (SELECT referral_id FROM marac_cases WHERE id = case_id), agency, summary_key, summary, summary_category,
		known_to_service, open_case, submitted_by, submitted_at
		FROM marac_research `+where+` ORDER BY case_id, agency`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []marac.Research
	for rows.Next() {
		var r marac.Research
		var referralID, at string
		var summary freeText
		if err := rows.Scan(&r.CaseID, &referralID, &r.Agency, &summary.keyID, &summary.sealed, &summary.category, &r.KnownToService, &r.OpenCase, &r.SubmittedBy, &at); err != nil {
			return nil, err
		}
		r.SubmittedAt, summary.author = parseTime(at), r.Agency
		if withSummary {
			if r.Summary, err = db.openFree(referralID, summary, researchContext(r.CaseID, r.Agency)); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RecordAttendance records that an agency attends a meeting: its people may
// then acknowledge confidentiality and read the papers. Recording it twice
// changes nothing.
func (db *DB) RecordAttendance(ctx context.Context, meetingID, agencyID string, by identity.Principal) error {
	now := db.Now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.meeting(ctx, tx, meetingID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO marac_meeting_agencies (meeting_id, agency, recorded_by, recorded_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (meeting_id, agency) DO NOTHING`, meetingID, agencyID, by.Subject, timeText(now))
		return err
	})
}

// Acknowledge records that p acknowledged the confidentiality of a meeting,
// and so their attendance (marac.Attendee). Only the coordinator and people
// of an attending agency may (marac.MayAcknowledge); anyone else is
// Forbidden. The first acknowledgement stands and is the one audited; it
// returns the attendance as stored.
func (db *DB) Acknowledge(ctx context.Context, meetingID string, p identity.Principal) (marac.Attendance, error) {
	now := db.Now().UTC()
	a := marac.Attendee(meetingID, p)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.meeting(ctx, tx, meetingID); err != nil {
			return err
		}
		attending, err := attendingAgencies(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		if !marac.MayAcknowledge(p, attending) {
			return problem.New(problem.Forbidden, "Your agency is not recorded as attending this meeting; ask the MARAC coordinator")
		}
		var at string
		if err := tx.QueryRowContext(ctx, `INSERT INTO marac_attendance (meeting_id, agency, person, name, acknowledged_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (meeting_id, agency, person) DO UPDATE SET name = excluded.name
			RETURNING acknowledged_at`, meetingID, a.Agency, a.Person, a.Name, timeText(now)).Scan(&at); err != nil {
			return err
		}
		a.AcknowledgedAt = parseTime(at)
		if !a.AcknowledgedAt.Equal(now) {
			return nil
		}
		return db.record(ctx, tx, p, audit.MARACAcknowledged, meetingID, a.Agency, "")
	})
	return a, err
}

func attendingAgencies(ctx context.Context, q sqlReader, meetingID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT agency FROM marac_meeting_agencies WHERE meeting_id = ? ORDER BY agency`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Attendance lists the agencies recorded as attending a meeting, and the
// people who acknowledged its confidentiality, by agency then name.
func (db *DB) Attendance(ctx context.Context, meetingID string) (agencies []string, people []marac.Attendance, err error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	if agencies, err = attendingAgencies(ctx, tx, meetingID); err != nil {
		return nil, nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT agency, person, name, acknowledged_at FROM marac_attendance WHERE meeting_id = ? ORDER BY agency, name, person`, meetingID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		a := marac.Attendance{MeetingID: meetingID}
		var at string
		if err := rows.Scan(&a.Agency, &a.Person, &a.Name, &at); err != nil {
			return nil, nil, err
		}
		a.AcknowledgedAt = parseTime(at)
		people = append(people, a)
	}
	return agencies, people, rows.Err()
}

// HasAcknowledged reports whether the person (subject) acknowledged the
// confidentiality of the meeting.
func (db *DB) HasAcknowledged(ctx context.Context, meetingID, subject string) (bool, error) {
	return hasAcknowledged(ctx, db.r, meetingID, subject)
}

func hasAcknowledged(ctx context.Context, q sqlReader, meetingID, subject string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM marac_attendance WHERE meeting_id = ? AND person = ? LIMIT 1`, meetingID, subject).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Papers loads a meeting's restricted papers for reader: the agenda with the
// case notes, every agency's research, and the open actions from earlier
// meetings to review. Only a reader marac.MaySeePapers allows gets them;
// anyone else is told to acknowledge confidentiality first (Forbidden). The
// papers are audited (marac_papers) and the entry committed before they are
// returned: if it cannot be written, nothing is.
func (db *DB) Papers(ctx context.Context, meetingID string, reader identity.Principal) (marac.Papers, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return marac.Papers{}, err
	}
	defer tx.Rollback()
	m, err := db.meeting(ctx, tx, meetingID)
	if err != nil {
		return marac.Papers{}, err
	}
	ack, err := hasAcknowledged(ctx, tx, meetingID, reader.Subject)
	if err != nil {
		return marac.Papers{}, err
	}
	if !marac.MaySeePapers(reader, ack) {
		return marac.Papers{}, problem.New(problem.Forbidden, "Acknowledge that the meeting is confidential before reading its papers")
	}
	var p marac.Papers
	if p.Meeting, err = db.meetingWithCases(ctx, tx, m.ID, true); err != nil {
		return p, err
	}
	if p.Research, err = db.research(ctx, tx, true, `WHERE case_id IN (SELECT id FROM marac_cases WHERE meeting_id = ? AND removed_at = '')`, m.ID); err != nil {
		return p, err
	}
	if p.Review, err = db.reviewActions(ctx, tx, m); err != nil {
		return p, err
	}
	err = db.Audit(ctx, audit.Entry{
		Actor: reader.Subject, ActorAgency: reader.Agency, Action: audit.MARACPapers, Record: m.ID, Purpose: string(agency.MARAC),
		Detail: fmt.Sprintf("cases=%d research=%d review=%d", len(p.Meeting.Cases), len(p.Research), len(p.Review)), RequestID: audit.RequestIDFrom(ctx),
	})
	if err != nil {
		return marac.Papers{}, err
	}
	return p, nil
}

// AddAction records an action agreed on a case (a validated by
// marac.NewAction), audits it, puts it on the referral's timeline for the
// owning agency and tells the agency's mailbox.
func (db *DB) AddAction(ctx context.Context, caseID string, a marac.Action, by identity.Principal) (marac.Action, error) {
	now := db.Now().UTC()
	a.ID, a.CaseID, a.Status, a.Note, a.CreatedBy, a.CreatedAt, a.Version = newID("ma-"), caseID, marac.Open, sealed.Text{}, by.Subject, now, 1
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT c.meeting_id, c.referral_id, r.reference FROM marac_cases c JOIN referrals r ON r.id = c.referral_id WHERE c.id = ?`, caseID).
			Scan(&a.MeetingID, &a.ReferralID, &a.Reference)
		if errors.Is(err, sql.ErrNoRows) {
			return marac.NotFound("Case")
		}
		if err != nil {
			return err
		}
		if err := notRemoved(ctx, tx, caseID); err != nil {
			return err
		}
		desc, err := db.sealFree(a.Description, actionDescContext(a.ID))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO marac_actions (id, case_id, agency, description_key, description, description_category, description_author, due, status, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, caseID, a.Agency, desc.keyID, desc.sealed, desc.category, desc.author, dateText(a.Due), string(a.Status), a.CreatedBy, timeText(now)); err != nil {
			return err
		}
		if err := db.record(ctx, tx, by, audit.MARACActionAgreed, a.ReferralID, a.Agency, a.ID); err != nil {
			return err
		}
		if err := db.addEvent(ctx, tx, a.ReferralID, now, by, a.Agency, "marac_action_agreed", "due "+dateText(a.Due)); err != nil {
			return err
		}
		if err := db.partnerEvent(ctx, tx, partner.MARACActionChanged, a.Agency, a.ReferralID, a.Reference, string(a.Status)); err != nil {
			return err
		}
		if err := db.notice(ctx, tx, notify.MARACAction, a.Agency, a.ReferralID, a.Reference); err != nil {
			return err
		}
		// The description as read back: sealed about the case's referral.
		a, err = db.action(ctx, tx, a.ID)
		return err
	})
	return a, err
}

const actionQuery = `SELECT a.id, a.case_id, c.meeting_id, c.referral_id, r.reference, a.agency, a.description_key, a.description, a.description_category, a.description_author, a.due, a.status,
	a.note_key, a.note, a.note_category, a.note_author, a.created_by, a.created_at, a.updated_by, a.updated_at, a.version
	FROM marac_actions a JOIN marac_cases c ON c.id = a.case_id JOIN referrals r ON r.id = c.referral_id JOIN marac_meetings m ON m.id = c.meeting_id `

func (db *DB) actions(ctx context.Context, q sqlReader, where string, args ...any) ([]marac.Action, error) {
	rows, err := q.QueryContext(ctx, actionQuery+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []marac.Action
	for rows.Next() {
		var a marac.Action
		var due, status, created, updated string
		var desc, note freeText
		if err := rows.Scan(&a.ID, &a.CaseID, &a.MeetingID, &a.ReferralID, &a.Reference, &a.Agency, &desc.keyID, &desc.sealed, &desc.category, &desc.author, &due, &status,
			&note.keyID, &note.sealed, &note.category, &note.author, &a.CreatedBy, &created, &a.UpdatedBy, &updated, &a.Version); err != nil {
			return nil, err
		}
		a.Due, a.Status, a.CreatedAt, a.UpdatedAt = parseDate(due), marac.ActionStatus(status), parseTime(created), parseTime(updated)
		if a.Description, err = db.openFree(a.ReferralID, desc, actionDescContext(a.ID)); err != nil {
			return nil, err
		}
		if a.Note, err = db.openFree(a.ReferralID, note, actionNoteContext(a.ID)); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (db *DB) action(ctx context.Context, q sqlReader, id string) (marac.Action, error) {
	as, err := db.actions(ctx, q, `WHERE a.id = ?`, id)
	if err != nil {
		return marac.Action{}, err
	}
	if len(as) == 0 {
		return marac.Action{}, marac.NotFound("Action")
	}
	return as[0], nil
}

// Action loads one action for reader: the coordinator or staff of the owning
// agency (marac.MaySeeAction); anyone else is told it does not exist.
func (db *DB) Action(ctx context.Context, id string, reader identity.Principal) (marac.Action, error) {
	a, err := db.action(ctx, db.r, id)
	if err == nil && !marac.MaySeeAction(a, reader) {
		return marac.Action{}, marac.NotFound("Action")
	}
	return a, err
}

// UpdateAction changes an action's status in one transaction, as
// marac.UpdateAction decides: a reader who may not see the action gets
// NotFound, a stale If-Match gets Stale. The change is audited and goes on
// the referral's timeline for the owning agency. A reopened action may be
// noted overdue again.
func (db *DB) UpdateAction(ctx context.Context, u marac.ActionUpdate) (marac.Action, error) {
	now := db.Now().UTC()
	var out marac.Action
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		a, err := db.action(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		if !marac.MaySeeAction(a, u.By) {
			return marac.NotFound("Action")
		}
		if u.IfMatch != 0 && u.IfMatch != a.Version {
			return problem.New(problem.Stale, "the action changed since you loaded it; reload and try again")
		}
		next, perr := marac.UpdateAction(a, u.Status, u.Note, u.Writer, u.By, now)
		if perr != nil {
			return perr
		}
		note, err := db.sealFree(next.Note, actionNoteContext(a.ID))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE marac_actions SET status = ?, note_key = ?, note = ?, note_category = ?, note_author = ?, updated_by = ?, updated_at = ?, version = version + 1,
			overdue_noted = CASE WHEN ? = 'open' THEN 0 ELSE overdue_noted END WHERE id = ?`,
			string(next.Status), note.keyID, note.sealed, note.category, note.author, next.UpdatedBy, timeText(now), string(next.Status), a.ID); err != nil {
			return err
		}
		if err := db.record(ctx, tx, u.By, audit.MARACActionUpdated, a.ReferralID, a.Agency, string(next.Status)); err != nil {
			return err
		}
		if err := db.partnerEvent(ctx, tx, partner.MARACActionChanged, a.Agency, a.ReferralID, a.Reference, string(next.Status)); err != nil {
			return err
		}
		next.Version = a.Version + 1
		out = next
		return db.addEvent(ctx, tx, a.ReferralID, now, u.By, a.Agency, "marac_action_"+string(next.Status), "")
	})
	return out, err
}

// ActionFilter selects actions (GET /api/v1/marac/actions). Overdue keeps
// open actions past their due date at Now.
type ActionFilter struct {
	Agency  string
	Status  marac.ActionStatus
	CaseID  string
	Overdue bool
	Now     time.Time
}

// Actions lists actions as the filter asks, by due date (earliest first).
func (db *DB) Actions(ctx context.Context, f ActionFilter) ([]marac.Action, error) {
	var where strings.Builder
	where.WriteString(`WHERE 1 = 1`)
	var args []any
	if f.Agency != "" {
		where.WriteString(` AND a.agency = ?`)
		args = append(args, f.Agency)
	}
	if f.Status != "" {
		where.WriteString(` AND a.status = ?`)
		args = append(args, string(f.Status))
	}
	if f.CaseID != "" {
		where.WriteString(` AND a.case_id = ?`)
		args = append(args, f.CaseID)
	}
	if f.Overdue {
		// The same rule as marac.ActionOverdue: open, and the due day has passed.
		where.WriteString(` AND a.status = 'open' AND a.due < ?`)
		args = append(args, dateText(f.Now))
	}
	where.WriteString(` ORDER BY a.due, a.created_at, a.id`)
	return db.actions(ctx, db.r, where.String(), args...)
}

// CountActions counts an agency's open actions and how many are overdue at now.
func (db *DB) CountActions(ctx context.Context, agencyID string, now time.Time) (marac.ActionCounts, error) {
	var c marac.ActionCounts
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN due < ? THEN 1 ELSE 0 END), 0) FROM marac_actions WHERE agency = ? AND status = 'open'`,
		dateText(now), agencyID).Scan(&c.Open, &c.Overdue)
	return c, err
}

// NoteOverdueActions finds open actions past their due date at now that have
// not been noted yet, notes them and tells each owning agency's mailbox,
// each action in the same transaction as its notice (inBatches). It returns
// how many it noted. The overdue sweep calls it beside NoteOverdue.
func (db *DB) NoteOverdueActions(ctx context.Context, now time.Time) (int, error) {
	return db.inBatches(ctx, func(tx *sql.Tx, limit int) (int, error) {
		rows, err := tx.QueryContext(ctx, `SELECT a.id, a.agency, r.id, r.reference FROM marac_actions a
			JOIN marac_cases c ON c.id = a.case_id JOIN referrals r ON r.id = c.referral_id
			WHERE a.status = 'open' AND a.due < ? AND a.overdue_noted = 0 ORDER BY a.due, a.id LIMIT ?`, dateText(now), limit)
		if err != nil {
			return 0, err
		}
		type due struct{ action, agency, referral, reference string }
		var found []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.action, &d.agency, &d.referral, &d.reference); err != nil {
				rows.Close()
				return 0, err
			}
			found = append(found, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
		for _, d := range found {
			if _, err := tx.ExecContext(ctx, `UPDATE marac_actions SET overdue_noted = 1 WHERE id = ?`, d.action); err != nil {
				return 0, err
			}
			if err := db.notice(ctx, tx, notify.OverdueAction, d.agency, d.referral, d.reference); err != nil {
				return 0, err
			}
		}
		return len(found), nil
	})
}

// OpenActionsForReview lists the actions still open from cases heard at the
// panel's earlier meetings: they come back on this meeting's agenda.
func (db *DB) OpenActionsForReview(ctx context.Context, meetingID string) ([]marac.Action, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	m, err := db.meeting(ctx, tx, meetingID)
	if err != nil {
		return nil, err
	}
	return db.reviewActions(ctx, tx, m)
}

func (db *DB) reviewActions(ctx context.Context, q sqlReader, m marac.Meeting) ([]marac.Action, error) {
	return db.actions(ctx, q, `WHERE a.status = 'open' AND m.panel = ? AND m.meeting_date < ? ORDER BY a.due, a.created_at, a.id`, m.Panel, dateText(m.Date))
}

// CaseOnMARAC reports whether a referral is a case the MARAC member agencies
// may see now (marac.OnAgenda); the Referral loader sets referral.OnMARAC from it.
func (db *DB) CaseOnMARAC(ctx context.Context, referralID string) (bool, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	return db.onMARAC(ctx, tx, referralID, db.Now())
}

func (db *DB) onMARAC(ctx context.Context, q sqlReader, referralID string, now time.Time) (bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.meeting_date, (SELECT COUNT(*) FROM marac_actions a WHERE a.case_id = c.id AND a.status = 'open')
		FROM marac_cases c JOIN marac_meetings m ON m.id = c.meeting_id WHERE c.referral_id = ? AND c.removed_at = ''`, referralID)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	on := false
	for rows.Next() {
		var date string
		var open int
		if err := rows.Scan(&date, &open); err != nil {
			return false, err
		}
		on = on || marac.OnAgenda(marac.Meeting{Date: parseDate(date)}, open, now)
	}
	return on, rows.Err()
}

// MARACDashboard gathers the coordinator's dashboard at now, in one read:
// the next meeting and its agenda, research outstanding from the member
// agencies on the cases of meetings to come, open and overdue actions by
// agency, and the repeat cases of the last 12 months and to come.
func (db *DB) MARACDashboard(ctx context.Context, members []string, now time.Time) (marac.Dashboard, error) {
	var d marac.Dashboard
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return d, err
	}
	defer tx.Rollback()
	today := dateText(now)
	next, err := db.meetings(ctx, tx, `WHERE meeting_date >= ? ORDER BY meeting_date, created_at, id LIMIT 1`, today)
	if err != nil {
		return d, err
	}
	if len(next) == 1 {
		m, err := db.meetingWithCases(ctx, tx, next[0].ID, false)
		if err != nil {
			return d, err
		}
		d.Next = &m
	}

	upcoming, err := db.cases(ctx, tx, false, `WHERE m.meeting_date >= ? AND c.removed_at = '' ORDER BY c.id`, today)
	if err != nil {
		return d, err
	}
	given, err := db.research(ctx, tx, false, `WHERE case_id IN (SELECT c.id FROM marac_cases c JOIN marac_meetings m ON m.id = c.meeting_id WHERE m.meeting_date >= ? AND c.removed_at = '')`, today)
	if err != nil {
		return d, err
	}
	byCase := map[string][]marac.Research{}
	for _, r := range given {
		byCase[r.CaseID] = append(byCase[r.CaseID], r)
	}
	outstanding := map[string]int{}
	for _, c := range upcoming {
		for _, id := range marac.Outstanding(members, byCase[c.ID]) {
			outstanding[id]++
		}
	}
	for _, id := range members {
		if n := outstanding[id]; n > 0 {
			d.Outstanding = append(d.Outstanding, marac.AgencyCount{Agency: id, Count: n})
		}
	}

	rows, err := tx.QueryContext(ctx, `SELECT agency, COUNT(*), COALESCE(SUM(CASE WHEN due < ? THEN 1 ELSE 0 END), 0) FROM marac_actions WHERE status = 'open' GROUP BY agency ORDER BY agency`, today)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var a marac.AgencyActions
		if err := rows.Scan(&a.Agency, &a.Open, &a.Overdue); err != nil {
			rows.Close()
			return d, err
		}
		d.Actions = append(d.Actions, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}

	d.Repeats, err = db.cases(ctx, tx, false, `WHERE c.is_repeat = 1 AND c.removed_at = '' AND m.meeting_date >= ? ORDER BY m.meeting_date DESC, c.meeting_id, c.position`, dateText(now.UTC().AddDate(-1, 0, 0)))
	return d, err
}

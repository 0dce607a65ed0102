package store

import (
	"context"
	"database/sql"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

func minutesContext(caseID, part string) string { return caseID + "/minutes/" + part }

// SaveMinutes writes, or rewrites, a case's minutes (m validated by
// marac.NewMinutes) while it is on an agenda; audited with no text. The
// coordinator only.
func (db *DB) SaveMinutes(ctx context.Context, caseID string, m marac.Minutes, by identity.Principal) error {
	now := db.Now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		cs, err := db.cases(ctx, tx, false, `WHERE c.id = ?`, caseID)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return marac.NotFound("Case")
		}
		if cs[0].Removed() {
			return problem.New(problem.Conflict, "The case was removed from the agenda")
		}
		var parts [3]freeText
		var category, author string
		for i, t := range []sealed.Text{m.Risks, m.Decisions, m.Actions} {
			if parts[i], err = db.sealFree(t, minutesContext(caseID, minutesParts[i])); err != nil {
				return err
			}
			if parts[i].category != "" {
				category, author = parts[i].category, parts[i].author
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO marac_minutes (case_id, risks_key, risks, decisions_key, decisions, actions_key, actions, category, author, written_by, written_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (case_id) DO UPDATE SET risks_key = excluded.risks_key, risks = excluded.risks, decisions_key = excluded.decisions_key,
				decisions = excluded.decisions, actions_key = excluded.actions_key, actions = excluded.actions, category = excluded.category,
				author = excluded.author, written_by = excluded.written_by, written_at = excluded.written_at`,
			caseID, parts[0].keyID, parts[0].sealed, parts[1].keyID, parts[1].sealed, parts[2].keyID, parts[2].sealed, category, author, by.Subject, timeText(now)); err != nil {
			return err
		}
		return db.record(ctx, tx, by, audit.MARACCaseChanged, cs[0].ReferralID, "", "minutes")
	})
}

var minutesParts = [3]string{"risks", "decisions", "actions"}

// MinutesOf loads a case's minutes for a reader the caller has let read
// them (the coordinator, or an attendee who acknowledged confidentiality);
// the texts are opened only as sealed Texts about the case's referral.
// NotFound when none are written.
func (db *DB) MinutesOf(ctx context.Context, caseID string) (marac.Minutes, error) {
	ms, err := db.minutes(ctx, db.r, `WHERE n.case_id = ?`, caseID)
	if err != nil {
		return marac.Minutes{}, err
	}
	if len(ms) == 0 {
		return marac.Minutes{}, marac.NotFound("Minutes")
	}
	return ms[0], nil
}

// MeetingMinutes loads the minutes of a meeting's cases, for its papers.
func (db *DB) MeetingMinutes(ctx context.Context, meetingID string) ([]marac.Minutes, error) {
	return db.minutes(ctx, db.r, `WHERE c.meeting_id = ?`, meetingID)
}

func (db *DB) minutes(ctx context.Context, q sqlReader, where string, args ...any) ([]marac.Minutes, error) {
	rows, err := q.QueryContext(ctx, `SELECT n.case_id, c.referral_id, n.risks_key, n.risks, n.decisions_key, n.decisions, n.actions_key, n.actions,
		n.category, n.author, n.written_by, n.written_at FROM marac_minutes n JOIN marac_cases c ON c.id = n.case_id `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []marac.Minutes
	for rows.Next() {
		var m marac.Minutes
		var referralID, category, author, at string
		var parts [3]freeText
		if err := rows.Scan(&m.CaseID, &referralID, &parts[0].keyID, &parts[0].sealed, &parts[1].keyID, &parts[1].sealed, &parts[2].keyID, &parts[2].sealed,
			&category, &author, &m.WrittenBy, &at); err != nil {
			return nil, err
		}
		m.WrittenAt = parseTime(at)
		outs := [3]*sealed.Text{&m.Risks, &m.Decisions, &m.Actions}
		for i := range parts {
			if len(parts[i].sealed) == 0 {
				continue
			}
			parts[i].category, parts[i].author = category, author
			if *outs[i], err = db.openFree(referralID, parts[i], minutesContext(m.CaseID, minutesParts[i])); err != nil {
				return nil, err
			}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetApologies records which member agencies sent apologies to a meeting,
// replacing what was recorded. The coordinator only.
func (db *DB) SetApologies(ctx context.Context, meetingID string, agencies []string, by identity.Principal) error {
	now := db.Now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.meeting(ctx, tx, meetingID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM marac_apologies WHERE meeting_id = ?`, meetingID); err != nil {
			return err
		}
		for _, a := range agencies {
			if _, err := tx.ExecContext(ctx, `INSERT INTO marac_apologies (meeting_id, agency, recorded_by, recorded_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				meetingID, a, by.Subject, timeText(now)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Apologies lists the agencies that sent apologies to a meeting, by id.
func (db *DB) Apologies(ctx context.Context, meetingID string) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT agency FROM marac_apologies WHERE meeting_id = ? ORDER BY agency`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/problem"
)

func actionChangeContext(id string) string { return "marac_action_change/" + id + "/reason" }

// ChaseAction reminds the owning agency of an open action (by notice, with
// no personal data); the coordinator only.
func (db *DB) ChaseAction(ctx context.Context, id string, by identity.Principal) (marac.Action, error) {
	now := db.Now().UTC()
	var a marac.Action
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = db.action(ctx, tx, id); err != nil {
			return err
		}
		if a.Status != marac.Open {
			return problem.New(problem.Conflict, "Only an open action can be chased")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO marac_action_changes (id, action_id, kind, by_subject, at) VALUES (?, ?, 'chased', ?, ?)`,
			newID("ac-"), id, by.Subject, timeText(now)); err != nil {
			return err
		}
		if err := db.notice(ctx, tx, notify.OverdueAction, a.Agency, a.ReferralID, a.Reference); err != nil {
			return err
		}
		if err := db.record(ctx, tx, by, audit.MARACActionUpdated, a.ReferralID, a.Agency, "chased"); err != nil {
			return err
		}
		return db.addEvent(ctx, tx, a.ReferralID, now, by, a.Agency, "marac_action_chased", "")
	})
	return a, err
}

// ExtendAction gives an open action a later due date, for a reason; the
// coordinator only. The reason is sealed, as every free text.
func (db *DB) ExtendAction(ctx context.Context, id string, due time.Time, reason string, by identity.Principal) (marac.Action, error) {
	now := db.Now().UTC()
	reason = strings.TrimSpace(reason)
	var a marac.Action
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = db.action(ctx, tx, id); err != nil {
			return err
		}
		fields := map[string]string{}
		switch {
		case due.IsZero():
			fields["due"] = "Enter the new due date"
		case !due.After(a.Due):
			fields["due"] = "The new due date must be after the current one"
		}
		if reason == "" {
			fields["reason"] = "Say why the action needs more time"
		} else if len([]rune(reason)) > marac.MaxNote {
			fields["reason"] = "Reason is too long"
		}
		if len(fields) > 0 {
			return problem.Fields(fields)
		}
		if a.Status != marac.Open {
			return problem.New(problem.Conflict, "Only an open action can be given more time")
		}
		cid := newID("ac-")
		key, sealed, err := db.sealText(reason, actionChangeContext(cid))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO marac_action_changes (id, action_id, kind, due_before, due_after, reason_key, reason, by_subject, at)
			VALUES (?, ?, 'extended', ?, ?, ?, ?, ?, ?)`, cid, id, dateText(a.Due), dateText(due), key, sealed, by.Subject, timeText(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE marac_actions SET due = ?, overdue_noted = 0, updated_by = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
			dateText(due), by.Subject, timeText(now), id); err != nil {
			return err
		}
		if err := db.record(ctx, tx, by, audit.MARACActionUpdated, a.ReferralID, a.Agency, "extended"); err != nil {
			return err
		}
		if err := db.partnerEvent(ctx, tx, partner.MARACActionChanged, a.Agency, a.ReferralID, a.Reference, string(a.Status)); err != nil {
			return err
		}
		a.Due, a.Version, a.UpdatedBy, a.UpdatedAt = due, a.Version+1, by.Subject, now
		return db.addEvent(ctx, tx, a.ReferralID, now, by, a.Agency, "marac_action_extended", "due "+dateText(due))
	})
	return a, err
}

// ActionChanges lists an action's chases and extensions, oldest first.
func (db *DB) ActionChanges(ctx context.Context, id string) ([]marac.ActionChange, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, kind, due_before, due_after, reason_key, reason, by_subject, at FROM marac_action_changes WHERE action_id = ? ORDER BY at, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []marac.ActionChange
	for rows.Next() {
		var ch marac.ActionChange
		var cid, before, after, key, at string
		var sealed []byte
		if err := rows.Scan(&cid, &ch.Kind, &before, &after, &key, &sealed, &ch.By, &at); err != nil {
			return nil, err
		}
		if ch.Reason, err = db.openText(key, sealed, actionChangeContext(cid)); err != nil {
			return nil, err
		}
		ch.DueBefore, ch.DueAfter, ch.At = parseDate(before), parseDate(after), parseTime(at)
		out = append(out, ch)
	}
	return out, rows.Err()
}

// RemoveAttendance takes an agency off a meeting's attendance, recorded by
// mistake: its people can no longer acknowledge or read the papers. Their
// earlier acknowledgements stay on record. Like recording attendance, it is
// the coordinator's and is not an access to any record.
func (db *DB) RemoveAttendance(ctx context.Context, meetingID, agencyID string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.meeting(ctx, tx, meetingID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM marac_meeting_agencies WHERE meeting_id = ? AND agency = ?`, meetingID, agencyID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.Invalidf("agency", "That agency is not recorded as attending")
		}
		return nil
	})
}

func caseChangeContext(id string) string { return "marac_case_change/" + id + "/reason" }

// caseToChange loads a case for the coordinator to change: on an agenda,
// and its meeting not over (Conflict otherwise).
func (db *DB) caseToChange(ctx context.Context, tx *sql.Tx, id string, now time.Time) (marac.Case, error) {
	cs, err := db.cases(ctx, tx, false, `WHERE c.id = ?`, id)
	if err != nil {
		return marac.Case{}, err
	}
	if len(cs) == 0 {
		return marac.Case{}, marac.NotFound("Case")
	}
	m, err := db.meeting(ctx, tx, cs[0].MeetingID)
	if err != nil {
		return marac.Case{}, err
	}
	switch {
	case cs[0].Removed():
		return marac.Case{}, problem.New(problem.Conflict, "The case was removed from the agenda")
	case m.Over(now):
		return marac.Case{}, problem.New(problem.Conflict, "The meeting has taken place; its cases are no longer changed")
	}
	return cs[0], nil
}

// caseChange keeps an edit or removal of a case with its reason, sealed.
func (db *DB) caseChange(ctx context.Context, tx *sql.Tx, c marac.Case, kind string, after marac.Criterion, noteChanged bool, reason string, by identity.Principal, now time.Time) error {
	id := newID("cc-")
	key, sealed, err := db.sealText(reason, caseChangeContext(id))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO marac_case_changes (id, case_id, kind, criterion_before, criterion_after, note_changed, reason_key, reason, by_subject, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, c.ID, kind, string(c.Criterion), string(after), noteChanged, key, sealed, by.Subject, timeText(now))
	return err
}

// EditCase changes a case's criterion or note (ch validated by
// marac.CaseEdit), keeping what it was and why, auditing it and putting it
// on the referral's timeline for the force. The coordinator only, while
// the case is on an agenda whose meeting is not over.
func (db *DB) EditCase(ctx context.Context, id string, ch marac.CaseChange, by identity.Principal) (marac.Case, error) {
	now := db.Now().UTC()
	var c marac.Case
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = db.caseToChange(ctx, tx, id, now); err != nil {
			return err
		}
		if err := db.caseChange(ctx, tx, c, "edited", ch.Criterion, ch.NoteChanged, ch.Reason, by, now); err != nil {
			return err
		}
		if ch.NoteChanged {
			note, err := db.sealFree(ch.Note, caseNoteContext(c.ID))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE marac_cases SET note_key = ?, note = ?, note_category = ?, note_author = ? WHERE id = ?`,
				note.keyID, note.sealed, note.category, note.author, c.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE marac_cases SET criterion = ? WHERE id = ?`, string(ch.Criterion), c.ID); err != nil {
			return err
		}
		detail := "criterion " + string(c.Criterion) + " to " + string(ch.Criterion)
		if ch.NoteChanged {
			detail += "; note changed"
		}
		if err := db.record(ctx, tx, by, audit.MARACCaseChanged, c.ReferralID, "", "edited "+detail); err != nil {
			return err
		}
		c.Criterion = ch.Criterion
		return db.addEvent(ctx, tx, c.ReferralID, now, by, agency.Police, "marac_case_edited", detail)
	})
	return c, err
}

// RemoveCase takes a case off its meeting's agenda for a reason. The case
// stays in the record, with its research and actions, and the referral may
// wait in the queue again. Audited and on the referral's timeline for the
// force; the coordinator only, before the meeting is over.
func (db *DB) RemoveCase(ctx context.Context, id, reason string, by identity.Principal) (marac.Case, error) {
	now := db.Now().UTC()
	var c marac.Case
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = db.caseToChange(ctx, tx, id, now); err != nil {
			return err
		}
		if err := db.caseChange(ctx, tx, c, "removed", c.Criterion, false, reason, by, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE marac_cases SET removed_at = ?, removed_by = ? WHERE id = ?`, timeText(now), by.Subject, c.ID); err != nil {
			return err
		}
		if err := db.record(ctx, tx, by, audit.MARACCaseChanged, c.ReferralID, "", "removed"); err != nil {
			return err
		}
		c.RemovedAt, c.RemovedBy = now, by.Subject
		return db.addEvent(ctx, tx, c.ReferralID, now, by, agency.Police, "marac_case_removed", "")
	})
	return c, err
}

// CaseChanges lists a case's edits and removal, oldest first.
func (db *DB) CaseChanges(ctx context.Context, id string) ([]marac.CaseChangeRecord, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, kind, criterion_before, criterion_after, note_changed, reason_key, reason, by_subject, at
		FROM marac_case_changes WHERE case_id = ? ORDER BY at, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []marac.CaseChangeRecord
	for rows.Next() {
		var ch marac.CaseChangeRecord
		var cid, before, after, key, at string
		var sealed []byte
		if err := rows.Scan(&cid, &ch.Kind, &before, &after, &ch.NoteChanged, &key, &sealed, &ch.By, &at); err != nil {
			return nil, err
		}
		if ch.Reason, err = db.openText(key, sealed, caseChangeContext(cid)); err != nil {
			return nil, err
		}
		ch.CriterionBefore, ch.CriterionAfter, ch.At = marac.Criterion(before), marac.Criterion(after), parseTime(at)
		out = append(out, ch)
	}
	return out, rows.Err()
}

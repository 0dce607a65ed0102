package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/justice"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
)

// createJustice writes what a new referral holds besides its sections: the
// Victims' Code rights and equality details (setVictimCode), and, once it is
// sent, its link to the earlier referral it continues, confirmed by the
// officer who names it: through the victim, the suspect or both. A
// referral that shares neither is refused.
func (db *DB) createJustice(ctx context.Context, tx *sql.Tx, id string, n referral.NewReferral, now time.Time) error {
	s := n.Submission
	if err := setVictimCode(ctx, tx, id, s); err != nil {
		return err
	}
	if s.LinkedTo == "" || n.Draft {
		return nil
	}
	linked := false
	for _, via := range []referral.LinkVia{referral.ViaVictim, referral.ViaSuspect} {
		err := db.decideLink(ctx, tx, id, s.LinkedTo, via, referral.LinkConfirmed, n.Officer, now)
		if problem.CodeOf(err) == problem.Invalid {
			continue
		}
		if err != nil {
			return err
		}
		linked = true
	}
	if !linked {
		return problem.Invalidf("linked_to", "linked_to must be a referral about the same victim or suspect")
	}
	return nil
}

// setVictimCode writes a new referral's Victims' Code rights (the
// officer's answer, or the offence's default with its reason) and, when the
// victim agreed, their equality details.
func setVictimCode(ctx context.Context, tx *sql.Tx, id string, s referral.Submission) error {
	enhanced, reason := justice.DefaultEnhanced(s.Offence)
	if s.VictimCode != nil && s.VictimCode.Enhanced != nil {
		enhanced, reason = *s.VictimCode.Enhanced, "recorded by the officer"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE referrals SET victim_enhanced = ?, victim_enhanced_reason = ? WHERE id = ?`, enhanced, reason, id); err != nil {
		return err
	}
	if e := s.Equality; e != nil && e.Agreed {
		_, err := tx.ExecContext(ctx, `INSERT INTO victim_equality (referral_id, sex, age_band, ethnicity, disability, sexual_orientation, gender_identity, interpreter)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, e.Sex, e.AgeBand, e.Ethnicity, e.Disability, e.SexualOrientation, e.GenderIdentity, e.Interpreter)
		return err
	}
	return nil
}

// ReferralJustice reads a referral's Victims' Code rights and outcome.
func (db *DB) ReferralJustice(ctx context.Context, id string) (justice.Standing, error) {
	var j justice.Standing
	var on string
	err := db.r.QueryRowContext(ctx, `SELECT victim_enhanced, victim_enhanced_reason, cj_outcome, cj_outcome_on FROM referrals WHERE id = ?`, id).
		Scan(&j.Enhanced, &j.EnhancedReason, &j.Outcome, &on)
	if errors.Is(err, sql.ErrNoRows) {
		return j, referral.NotFound()
	}
	j.OutcomeOn = parseDate(on)
	return j, err
}

// SetEnhanced records whether the victim has enhanced rights, as the officer says.
func (db *DB) SetEnhanced(ctx context.Context, referralID string, enhanced bool, actor identity.Principal) error {
	now := db.Now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := referralExists(ctx, tx, referralID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET victim_enhanced = ?, victim_enhanced_reason = 'recorded by the officer' WHERE id = ?`, enhanced, referralID); err != nil {
			return err
		}
		detail := "standard"
		if enhanced {
			detail = "enhanced"
		}
		return db.justiceTouched(ctx, tx, referralID, agency.Police, actor, now, "victim_code_rights", detail, audit.VictimUpdate)
	})
}

// SetOutcome records the criminal-justice outcome of a referral.
func (db *DB) SetOutcome(ctx context.Context, referralID, outcome string, decidedOn time.Time, actor identity.Principal) error {
	now := db.Now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := referralExists(ctx, tx, referralID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET cj_outcome = ?, cj_outcome_on = ? WHERE id = ?`, outcome, dateText(decidedOn), referralID); err != nil {
			return err
		}
		if err := db.recount(ctx, tx, referralID); err != nil {
			return err
		}
		return db.justiceTouched(ctx, tx, referralID, agency.Police, actor, now, "outcome_recorded", outcome, audit.OutcomeRecorded)
	})
}

// VictimUpdateNotFound is the error for an update that does not exist.
func VictimUpdateNotFound() *problem.Error {
	return problem.New(problem.NotFound, "Victim update not found")
}

// AddVictimUpdate records an event the victim must be told of, due by the
// day cal gives for the referral's rights, and counts it for the report.
func (db *DB) AddVictimUpdate(ctx context.Context, u justice.Update, cal justice.Calendar, actor identity.Principal) (justice.Update, error) {
	now := db.Now().UTC()
	u.ID, u.Version = newID("v-"), 1
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT reference, officer, victim_enhanced FROM referrals WHERE id = ?`, u.ReferralID).Scan(&u.Reference, &u.Officer, &u.Enhanced)
		if errors.Is(err, sql.ErrNoRows) {
			return referral.NotFound()
		}
		if err != nil {
			return err
		}
		u.DueBy = cal.DueBy(u.EventOn, u.Enhanced)
		if _, err := tx.ExecContext(ctx, `INSERT INTO victim_updates (id, referral_id, event, event_on, due_by, enhanced, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.ReferralID, u.Event, dateText(u.EventOn), dateText(u.DueBy), u.Enhanced, actor.Subject, timeText(now)); err != nil {
			return err
		}
		if err := db.recount(ctx, tx, u.ReferralID); err != nil {
			return err
		}
		return db.justiceTouched(ctx, tx, u.ReferralID, agency.Police, actor, now, "victim_update_owed", u.Event, audit.VictimUpdate)
	})
	return u, err
}

// TellVictimUpdate marks an update told: when, how, and a note
// (justice.Note), which it files under the update's referral; the report's
// counters move with it.
func (db *DB) TellVictimUpdate(ctx context.Context, u justice.Update, ifMatch int, actor identity.Principal) (justice.Update, error) {
	now := db.Now().UTC()
	var out justice.Update
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = db.scanUpdate(tx.QueryRowContext(ctx, `SELECT `+updateColumns+` FROM victim_updates v JOIN referrals r ON r.id = v.referral_id WHERE v.id = ?`, u.ID)); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return VictimUpdateNotFound()
			}
			return err
		}
		if ifMatch != 0 && ifMatch != out.Version {
			return problem.New(problem.Stale, "the update has changed since you read it; read it again")
		}
		if u.ToldOn.Before(out.EventOn) {
			return problem.Invalidf("told_on", "The victim cannot be told before the event")
		}
		if err := filedUnder(u.Note, out.ReferralID); err != nil {
			return err
		}
		context := out.ReferralID + "/victim-update/" + out.ID
		note, err := db.plainOf(u.Note, context)
		if err != nil {
			return err
		}
		out.ToldOn, out.Method, out.Note = u.ToldOn, u.Method, justice.Note(out.ReferralID, note)
		out.Version++
		kid, sealed, err := db.sealText(note, context)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE victim_updates SET told_on = ?, method = ?, note_key = ?, note = ?, version = ? WHERE id = ?`,
			dateText(out.ToldOn), out.Method, kid, sealed, out.Version, out.ID); err != nil {
			return err
		}
		if err := db.recount(ctx, tx, out.ReferralID); err != nil {
			return err
		}
		return db.justiceTouched(ctx, tx, out.ReferralID, agency.Police, actor, now, "victim_told", out.Event, audit.VictimUpdate)
	})
	return out, err
}

const updateColumns = `v.id, v.referral_id, r.reference, r.officer, v.event, v.event_on, v.due_by, v.enhanced, v.told_on, v.method, v.note_key, v.note, v.version`

// scanUpdate reads an update; its note is handed out sealed
// (justice.NoteCategory), opened only by the View of its referral.
func (db *DB) scanUpdate(sc interface{ Scan(...any) error }) (justice.Update, error) {
	var u justice.Update
	var eventOn, due, told, kid string
	var note []byte
	if err := sc.Scan(&u.ID, &u.ReferralID, &u.Reference, &u.Officer, &u.Event, &eventOn, &due, &u.Enhanced, &told, &u.Method, &kid, &note, &u.Version); err != nil {
		return u, err
	}
	u.EventOn, u.DueBy, u.ToldOn = parseDate(eventOn), parseDate(due), parseDate(told)
	body, err := db.openText(kid, note, u.ReferralID+"/victim-update/"+u.ID)
	u.Note = justice.Note(u.ReferralID, body)
	return u, err
}

func (db *DB) victimUpdates(ctx context.Context, where string, args ...any) ([]justice.Update, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+updateColumns+` FROM victim_updates v JOIN referrals r ON r.id = v.referral_id `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []justice.Update{}
	for rows.Next() {
		u, err := db.scanUpdate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// VictimUpdates lists a referral's updates, oldest event first.
func (db *DB) VictimUpdates(ctx context.Context, referralID string) ([]justice.Update, error) {
	var one int
	if err := db.r.QueryRowContext(ctx, `SELECT 1 FROM referrals WHERE id = ?`, referralID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return nil, referral.NotFound()
	} else if err != nil {
		return nil, err
	}
	return db.victimUpdates(ctx, `WHERE v.referral_id = ? ORDER BY v.event_on, v.id`, referralID)
}

// OverdueVictimUpdates lists the updates not told by the end of their due
// day, as of day: the officer's own referrals, or the whole force's when
// officer is empty (a supervisor's team view). Oldest due first.
func (db *DB) OverdueVictimUpdates(ctx context.Context, officer string, day time.Time) ([]justice.Update, error) {
	return db.victimUpdates(ctx, `WHERE v.told_on = '' AND v.due_by < ? AND (? = '' OR r.officer = ?) ORDER BY v.due_by, v.id LIMIT 500`,
		dateText(day), officer, officer)
}

// VictimUpdateReferral is the referral an update belongs to.
func (db *DB) VictimUpdateReferral(ctx context.Context, id string) (string, error) {
	var referralID string
	err := db.r.QueryRowContext(ctx, `SELECT referral_id FROM victim_updates WHERE id = ?`, id).Scan(&referralID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", VictimUpdateNotFound()
	}
	return referralID, err
}

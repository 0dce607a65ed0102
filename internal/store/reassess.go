package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
)

// activeShares are the shares whose agency is still working the referral:
// they are told of changes and their clocks follow the risk.
const activeShares = `status NOT IN ('declined', 'closed', 'withdrawn')`

// ReassessRisk records a re-assessment: the risk section's assessment
// becomes the new one and its history gains it (the first assessment is put
// at the head of the history the first time); the referral's risk level,
// tool and score follow, so lists, inbox order and MARAC eligibility use it
// at once; a re-assessment to high is the officer's judgement that the case
// needs MARAC. Each active share takes the new level and, while unanswered,
// a due time recomputed by RecomputeDue. The timeline, the audit log, a
// notice and a referral.risk_changed event to each active agency are
// written in the same transaction. It returns the history.
func (db *DB) ReassessRisk(ctx context.Context, a referral.Reassessment) ([]referral.RiskEntry, error) {
	if db.keys == nil {
		return nil, errors.New("no sealing keys")
	}
	now := db.Now().UTC()
	level := risk.Level(a.Assessment.Level)
	var hist []referral.RiskEntry
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var ref, state, officerName, created string
		err := tx.QueryRowContext(ctx, `SELECT reference, state, officer_name, created_at FROM referrals WHERE id = ?`, a.ReferralID).
			Scan(&ref, &state, &officerName, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return referral.NotFound()
		}
		if err != nil {
			return err
		}
		if referral.State(state) != referral.Open {
			return problem.New(problem.Conflict, "only a sent referral can be re-assessed")
		}
		var sec referral.RiskSection
		if err := db.readSection(ctx, tx, a.ReferralID, category.Risk, &sec); err != nil {
			return err
		}
		if len(sec.History) == 0 && sec.Level != "" {
			sec.History = []referral.RiskEntry{{RiskAssessment: sec.RiskAssessment, By: officerName, RecordedAt: parseTime(created)}}
		}
		sec.RiskAssessment = a.Assessment
		sec.History = append(sec.History, referral.RiskEntry{RiskAssessment: a.Assessment, By: a.Actor.Name, Reason: a.Reason, RecordedAt: now})
		b, err := json.Marshal(sec)
		if err != nil {
			return err
		}
		var sections [category.Count][]byte
		sections[category.Risk] = b
		if err := db.writeSections(ctx, tx, a.ReferralID, sections); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET risk_level = ?, risk_tool = ?, risk_score = ?,
			marac_concern = CASE WHEN ? = 'high' THEN 1 ELSE marac_concern END WHERE id = ?`,
			string(level), a.Assessment.Tool, a.Assessment.Score, string(level), a.ReferralID); err != nil {
			return err
		}
		agencies, err := db.reclock(ctx, tx, a, now)
		if err != nil {
			return err
		}
		if err := db.recount(ctx, tx, a.ReferralID); err != nil {
			return err
		}
		if err := touchReferral(ctx, tx, a.ReferralID, now); err != nil {
			return err
		}
		if err := db.addEvent(ctx, tx, a.ReferralID, now, a.Actor, "", "risk_reassessed", "risk re-assessed: "+string(level)); err != nil {
			return err
		}
		if err := db.record(ctx, tx, a.Actor, audit.RiskReassessed, a.ReferralID, "", string(level)); err != nil {
			return err
		}
		for _, ag := range agencies {
			if err := db.notice(ctx, tx, notify.RiskChanged, ag, a.ReferralID, ref); err != nil {
				return err
			}
			if err := db.partnerEvent(ctx, tx, partner.ReferralRiskChanged, ag, a.ReferralID, ref, string(level)); err != nil {
				return err
			}
		}
		hist = sec.History
		return nil
	})
	return hist, err
}

// reclock moves each active share to the new level and recomputes the due
// time of those not yet answered. It returns the active agencies.
func (db *DB) reclock(ctx context.Context, tx *sql.Tx, a referral.Reassessment, now time.Time) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT agency, sent_at, due_at, answered_at FROM shares WHERE referral_id = ? AND `+activeShares+` ORDER BY agency`, a.ReferralID)
	if err != nil {
		return nil, err
	}
	type clock struct{ agency, sent, due, answered string }
	var clocks []clock
	for rows.Next() {
		var c clock
		if err := rows.Scan(&c.agency, &c.sent, &c.due, &c.answered); err != nil {
			rows.Close()
			return nil, err
		}
		clocks = append(clocks, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	level := risk.Level(a.Assessment.Level)
	var agencies []string
	for _, c := range clocks {
		due := parseTime(c.due)
		if c.answered == "" {
			due = RecomputeDue(parseTime(c.sent), due, now, a.ResponseTime(c.agency, level))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE shares SET risk_level = ?, risk_rank = ?, due_at = ?,
			overdue_noted = CASE WHEN ? > ? THEN 0 ELSE overdue_noted END WHERE referral_id = ? AND agency = ?`,
			string(level), level.Rank(), timeText(due), timeText(due), timeText(now), a.ReferralID, c.agency); err != nil {
			return nil, err
		}
		agencies = append(agencies, c.agency)
	}
	return agencies, nil
}

// RecomputeDue is an unanswered share's due time after a re-assessment at
// now that gives the agency the time answer: the later of sent+answer (as
// if the new level had been known from the start) and the earlier of the
// old due time and now+answer. Raised, the agency gets no longer than it
// had and never less than the new response time from the moment it is
// told; lowered, it gets the longer time from when it was sent; unchanged,
// nothing moves.
func RecomputeDue(sent, oldDue, now time.Time, answer time.Duration) time.Time {
	told := now.Add(answer)
	if oldDue.Before(told) {
		told = oldDue
	}
	if fromSent := sent.Add(answer); fromSent.After(told) {
		return fromSent
	}
	return told
}

// readSection opens one sealed category of a referral into v; a category
// the referral holds nothing for leaves v as it is.
func (db *DB) readSection(ctx context.Context, tx *sql.Tx, referralID string, c category.Category, v any) error {
	var kid string
	var sealed []byte
	err := tx.QueryRowContext(ctx, `SELECT key_id, sealed FROM referral_sections WHERE referral_id = ? AND category = ?`, referralID, c.String()).Scan(&kid, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	b, err := db.keys.Open(kid, sealed, sectionContext(referralID, c))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

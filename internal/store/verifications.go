package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/stalking-hub/hub/internal/audit"
)

// Verifications of the audit log that auditors start from the hub. One runs
// at a time; its progress is written as it goes, so that any page (or a
// restarted hub) can show where it stands and the last verdict.

// LastVerification is the latest verification started, or nil.
func (db *DB) LastVerification(ctx context.Context) (*audit.Verification, error) {
	var v audit.Verification
	var started, updated, finished string
	err := db.r.QueryRowContext(ctx, `SELECT id, started_by, started_at, updated_at, finished_at, done, total, ok, verdict FROM audit_verifications ORDER BY id DESC LIMIT 1`).
		Scan(&v.ID, &v.StartedBy, &started, &updated, &finished, &v.Done, &v.Total, &v.OK, &v.Verdict)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v.StartedAt, v.UpdatedAt, v.FinishedAt = parseTime(started), parseTime(updated), parseTime(finished)
	return &v, nil
}

// StartVerification records a verification started by subject and runs it
// in the background; when one is already running it returns that one's id
// and started false.
func (db *DB) StartVerification(ctx context.Context, subject string) (id int64, started bool, err error) {
	now := db.Now()
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var running int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM audit_verifications WHERE finished_at = '' AND updated_at > ? ORDER BY id DESC LIMIT 1`,
			timeText(now.Add(-time.Minute))).Scan(&running)
		if err == nil {
			id = running
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO audit_verifications (started_by, started_at, updated_at) VALUES (?, ?, ?) RETURNING id`, subject, timeText(now), timeText(now)).Scan(&id)
		started = err == nil
		return err
	})
	if err != nil || !started {
		return id, false, err
	}
	go db.runVerification(id)
	return id, true, nil
}

// runVerification verifies the log, writing its progress at most every
// half second, and its verdict at the end.
func (db *DB) runVerification(id int64) {
	ctx := context.Background()
	var last time.Time
	report, err := db.VerifyAudit(ctx, func(done, total int64) {
		if now := time.Now(); now.Sub(last) > 500*time.Millisecond || done == total {
			last = now
			db.exec1(ctx, `UPDATE audit_verifications SET done = ?, total = ?, updated_at = ? WHERE id = ?`, done, total, timeText(db.Now()), id)
		}
	})
	verdict, ok := report.String(), report.OK()
	if err != nil {
		verdict, ok = "the audit log could not be read: "+err.Error(), false
	}
	db.exec1(ctx, `UPDATE audit_verifications SET done = ?, total = CASE WHEN total > ? THEN total ELSE ? END, ok = ?, verdict = ?, finished_at = ?, updated_at = ? WHERE id = ?`,
		report.Entries, report.Entries, report.Entries, ok, verdict, timeText(db.Now()), timeText(db.Now()), id)
}

// exec1 runs one statement as a write transaction of its own (under the
// write lock on PostgreSQL, as every write); its error is left to the
// verification's next step or to the reader's view of a verdict not come.
func (db *DB) exec1(ctx context.Context, query string, args ...any) {
	db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	})
}

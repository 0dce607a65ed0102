package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/problem"
)

// ReleaseLease gives back a claim that was not used, as a worker does when
// it stops: the notification is due again at once and the attempt it
// counted is taken back. A claim that is no longer the worker's (its lease
// is not leasedUntil) is left alone.
func (db *DB) ReleaseLease(ctx context.Context, id int64, leasedUntil time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET leased_until = NULL, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
			WHERE id = ? AND delivered_at IS NULL AND leased_until = ?`, id, timeText(leasedUntil))
		return err
	})
}

// Resend makes a notification the hub gave up on pending again, due at
// now with a fresh count of attempts, as an admin asks once the cause is
// fixed. Only a failed notification can be sent again.
func (db *DB) Resend(ctx context.Context, id int64, now time.Time, by identity.Principal) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET failed_at = NULL, attempts = 0, next_attempt_at = ?, leased_until = NULL
			WHERE id = ? AND failed_at IS NOT NULL AND delivered_at IS NULL`, timeText(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "no failed notification %d", id)
		}
		return db.record(ctx, tx, by, audit.NoticeResent, strconv.FormatInt(id, 10), "", "")
	})
}

// OutboxStats counts the outbox at now.
func (db *DB) OutboxStats(ctx context.Context, now time.Time) (notify.OutboxStats, error) {
	var s notify.OutboxStats
	var oldest sql.NullString
	// Each through a partial index: the outbox keeps every delivered row.
	err := db.r.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL),
		(SELECT MIN(created_at) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL),
		(SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL)`).Scan(&s.Pending, &oldest, &s.Failed)
	if err != nil {
		return s, err
	}
	if oldest.Valid {
		s.Oldest = max(now.Sub(parseTime(oldest.String)), 0)
	}
	return s, nil
}

// CountSessions counts the browser sessions seen since since (now less
// the idle timeout: the live ones).
func (db *DB) CountSessions(ctx context.Context, since time.Time) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE last_seen >= ?`, timeText(since)).Scan(&n)
	return n, err
}

// The worker's side of the outbox is complete: ClaimDue, MarkDelivered,
// MarkFailed and ReleaseLease.
var _ notify.Outbox = (*DB)(nil)

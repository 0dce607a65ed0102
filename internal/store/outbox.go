package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/problem"
)

// lastErrorMax bounds the mail server's answer kept with a failed attempt.
const lastErrorMax = 500

// enqueue writes notifications to the outbox inside the caller's transaction
// tx, so that a notification exists exactly when the change it announces was
// committed: a store method that makes a new share, a status change, a message
// or an overdue mark calls it with its own tx and returns its error. Every
// message is checked first (notify.Message.Validate); one bad message refuses
// them all, and with them the caller's transaction.
func (db *DB) enqueue(ctx context.Context, tx *sql.Tx, msgs ...notify.Message) error {
	now := timeText(db.Now())
	for _, m := range msgs {
		if err := m.Validate(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, recipient, reference, link, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)`,
			string(m.Kind), m.To, m.Reference, m.Link, now, now); err != nil {
			return err
		}
	}
	return nil
}

// Enqueue writes notifications to the outbox in a transaction of their own,
// for changes that are not stored by the hub itself.
func (db *DB) Enqueue(ctx context.Context, msgs ...notify.Message) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.enqueue(ctx, tx, msgs...) })
}

const outboxColumns = `id, kind, recipient, reference, link, created_at, attempts, next_attempt_at, leased_until, delivered_at, failed_at, last_error`

// ClaimDue leases up to limit notifications that are due at now, neither
// delivered nor given up, and not leased by another worker, until now+lease.
// Each claim counts as an attempt. The select and the lease are one statement
// in one write transaction, so two workers never claim the same row; on
// PostgreSQL the rows are locked, skipping those another replica is
// claiming, without waiting for the write lock (claimTx).
func (db *DB) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]notify.Notification, error) {
	var out []notify.Notification
	err := db.claimTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET leased_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM outbox
				WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?
				AND (leased_until IS NULL OR leased_until <= ?)
				ORDER BY next_attempt_at, id LIMIT ?`+db.skipLocked("")+`)
			RETURNING `+outboxColumns,
			timeText(now.Add(lease)), timeText(now), timeText(now), limit)
		if err != nil {
			return err
		}
		out, err = scanNotifications(rows)
		return err
	})
	// RETURNING promises no order; send the oldest first.
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

// MarkDelivered records that the notification was accepted by the mail server
// and ends its lease. A delivery stands even over a give-up recorded meanwhile
// by another worker, because the mail did go. An unknown or already delivered
// notification is NotFound.
func (db *DB) MarkDelivered(ctx context.Context, id int64, now time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET delivered_at = ?, failed_at = NULL, leased_until = NULL WHERE id = ? AND delivered_at IS NULL`,
			timeText(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "no undelivered notification %d", id)
		}
		return nil
	})
}

// MarkFailed records a failed attempt with the server's answer and ends the
// lease. It schedules the next attempt at nextAttempt, or, when final, marks
// the notification failed for an admin to see. A notification that was
// delivered or given up meanwhile is left as it is.
func (db *DB) MarkFailed(ctx context.Context, id int64, now time.Time, errText string, nextAttempt time.Time, final bool) error {
	if len(errText) > lastErrorMax {
		errText = strings.ToValidUTF8(errText[:lastErrorMax], "")
	}
	var failedAt any
	if final {
		failedAt = timeText(now)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET last_error = ?, leased_until = NULL, next_attempt_at = ?, failed_at = ?
			WHERE id = ? AND delivered_at IS NULL AND failed_at IS NULL`,
			errText, timeText(nextAttempt), failedAt, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "no pending notification %d", id)
		}
		return nil
	})
}

// OutboxFilter chooses the notifications a page lists.
type OutboxFilter struct {
	State notify.State // empty for every state
	Limit int          // at most this many; 200 when zero
}

// Outbox lists notifications, newest first.
func (db *DB) Outbox(ctx context.Context, f OutboxFilter) ([]notify.Notification, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	where := map[notify.State]string{
		"":               `1 = 1`,
		notify.Pending:   `delivered_at IS NULL AND failed_at IS NULL`,
		notify.Delivered: `delivered_at IS NOT NULL`,
		notify.Failed:    `failed_at IS NOT NULL`,
	}[f.State]
	if where == "" {
		return nil, problem.New(problem.Invalid, "choose a state: pending, delivered or failed")
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE `+where+` ORDER BY created_at DESC, id DESC LIMIT ?`, f.Limit)
	if err != nil {
		return nil, err
	}
	return scanNotifications(rows)
}

// scanNotifications reads rows of outboxColumns and closes them.
func scanNotifications(rows *sql.Rows) ([]notify.Notification, error) {
	defer rows.Close()
	var out []notify.Notification
	for rows.Next() {
		var n notify.Notification
		var kind, created, next string
		var leased, delivered, failed sql.NullString
		if err := rows.Scan(&n.ID, &kind, &n.To, &n.Reference, &n.Link, &created, &n.Attempts, &next, &leased, &delivered, &failed, &n.LastError); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
		n.Kind = notify.Kind(kind)
		n.CreatedAt, n.NextAttemptAt = parseTime(created), parseTime(next)
		n.LeasedUntil, n.DeliveredAt, n.FailedAt = optionalTime(leased), optionalTime(delivered), optionalTime(failed)
		out = append(out, n)
	}
	return out, rows.Err()
}

// optionalTime is the zero time for NULL.
func optionalTime(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	return parseTime(s.String)
}

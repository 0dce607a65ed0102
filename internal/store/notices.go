package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/notify"
)

// Notices says where the store's notifications go: each agency's team
// mailbox, and the link base of the referral pages. Without it, nothing is
// enqueued (a store opened by an operator tool sends nothing).
type Notices struct {
	BaseURL  string
	Agencies *agency.Directory
	// PartnerEvent, when set, is called when an event for partner systems is
	// recorded, so that webhook deliveries start without waiting for a poll.
	PartnerEvent func()
	// WebhookAlerts are the addresses told when a webhook is paused.
	WebhookAlerts []string
	// Noticed, when set, is called when a notification is enqueued, so that
	// the mail worker picks it up without waiting for its next poll.
	Noticed func()
}

// SetNotices turns on notifications for changes the store records.
func (db *DB) SetNotices(n Notices) { db.notices = &n }

// notice writes a notification about referral id to the mailbox of
// agencyID, in the caller's transaction.
func (db *DB) notice(ctx context.Context, tx *sql.Tx, kind notify.Kind, agencyID, referralID, reference string) error {
	if db.notices == nil {
		return nil
	}
	a, ok := db.notices.Agencies.Get(agencyID)
	if !ok || a.Mailbox == "" {
		return nil
	}
	if err := db.enqueue(ctx, tx, notify.Message{Kind: kind, To: a.Mailbox, Reference: reference, Link: notify.ReferralLink(db.notices.BaseURL, referralID)}); err != nil {
		return err
	}
	if db.notices.Noticed != nil {
		// The worker claims through the single writer, so it reads the
		// notification once this transaction commits.
		db.notices.Noticed()
	}
	return nil
}

func referenceOf(ctx context.Context, tx *sql.Tx, id string) (string, error) {
	var ref string
	err := tx.QueryRowContext(ctx, `SELECT reference FROM referrals WHERE id = ?`, id).Scan(&ref)
	return ref, err
}

// sweepBatch and sweepBatches bound a sweep that notes what fell due: at
// most sweepBatches transactions of sweepBatch items each time it runs, so
// that a backlog (after an outage, or data moved in) is noted a few hundred
// a minute and no transaction holds the write lock for long (on
// PostgreSQL, 500 items in one transaction held it some 300 ms).
const (
	sweepBatch   = 100
	sweepBatches = 5
)

// inBatches runs note, one transaction of at most sweepBatch items each,
// until it notes fewer than that or has run sweepBatches times, and returns
// how many it noted in all.
func (db *DB) inBatches(ctx context.Context, note func(tx *sql.Tx, limit int) (int, error)) (int, error) {
	total := 0
	for range sweepBatches {
		n := 0
		if err := db.inTx(ctx, func(tx *sql.Tx) error {
			var err error
			n, err = note(tx, sweepBatch)
			return err
		}); err != nil {
			return total, err
		}
		total += n
		if n < sweepBatch {
			break
		}
	}
	return total, nil
}

// NoteOverdue finds shares that have passed their due time without an
// answer and not yet been noted, notes them, and tells the agency and the
// force, each share in the same transaction as its notices (inBatches). It
// returns how many it noted.
func (db *DB) NoteOverdue(ctx context.Context, now time.Time) (int, error) {
	return db.inBatches(ctx, func(tx *sql.Tx, limit int) (int, error) {
		rows, err := tx.QueryContext(ctx, `SELECT s.id, s.agency, r.id, r.reference FROM shares s JOIN referrals r ON r.id = s.referral_id
			WHERE s.status IN ('sent', 'viewed') AND s.due_at < ? AND s.overdue_noted = 0 LIMIT ?`, timeText(now), limit)
		if err != nil {
			return 0, err
		}
		type due struct{ share, agency, referral, reference string }
		var found []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.share, &d.agency, &d.referral, &d.reference); err != nil {
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
			if _, err := tx.ExecContext(ctx, `UPDATE shares SET overdue_noted = 1 WHERE id = ?`, d.share); err != nil {
				return 0, err
			}
			if err := db.notice(ctx, tx, notify.OverdueShare, d.agency, d.referral, d.reference); err != nil {
				return 0, err
			}
			if err := db.notice(ctx, tx, notify.OverdueForPolice, agency.Police, d.referral, d.reference); err != nil {
				return 0, err
			}
		}
		return len(found), nil
	})
}

package store

import (
	"context"
	"time"
)

// CountAttention counts the sent referrals that need the police's attention
// (referral.Summary.Attention): an agency has declined, has let its
// response time pass without an answer, or has written a message the police
// have not read. With an officer, only that
// officer's referrals; otherwise all.
func (db *DB) CountAttention(ctx context.Context, officer string, now time.Time) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM referrals r
		WHERE r.state = 'sent' AND (? = '' OR r.officer = ?)
		AND EXISTS (SELECT 1 FROM shares s WHERE s.referral_id = r.id
			AND (s.status = 'declined' OR s.police_unread = 1 OR (s.status IN ('sent', 'viewed') AND s.due_at < ?)))`,
		officer, officer, timeText(now)).Scan(&n)
	return n, err
}

package store

import (
	"github.com/stalking-hub/hub/internal/report"
)

// criminalJustice counts the referrals of the period an order protects on
// its last day, which depends on the day of asking. The outcomes, the time
// to them and the Victims' Code updates come from the counters (counted).
func (q reportQuery) criminalJustice(f *report.Figures) error {
	cj := &f.CriminalJustice
	scope, args := q.referralScope(), q.scopeArgs(q.period.Start(), q.period.End())
	day := q.period.To
	if today := dateOf(q.now); today.Before(day) {
		day = today
	}
	on := dateText(day)
	// From the orders, far fewer than the referrals, to their referral: the
	// referrals are looked up by the ids the orders give, not scanned.
	if err := q.tx.QueryRowContext(q.ctx, `SELECT COUNT(*) FROM referrals r WHERE r.id IN (SELECT o.referral_id FROM orders o
		WHERE o.starts_on <= ? AND (o.ends_on = '' OR o.ends_on >= ?) AND (o.discharged_on = '' OR o.discharged_on > ?)) AND `+scope,
		append([]any{on, on, on}, args...)...).Scan(&cj.WithActiveOrder); err != nil {
		return err
	}

	return nil
}

package store

import (
	"github.com/stalking-hub/hub/internal/report"
)

// criminalJustice counts the referrals of the period an order protects on
// its last day, and the Victims' Code updates due in the period and whether
// they were told: these depend on the day of asking. The outcomes and the
// time to them come from the counters (counted).
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

	updates := `SELECT COUNT(*), COUNT(*) FILTER (WHERE v.told_on <> '' AND v.told_on <= v.due_by), COUNT(*) FILTER (WHERE v.told_on > v.due_by),
		COUNT(*) FILTER (WHERE v.told_on = '' AND v.due_by < ?) FROM victim_updates v JOIN referrals r ON r.id = v.referral_id
		WHERE v.due_by >= ? AND v.due_by <= ? AND r.state = 'sent'`
	uargs := []any{dateText(dateOf(q.now)), dateText(q.period.From), dateText(q.period.To)}
	if q.agency != "" {
		updates += ` AND r.shared_with LIKE '%,' || ? || ',%'`
		uargs = append(uargs, q.agency)
	}
	u := &cj.VictimUpdates
	if err := q.tx.QueryRowContext(q.ctx, updates, uargs...).Scan(&u.Due, &u.OnTime, &u.Late, &u.Overdue); err != nil {
		return err
	}
	return nil
}

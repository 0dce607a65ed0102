package store

import (
	"time"

	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/report"
)

// criminalJustice counts the outcomes of the period's referrals, how long
// they took, the referrals an order protects on the period's last day, and
// the Victims' Code updates due in the period and whether they were told.
func (q reportQuery) criminalJustice(f *report.Figures) error {
	cj := report.NewCriminalJustice()
	scope, args := q.referralScope(), q.scopeArgs(q.period.Start(), q.period.End())
	rows, err := q.tx.QueryContext(q.ctx, `SELECT r.offence, r.cj_outcome, r.created_at, r.cj_outcome_on FROM referrals r
		WHERE `+scope+` AND r.cj_outcome <> ''`, args...)
	if err != nil {
		return err
	}
	var seconds []int64
	for rows.Next() {
		var offence, outcome, created, decided string
		if err := rows.Scan(&offence, &outcome, &created, &decided); err != nil {
			rows.Close()
			return err
		}
		cj.WithOutcome++
		cj.ByOutcome[outcome]++
		if byOutcome, ok := cj.ByOffence[offence]; ok {
			byOutcome[outcome]++
		}
		// The decision is a day: it is taken at the end of it, so that an
		// outcome on the day of the referral counts a part day, never less.
		if d := parseDate(decided).AddDate(0, 0, 1).Sub(parseTime(created)); d > 0 {
			seconds = append(seconds, int64(d/time.Second))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	cj.ToOutcome = report.DurationsOf(seconds)

	day := q.period.To
	if today := dateOf(q.now); today.Before(day) {
		day = today
	}
	on := dateText(day)
	// From the orders, far fewer than the referrals, to their referral.
	if err := q.tx.QueryRowContext(q.ctx, `SELECT COUNT(DISTINCT o.referral_id) FROM orders o JOIN referrals r ON r.id = o.referral_id
		WHERE o.starts_on <= ? AND (o.ends_on = '' OR o.ends_on >= ?) AND (o.discharged_on = '' OR o.discharged_on > ?) AND `+scope,
		append([]any{on, on, on}, args...)...).Scan(&cj.WithActiveOrder); err != nil {
		return err
	}

	updates := `SELECT COUNT(*), COUNT(*) FILTER (WHERE v.told_on <> '' AND v.told_on <= v.due_by), COUNT(*) FILTER (WHERE v.told_on > v.due_by),
		COUNT(*) FILTER (WHERE v.told_on = '' AND v.due_by < ?) FROM victim_updates v JOIN referrals r ON r.id = v.referral_id
		WHERE v.due_by >= ? AND v.due_by <= ? AND r.state = 'sent'`
	uargs := []any{dateText(dateOf(q.now)), dateText(q.period.From), dateText(q.period.To)}
	if q.agency != "" {
		updates += ` AND instr(r.shared_with, ',' || ? || ',') > 0`
		uargs = append(uargs, q.agency)
	}
	u := &cj.VictimUpdates
	if err := q.tx.QueryRowContext(q.ctx, updates, uargs...).Scan(&u.Due, &u.OnTime, &u.Late, &u.Overdue); err != nil {
		return err
	}
	f.CriminalJustice = cj
	return nil
}

// equality counts the equality details of the period's referrals whose
// victims agreed to give them, answer by answer: counts, never a row. One
// grouped pass gives every combination of answers; Go adds them up by
// question.
func (q reportQuery) equality(f *report.Figures) error {
	f.Equality = report.NewEquality()
	scope, args := q.referralScope(), q.scopeArgs(q.period.Start(), q.period.End())
	rows, err := q.tx.QueryContext(q.ctx, `SELECT e.sex, e.age_band, e.ethnicity, e.disability, e.sexual_orientation, e.gender_identity, e.interpreter, COUNT(*)
		FROM victim_equality e JOIN referrals r ON r.id = e.referral_id WHERE `+scope+` GROUP BY 1, 2, 3, 4, 5, 6, 7`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e referral.Equality
		var n int
		if err := rows.Scan(&e.Sex, &e.AgeBand, &e.Ethnicity, &e.Disability, &e.SexualOrientation, &e.GenderIdentity, &e.Interpreter, &n); err != nil {
			return err
		}
		f.EqualityGiven += n
		for question, answer := range e.Answers() {
			if byAnswer, ok := f.Equality[question]; ok {
				byAnswer[answer] += n
			}
		}
	}
	return rows.Err()
}

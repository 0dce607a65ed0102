package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/report"
)

// Outcomes works out the figures of a period, for all agencies or one, in
// one read transaction so that they agree with each other. now decides what
// is overdue and which MARAC meetings have been held. The figures of
// referrals and shares are read from the counters the store keeps with
// every change (report_counts.go), a row per month and code, or per day in
// a month the period covers in part; the rest are SQL aggregates over the
// smaller tables (requests to share without consent, MARAC, orders,
// Victims' Code updates) and over the shares still waiting for an answer.
// No row of a referral or a share leaves the database.
func (db *DB) Outcomes(ctx context.Context, p report.Period, agencyID string, now time.Time) (report.Figures, error) {
	f := report.Figures{Period: p, Agency: agencyID, AsOf: now.UTC(), Consent: report.Consent{ByDecision: map[string]int{}},
		Overrides: []report.OverrideBasis{}, MARAC: report.MARAC{ByAgency: []report.AgencyActions{}}}
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return f, err
	}
	defer tx.Rollback()
	q := reportQuery{ctx: ctx, tx: tx, period: p, agency: agencyID, now: now}
	for _, step := range []func(*report.Figures) error{q.counted, q.overrides, q.marac, q.criminalJustice} {
		if err := step(&f); err != nil {
			return f, err
		}
	}
	return f, nil
}

// reportQuery is one report's reading: its transaction and its filters.
type reportQuery struct {
	ctx    context.Context
	tx     *sql.Tx
	period report.Period
	agency string
	now    time.Time
}

// referralScope is the referrals a report counts: sent, raised between two
// times, and when an agency is chosen, shared with it.
func (q reportQuery) referralScope() string {
	scope := `r.state = 'sent' AND r.created_at >= ? AND r.created_at < ?`
	if q.agency != "" {
		scope += ` AND r.shared_with LIKE '%,' || ? || ',%'`
	}
	return scope
}

// scopeArgs binds referralScope for the times from and to.
func (q reportQuery) scopeArgs(from, to time.Time) []any {
	args := []any{timeText(from), timeText(to)}
	if q.agency != "" {
		args = append(args, q.agency)
	}
	return args
}

// overdueToday counts, agency by agency, the shares sent in the period,
// still waiting for an answer, whose due time fell today before now. The
// counters give the waiting shares by their due day (dimAwaiting), so only
// today's need a look at the time: they are read from the shares due
// today (index shares_awaiting).
func (q reportQuery) overdueToday(t *report.ShareTally) error {
	query := `SELECT s.agency, COUNT(*) FROM shares s
		WHERE s.status IN ('sent', 'viewed') AND s.due_at >= ? AND s.due_at < ? AND s.sent_at >= ? AND s.sent_at < ?
		AND s.referral_id NOT IN (SELECT id FROM referrals WHERE state <> 'sent')`
	args := []any{dateText(q.now), timeText(q.now), dateText(q.period.Start()), dateText(q.period.End())}
	if q.agency != "" {
		query += ` AND s.agency = ?`
		args = append(args, q.agency)
	}
	rows, err := q.tx.QueryContext(q.ctx, query+` GROUP BY s.agency`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		g := report.ShareGroup{Status: string(referral.Sent)}
		if err := rows.Scan(&g.Agency, &g.PastDue); err != nil {
			return err
		}
		t.Add(g)
	}
	return rows.Err()
}

// overrides counts the requests to share without consent made in the
// period, by basis and status; with an agency, those that name it. The
// period is a range of the stored times (from its first day to the day
// after its last), read in the order of index overrides_requested. The
// referrals not sent are set aside by their few ids (index
// referrals_unsent), not by a visit to each request's referral: a year at
// 100,000 referrals holds some 20,000 requests, and those visits were
// two thirds of the report's time.
func (q reportQuery) overrides(f *report.Figures) error {
	rows, err := q.tx.QueryContext(q.ctx, `SELECT o.basis, COUNT(*), SUM(CASE WHEN o.status = 'approved' THEN 1 ELSE 0 END), SUM(CASE WHEN o.status = 'refused' THEN 1 ELSE 0 END), SUM(CASE WHEN o.status = 'pending' THEN 1 ELSE 0 END)
		FROM overrides o
		WHERE o.requested_at >= ? AND o.requested_at < ? AND (? = '' OR ',' || o.agencies || ',' LIKE '%,' || ? || ',%')
		AND o.referral_id NOT IN (SELECT id FROM referrals WHERE state <> 'sent')
		GROUP BY o.basis ORDER BY o.basis`, dateText(q.period.Start()), dateText(q.period.End()), q.agency, q.agency)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var o report.OverrideBasis
		if err := rows.Scan(&o.Basis, &o.Requested, &o.Approved, &o.Refused, &o.Pending); err != nil {
			return err
		}
		f.Overrides = append(f.Overrides, o)
	}
	return rows.Err()
}

// maracHeard keeps the meetings held in the period: dated in it and not
// after today. It binds the first and last day and today.
const maracHeard = `m.meeting_date >= ? AND m.meeting_date <= ? AND m.meeting_date <= ?`

// marac counts the cases heard and the actions agreed on them; with an
// agency, the cases of referrals shared with it and the actions it owns. An action is
// on time when it was last changed to done on or before its due day, and
// overdue when it is open after its due day, as marac.ActionOverdue says.
func (q reportQuery) marac(f *report.Figures) error {
	p, today := f.Period, dateText(q.now)
	days := []any{dateText(p.From), dateText(p.To), today}
	err := q.tx.QueryRowContext(q.ctx, `SELECT COUNT(*), COALESCE(SUM(c.is_repeat), 0)
		FROM marac_cases c JOIN marac_meetings m ON m.id = c.meeting_id WHERE c.removed_at = '' AND `+maracHeard+`
		AND (? = '' OR EXISTS (SELECT 1 FROM shares x WHERE x.referral_id = c.referral_id AND x.agency = ?))`,
		append(days, q.agency, q.agency)...).Scan(&f.MARAC.Cases, &f.MARAC.RepeatCases)
	if err != nil {
		return err
	}
	rows, err := q.tx.QueryContext(q.ctx, `SELECT a.agency, COUNT(*),
		SUM(CASE WHEN a.status = 'done' AND substr(a.updated_at, 1, 10) <= a.due THEN 1 ELSE 0 END), SUM(CASE WHEN a.status = 'done' AND substr(a.updated_at, 1, 10) > a.due THEN 1 ELSE 0 END),
		SUM(CASE WHEN a.status = 'open' THEN 1 ELSE 0 END), SUM(CASE WHEN a.status = 'open' AND a.due < ? THEN 1 ELSE 0 END), SUM(CASE WHEN a.status = 'not_possible' THEN 1 ELSE 0 END), SUM(CASE WHEN a.status = 'not_done' THEN 1 ELSE 0 END)
		FROM marac_actions a JOIN marac_cases c ON c.id = a.case_id JOIN marac_meetings m ON m.id = c.meeting_id
		WHERE `+maracHeard+` AND (? = '' OR a.agency = ?)
		GROUP BY a.agency ORDER BY a.agency`, append(append([]any{today}, days...), q.agency, q.agency)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a report.AgencyActions
		c := &a.ActionCounts
		if err := rows.Scan(&a.Agency, &c.Actions, &c.DoneOnTime, &c.DoneLate, &c.Open, &c.Overdue, &c.NotPossible, &c.NotDone); err != nil {
			return err
		}
		f.MARAC.ByAgency = append(f.MARAC.ByAgency, a)
		f.MARAC.ActionCounts.Add(*c)
	}
	return rows.Err()
}

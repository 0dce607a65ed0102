package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/report"
)

// Outcomes works out the figures of a period, for all agencies or one, in
// one read transaction so that they agree with each other. now decides what
// is overdue and which MARAC meetings have been held. Every figure is an
// SQL aggregate over metadata: no row of a referral or a share leaves the
// database, and the repeats and links, which depend on keyed fingerprints,
// are already columns of each referral (migration 0008), so only their
// counts come out.
func (db *DB) Outcomes(ctx context.Context, p report.Period, agencyID string, now time.Time) (report.Figures, error) {
	f := report.Figures{Period: p, Agency: agencyID, AsOf: now.UTC(), Consent: report.Consent{ByDecision: map[string]int{}},
		Overrides: []report.OverrideBasis{}, MARAC: report.MARAC{ByAgency: []report.AgencyActions{}}}
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return f, err
	}
	defer tx.Rollback()
	q := reportQuery{ctx: ctx, tx: tx, period: p, scope: []any{dateText(p.From), dateText(p.To), agencyID, agencyID}, agency: agencyID, now: now}
	for _, step := range []func(*report.Figures) error{q.referrals, q.shares, q.overrides, q.marac, q.criminalJustice, q.equality} {
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
	scope  []any // the first and last day, and the agency twice
	agency string
	now    time.Time
}

// referralCounts is what the report counts of a month's referrals, each a
// condition on the columns of the referrals_report index, in the order the
// query lists them. The months are read one by one over that index: a
// grouped query would sort every referral of the period first.
func referralCounts() (columns []string, args []any) {
	add := func(cond string, arg ...any) {
		columns = append(columns, "COUNT(*) FILTER (WHERE "+cond+")")
		args = append(args, arg...)
	}
	for _, level := range report.RiskLevels {
		add("r.risk_level = ?", level)
	}
	for _, offence := range report.Offences {
		add("r.offence = ?", offence)
	}
	for _, factor := range report.Factors {
		add(factorConditions[factor])
	}
	for _, d := range report.ConsentDecisions {
		if d == report.NoConsentRecord {
			d = ""
		}
		add("r.consent_decision = ?", d)
	}
	for _, cond := range []string{"r.repeat_victim", "r.repeat_suspect", "r.linked_via_victim OR r.linked_via_suspect", "r.linked_via_victim", "r.linked_via_suspect"} {
		add(cond)
	}
	return columns, args
}

// factorConditions says which referrals have each of report.Factors.
var factorConditions = map[string]string{"domestic_abuse": "r.domestic_abuse", "hate_crime": "r.hate_crime_strand <> ''",
	"honour_based_abuse": "r.honour_based_abuse", "fear_of_violence": "r.fear_of_violence", "technology_enabled": "r.technology_enabled"}

// referralScope is the referrals a report counts: sent, raised between two
// times, and when an agency is chosen, shared with it.
func (q reportQuery) referralScope() string {
	scope := `r.state = 'sent' AND r.created_at >= ? AND r.created_at < ?`
	if q.agency != "" {
		scope += ` AND instr(r.shared_with, ',' || ? || ',') > 0`
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

// referrals counts the referrals raised in the period month by month, with
// their consent and where they stand in patterns, and their hate-crime
// strands over the whole period.
func (q reportQuery) referrals(f *report.Figures) error {
	p := f.Period
	f.Referrals = report.NewReferrals(p)
	columns, countArgs := referralCounts()
	month, err := q.tx.PrepareContext(q.ctx, `SELECT COUNT(*), `+strings.Join(columns, ", ")+` FROM referrals r WHERE `+q.referralScope())
	if err != nil {
		return err
	}
	defer month.Close()
	for i := range f.Referrals.Months {
		from, to := p.MonthSpan(i)
		n := make([]int, 1+len(columns))
		dest := make([]any, len(n))
		for k := range n {
			dest[k] = &n[k]
		}
		if err := month.QueryRowContext(q.ctx, append(slices.Clone(countArgs), q.scopeArgs(from, to)...)...).Scan(dest...); err != nil {
			return err
		}
		m := report.Month{Total: n[0], ByRisk: map[string]int{}, ByOffence: map[string]int{}, ByFactor: map[string]int{}}
		next := n[1:]
		take := func(codes []string, into map[string]int) {
			for k, code := range codes {
				into[code] += next[k]
			}
			next = next[len(codes):]
		}
		take(report.RiskLevels, m.ByRisk)
		take(report.Offences, m.ByOffence)
		take(report.Factors, m.ByFactor)
		take(report.ConsentDecisions, f.Consent.ByDecision)
		f.Referrals.AddMonth(i, m)
		f.Consent.Referrals += m.Total
		pt := &f.Patterns
		pt.Referrals += m.Total
		for k, into := range []*int{&pt.RepeatVictim, &pt.RepeatSuspect, &pt.Linked, &pt.LinkedViaVictim, &pt.LinkedViaSuspect} {
			*into += next[k]
		}
	}
	// Each strand of a referral counts once: the first from its column, the
	// others from referral_strands.
	args := q.scopeArgs(p.Start(), p.End())
	rows, err := q.tx.QueryContext(q.ctx, `SELECT strand, COUNT(*) FROM (
		SELECT r.hate_crime_strand AS strand FROM referrals r WHERE `+q.referralScope()+` AND r.hate_crime_strand <> ''
		UNION ALL
		SELECT s.strand FROM referral_strands s JOIN referrals r ON r.id = s.referral_id WHERE `+q.referralScope()+`
	) GROUP BY strand`, append(args, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var strand string
		var n int
		if err := rows.Scan(&strand, &n); err != nil {
			return err
		}
		f.Referrals.ByStrand[strand] = n
	}
	return rows.Err()
}

// shareScope is the shares a report counts: sent in the period, of sent
// referrals, and when an agency is chosen, its own. It binds the first day,
// the day after the last and, with an agency, the agency.
func (q reportQuery) shareScope() (string, []any) {
	scope := `s.sent_at >= ? AND s.sent_at < ? AND s.referral_id NOT IN (SELECT id FROM referrals WHERE state <> 'sent')`
	args := []any{dateText(q.period.Start()), dateText(q.period.End())}
	if q.agency != "" {
		scope += ` AND s.agency = ?`
		args = append(args, q.agency)
	}
	return scope, args
}

// shares counts the shares sent in the period agency by agency, in groups
// by where they stand; the times to answer and to accept are then read at
// the ranks their median and 90th percentile need. Whether an answer came
// in time, and whether a share is past due, is a comparison of stored
// times, which all have the same fixed-width UTC layout.
func (q reportQuery) shares(f *report.Figures) error {
	scope, args := q.shareScope()
	rows, err := q.tx.QueryContext(q.ctx, `SELECT s.agency, s.status, s.decline_code, s.outcome_code, COUNT(*),
		COUNT(*) FILTER (WHERE s.answered_at <> ''), COUNT(*) FILTER (WHERE s.accepted_at <> ''),
		COUNT(*) FILTER (WHERE s.answered_at <> '' AND s.answered_at <= s.due_at), COUNT(*) FILTER (WHERE s.accepted_at <> '' AND s.accepted_at <= s.due_at),
		COUNT(*) FILTER (WHERE s.due_at < ?)
		FROM shares s WHERE `+scope+` GROUP BY s.agency, s.status, s.decline_code, s.outcome_code`, append([]any{timeText(q.now)}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	t := report.NewShareTally()
	for rows.Next() {
		var g report.ShareGroup
		if err := rows.Scan(&g.Agency, &g.Status, &g.DeclineCode, &g.OutcomeCode, &g.Shares, &g.Answered, &g.Accepted, &g.AnsweredInTime, &g.AcceptedInTime, &g.PastDue); err != nil {
			return err
		}
		t.Add(g)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	f.Agencies, f.DeclineReasons, f.Outcomes = t.Agencies()
	for i := range f.Agencies {
		a := &f.Agencies[i]
		if a.FirstResponse, err = report.SummariseDurations(a.Answered, q.durations(a.Agency, "answered_at", a.Answered)); err != nil {
			return err
		}
		if a.Acceptance, err = report.SummariseDurations(a.Accepted, q.durations(a.Agency, "accepted_at", a.Accepted)); err != nil {
			return err
		}
	}
	return nil
}

// durations reads, for SummariseDurations, the count seconds an agency's
// shares took from sending to the time in column (answered_at or
// accepted_at), by rank, shortest first, from the whole seconds stored
// beside it (answer_seconds, accept_seconds). The shares_answer_time and
// shares_accept_time indexes hold them in that order, so a rank is a walk
// along an index, not a sort; a rank in the upper half, such as the 90th
// percentile's, is walked to from the longest end.
func (q reportQuery) durations(agencyID, column string, count int) func(rank, n int) ([]int64, error) {
	seconds := map[string]string{"answered_at": "s.answer_seconds", "accepted_at": "s.accept_seconds"}[column]
	return func(rank, n int) ([]int64, error) {
		order, offset := "ASC", rank
		if rank >= count/2 {
			order, offset = "DESC", count-rank-n
		}
		scope, args := q.shareScope()
		rows, err := q.tx.QueryContext(q.ctx, `SELECT `+seconds+` FROM shares s WHERE s.agency = ? AND s.`+column+` <> '' AND `+scope+`
			ORDER BY `+seconds+` `+order+` LIMIT ? OFFSET ?`, append(append([]any{agencyID}, args...), n, offset)...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var d int64
			if err := rows.Scan(&d); err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		if order == "DESC" {
			slices.Reverse(out)
		}
		return out, rows.Err()
	}
}

// overrides counts the requests to share without consent made in the
// period, by basis and status; with an agency, those that name it.
func (q reportQuery) overrides(f *report.Figures) error {
	rows, err := q.tx.QueryContext(q.ctx, `SELECT o.basis, COUNT(*), SUM(o.status = 'approved'), SUM(o.status = 'refused'), SUM(o.status = 'pending')
		FROM overrides o JOIN referrals r ON r.id = o.referral_id
		WHERE r.state = 'sent' AND substr(o.requested_at, 1, 10) BETWEEN ? AND ? AND (? = '' OR ',' || o.agencies || ',' LIKE '%,' || ? || ',%')
		GROUP BY o.basis ORDER BY o.basis`, q.scope...)
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
		SUM(a.status = 'done' AND substr(a.updated_at, 1, 10) <= a.due), SUM(a.status = 'done' AND substr(a.updated_at, 1, 10) > a.due),
		SUM(a.status = 'open'), SUM(a.status = 'open' AND a.due < ?), SUM(a.status = 'not_possible'), SUM(a.status = 'not_done')
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

package store

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/report"
)

// The outcomes report's figures of referrals and shares as they were worked
// out before the counters (migration 0036): every referral and share of the
// period added up in SQL. Kept here, in the tests alone, as the reference
// the counters are held to.

// fullQuery is reportQuery working the figures out in full.
type fullQuery struct{ reportQuery }

// FullOutcomes is Outcomes with the figures of referrals and shares worked
// out in full from the referrals and shares, not read from the counters.
func (db *DB) FullOutcomes(ctx context.Context, p report.Period, agencyID string, now time.Time) (report.Figures, error) {
	f := report.Figures{Period: p, Agency: agencyID, AsOf: now.UTC(), Consent: report.Consent{ByDecision: map[string]int{}},
		Overrides: []report.OverrideBasis{}, MARAC: report.MARAC{ByAgency: []report.AgencyActions{}}}
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return f, err
	}
	defer tx.Rollback()
	q := fullQuery{reportQuery{ctx: ctx, tx: tx, period: p, agency: agencyID, now: now}}
	for _, step := range []func(*report.Figures) error{q.referrals, q.shares, q.overrides, q.marac, q.criminalJustice, q.reportQuery.criminalJustice, q.victimUpdates, q.equality} {
		if err := step(&f); err != nil {
			return f, err
		}
	}
	return f, nil
}

// referralCounts is what the report counts of a month's referrals, each a
// condition on the columns of the referrals_report index, in the order the
// query lists them. The months are read one by one over that index: a
// grouped query would sort every referral of the period first.
func fullReferralCounts() (columns []string, args []any) {
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
		add(fullFactorConditions[factor])
	}
	for _, d := range report.ConsentDecisions {
		if d == report.NoConsentRecord {
			d = ""
		}
		add("r.consent_decision = ?", d)
	}
	for _, cond := range []string{"r.repeat_victim = 1", "r.repeat_suspect = 1", "r.linked_via_victim = 1 OR r.linked_via_suspect = 1", "r.linked_via_victim = 1", "r.linked_via_suspect = 1"} {
		add(cond)
	}
	return columns, args
}

// fullFactorConditions says which referrals have each of report.Factors.
var fullFactorConditions = map[string]string{"domestic_abuse": "r.domestic_abuse = 1", "hate_crime": "r.hate_crime_strand <> ''",
	"honour_based_abuse": "r.honour_based_abuse = 1", "fear_of_violence": "r.fear_of_violence = 1", "technology_enabled": "r.technology_enabled = 1"}

// referrals counts the referrals raised in the period month by month, with
// their consent and where they stand in patterns, and their hate-crime
// strands over the whole period.
func (q fullQuery) referrals(f *report.Figures) error {
	p := f.Period
	f.Referrals = report.NewReferrals(p)
	columns, countArgs := fullReferralCounts()
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
	) u GROUP BY strand`, append(args, args...)...)
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
func (q fullQuery) shareScope() (string, []any) {
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
func (q fullQuery) shares(f *report.Figures) error {
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
		if a.FirstResponse, err = report.SummariseDurations(a.Answered, q.fullDurations(a.Agency, "answered_at", a.Answered)); err != nil {
			return err
		}
		if a.Acceptance, err = report.SummariseDurations(a.Accepted, q.fullDurations(a.Agency, "accepted_at", a.Accepted)); err != nil {
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
func (q fullQuery) fullDurations(agencyID, column string, count int) func(rank, n int) ([]int64, error) {
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

// criminalJustice counts the outcomes of the period's referrals, how long
// they took, the referrals an order protects on the period's last day, and
// the Victims' Code updates due in the period and whether they were told.
func (q fullQuery) criminalJustice(f *report.Figures) error {
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

	f.CriminalJustice = cj
	return nil
}

// victimUpdates counts the Victims' Code updates due in the period, of
// sent referrals (for an agency: those sent to it), and whether they were
// told: on time, late, or not yet and overdue as of the day of asking.
func (q fullQuery) victimUpdates(f *report.Figures) error {
	updates := `SELECT COUNT(*), COUNT(*) FILTER (WHERE v.told_on <> '' AND v.told_on <= v.due_by), COUNT(*) FILTER (WHERE v.told_on > v.due_by),
		COUNT(*) FILTER (WHERE v.told_on = '' AND v.due_by < ?) FROM victim_updates v JOIN referrals r ON r.id = v.referral_id
		WHERE v.due_by >= ? AND v.due_by <= ? AND r.state = 'sent'`
	args := []any{dateText(dateOf(q.now)), dateText(q.period.From), dateText(q.period.To)}
	if q.agency != "" {
		updates += ` AND r.shared_with LIKE '%,' || ? || ',%'`
		args = append(args, q.agency)
	}
	u := &f.CriminalJustice.VictimUpdates
	return q.tx.QueryRowContext(q.ctx, updates, args...).Scan(&u.Due, &u.OnTime, &u.Late, &u.Overdue)
}

// equality counts the equality details of the period's referrals whose
// victims agreed to give them, answer by answer: counts, never a row. One
// grouped pass gives every combination of answers; Go adds them up by
// question.
func (q fullQuery) equality(f *report.Figures) error {
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

// CountedRows is report_counts (the rows not at zero) and report_counted,
// each row as text.
func (db *DB) CountedRows(ctx context.Context) (counts, counted map[string]string, err error) {
	counts, counted = map[string]string{}, map[string]string{}
	rows, err := db.r.QueryContext(ctx, `SELECT agency, bucket, dim, code, n, total FROM report_counts WHERE n <> 0 OR total <> 0`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b, d, c string
		var n, total int64
		if err := rows.Scan(&a, &b, &d, &c, &n, &total); err != nil {
			return nil, nil, err
		}
		counts[strings.Join([]string{a, b, d, c}, " ")] = strings.Join([]string{strconv.FormatInt(n, 10), strconv.FormatInt(total, 10)}, " ")
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows2, err := db.r.QueryContext(ctx, `SELECT referral_id, counted FROM report_counted`)
	if err != nil {
		return nil, nil, err
	}
	defer rows2.Close()
	for rows2.Next() {
		var id, c string
		if err := rows2.Scan(&id, &c); err != nil {
			return nil, nil, err
		}
		counted[id] = c
	}
	return counts, counted, rows2.Err()
}

// RefillCounts empties the counters and fills them again as migrations
// 0036 and 0039 do.
func (db *DB) RefillCounts(ctx context.Context) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_counts`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_counted`); err != nil {
			return err
		}
		return db.fillReportCounts(ctx, tx)
	})
}

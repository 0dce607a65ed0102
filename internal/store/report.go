package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/stalking-hub/hub/internal/report"
)

// reportScope is the referrals a report counts: sent, raised in the period,
// and when an agency is chosen, shared with it. It binds, in order, the
// period's start and end and the agency twice.
const reportScope = `r.state = 'sent' AND r.created_at >= ? AND r.created_at < ?
	AND (? = '' OR EXISTS (SELECT 1 FROM shares x WHERE x.referral_id = r.id AND x.agency = ?))`

// Outcomes works out the figures of a period, for all agencies or one, in
// one read transaction so that they agree with each other. now decides what
// is overdue and which MARAC meetings have been held. Every figure is an
// aggregate: no row of personal data leaves the database, and only
// durations (numbers) are read one by one, for their percentiles.
func (db *DB) Outcomes(ctx context.Context, p report.Period, agencyID string, now time.Time) (report.Figures, error) {
	f := report.Figures{Period: p, Agency: agencyID, Referrals: report.NewReferrals(p),
		Consent: report.Consent{ByDecision: map[string]int{}}, Agencies: []report.AgencyFigures{},
		DeclineReasons: []report.DeclineReason{}, Overrides: []report.OverrideBasis{}, MARAC: report.MARAC{ByAgency: []report.AgencyActions{}}}
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return f, err
	}
	defer tx.Rollback()
	q := reportQuery{ctx: ctx, tx: tx, scope: []any{timeText(p.Start()), timeText(p.End()), agencyID, agencyID}, agency: agencyID, now: now}
	for _, step := range []func(*report.Figures) error{q.referrals, q.consent, q.patterns, q.agencies, q.durations, q.declines, q.overrides, q.marac} {
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
	scope  []any // the arguments of reportScope
	agency string
	now    time.Time
}

func (q reportQuery) args(more ...any) []any {
	return append(append([]any{}, q.scope...), more...)
}

// referrals counts the period's referrals in groups alike in month,
// offence, risk and factors; report.Referrals adds them up every way.
func (q reportQuery) referrals(f *report.Figures) error {
	rows, err := q.tx.QueryContext(q.ctx, `SELECT substr(r.created_at, 1, 7), r.offence, r.risk_level, r.domestic_abuse, r.hate_crime_strand,
		r.honour_based_abuse, r.fear_of_violence, r.technology_enabled, COUNT(*)
		FROM referrals r WHERE `+reportScope+` GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`, q.args()...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var g report.Group
		if err := rows.Scan(&g.Month, &g.Offence, &g.Risk, &g.Factors.DomesticAbuse, &g.Factors.HateCrimeStrand,
			&g.Factors.HonourBasedAbuse, &g.Factors.FearOfViolence, &g.Factors.TechnologyEnabled, &g.Count); err != nil {
			return err
		}
		f.Referrals.Add(g)
	}
	return rows.Err()
}

// consent counts the referrals by the decision of their latest consent record.
func (q reportQuery) consent(f *report.Figures) error {
	rows, err := q.tx.QueryContext(q.ctx, `SELECT COALESCE((SELECT c.decision FROM consents c WHERE c.referral_id = r.id ORDER BY c.seq DESC LIMIT 1), ?), COUNT(*)
		FROM referrals r WHERE `+reportScope+` GROUP BY 1`, append([]any{report.NoConsentRecord}, q.args()...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for _, d := range report.ConsentDecisions {
		f.Consent.ByDecision[d] = 0
	}
	for rows.Next() {
		var d string
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			return err
		}
		f.Consent.ByDecision[d] = n
		f.Consent.Referrals += n
	}
	return rows.Err()
}

// patterns counts repeat victims and suspects (by fingerprint, another sent
// referral raised in the twelve months up to this one, the day twelve months
// before included) and referrals with a confirmed link on either side.
func (q reportQuery) patterns(f *report.Figures) error {
	repeat := func(col string) string {
		return `r.` + col + ` <> '' AND EXISTS (SELECT 1 FROM referrals o WHERE o.` + col + ` = r.` + col + ` AND o.id <> r.id AND o.state = 'sent'
			AND o.created_at <= r.created_at AND o.created_at >= strftime('%Y-%m-%dT%H:%M:%S', r.created_at, '-12 months'))`
	}
	linked := func(via string) string {
		return `r.id IN (SELECT referral_id FROM referral_links WHERE status = 'confirmed'` + via + `
			UNION SELECT other_id FROM referral_links WHERE status = 'confirmed'` + via + `)`
	}
	err := q.tx.QueryRowContext(q.ctx, `SELECT COUNT(*), COALESCE(SUM(`+repeat("victim_fp")+`), 0), COALESCE(SUM(`+repeat("suspect_fp")+`), 0),
		COALESCE(SUM(`+linked("")+`), 0), COALESCE(SUM(`+linked(" AND via = 'victim'")+`), 0), COALESCE(SUM(`+linked(" AND via = 'suspect'")+`), 0)
		FROM referrals r WHERE `+reportScope, q.args()...).Scan(&f.Patterns.Referrals, &f.Patterns.RepeatVictim, &f.Patterns.RepeatSuspect,
		&f.Patterns.Linked, &f.Patterns.LinkedViaVictim, &f.Patterns.LinkedViaSuspect)
	return err
}

// shareScope is the shares a report counts: those of the period's referrals,
// only the chosen agency's when there is one. It binds reportScope's
// arguments and the agency twice.
const shareScope = `FROM shares s JOIN referrals r ON r.id = s.referral_id WHERE ` + reportScope + ` AND (? = '' OR s.agency = ?)`

// agencies counts each agency's shares, answers and timeliness. Times are
// compared as text: every stored time has the same fixed-width UTC layout.
func (q reportQuery) agencies(f *report.Figures) error {
	rows, err := q.tx.QueryContext(q.ctx, `SELECT s.agency, COUNT(*),
		SUM(s.status = 'sent'), SUM(s.status = 'viewed'), SUM(s.status = 'accepted'), SUM(s.status = 'in_progress'), SUM(s.status = 'declined'), SUM(s.status = 'closed'),
		SUM(s.accepted_at <> ''), SUM(s.answered_at <> ''), SUM(s.answered_at <> '' AND s.answered_at <= s.due_at),
		SUM(s.status IN ('sent', 'viewed') AND s.due_at < ?), SUM(s.accepted_at <> '' AND s.accepted_at <= s.due_at)
		`+shareScope+` GROUP BY s.agency ORDER BY s.agency`, append([]any{timeText(q.now)}, q.args(q.agency, q.agency)...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		a := report.AgencyFigures{Statuses: map[string]int{}}
		var sent, viewed, accepted, inProgress, declined, closed int
		if err := rows.Scan(&a.Agency, &a.Received, &sent, &viewed, &accepted, &inProgress, &declined, &closed,
			&a.Accepted, &a.Answered, &a.WithinResponseTime, &a.Overdue, &a.AcceptedWithinResponseTime); err != nil {
			return err
		}
		a.Declined, a.Closed, a.Awaiting = declined, closed, sent+viewed
		for s, n := range map[string]int{"sent": sent, "viewed": viewed, "accepted": accepted, "in_progress": inProgress, "declined": declined, "closed": closed} {
			a.Statuses[s] = n
		}
		f.Agencies = append(f.Agencies, a)
	}
	return rows.Err()
}

// durations reads, agency by agency, the seconds from sending to the first
// answer and to acceptance: numbers only, for their median and 90th percentile.
func (q reportQuery) durations(f *report.Figures) error {
	for _, d := range []struct {
		at   string
		into func(*report.AgencyFigures) *report.Durations
	}{
		{"answered_at", func(a *report.AgencyFigures) *report.Durations { return &a.FirstResponse }},
		{"accepted_at", func(a *report.AgencyFigures) *report.Durations { return &a.Acceptance }},
	} {
		rows, err := q.tx.QueryContext(q.ctx, `SELECT s.agency, unixepoch(s.`+d.at+`) - unixepoch(s.sent_at) `+shareScope+` AND s.`+d.at+` <> ''`,
			q.args(q.agency, q.agency)...)
		if err != nil {
			return err
		}
		seconds := map[string][]int64{}
		for rows.Next() {
			var agencyID string
			var s int64
			if err := rows.Scan(&agencyID, &s); err != nil {
				rows.Close()
				return err
			}
			seconds[agencyID] = append(seconds[agencyID], s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range f.Agencies {
			*d.into(&f.Agencies[i]) = report.DurationsOf(seconds[f.Agencies[i].Agency])
		}
	}
	return nil
}

// declines counts declined shares by agency and the reason's code.
func (q reportQuery) declines(f *report.Figures) error {
	rows, err := q.tx.QueryContext(q.ctx, `SELECT s.agency, s.decline_code, COUNT(*) `+shareScope+` AND s.status = 'declined'
		GROUP BY s.agency, s.decline_code ORDER BY s.agency, s.decline_code`, q.args(q.agency, q.agency)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d report.DeclineReason
		if err := rows.Scan(&d.Agency, &d.Code, &d.Count); err != nil {
			return err
		}
		f.DeclineReasons = append(f.DeclineReasons, d)
	}
	return rows.Err()
}

// overrides counts the requests to share without consent made in the
// period, by basis and status; with an agency, those that name it.
func (q reportQuery) overrides(f *report.Figures) error {
	rows, err := q.tx.QueryContext(q.ctx, `SELECT o.basis, COUNT(*), SUM(o.status = 'approved'), SUM(o.status = 'refused'), SUM(o.status = 'pending')
		FROM overrides o JOIN referrals r ON r.id = o.referral_id
		WHERE r.state = 'sent' AND o.requested_at >= ? AND o.requested_at < ? AND (? = '' OR ',' || o.agencies || ',' LIKE '%,' || ? || ',%')
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
		FROM marac_cases c JOIN marac_meetings m ON m.id = c.meeting_id WHERE `+maracHeard+`
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

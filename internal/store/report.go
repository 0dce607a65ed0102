package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/stalking-hub/hub/internal/report"
)

// reportScope is the referrals a report counts: sent, raised on a day of
// the period, and when an agency is chosen, shared with it. It binds the
// first and last day and the agency twice. The day is compared as text,
// which reads the table in order: for a year of referrals that is several
// times faster than walking the created_at index to every row.
const reportScope = `r.state = 'sent' AND substr(r.created_at, 1, 10) BETWEEN ? AND ?
	AND (? = '' OR r.id IN (SELECT referral_id FROM shares WHERE agency = ?))`

// Outcomes works out the figures of a period, for all agencies or one, in
// one read transaction so that they agree with each other. now decides what
// is overdue and which MARAC meetings have been held. Referrals and shares
// are read as rows of metadata and added up by report's tallies; the rest
// are SQL aggregates. No personal data leaves the store: the keyed
// fingerprints that find repeat victims and suspects are matched here and
// only their verdicts go on.
func (db *DB) Outcomes(ctx context.Context, p report.Period, agencyID string, now time.Time) (report.Figures, error) {
	f := report.Figures{Period: p, Agency: agencyID, AsOf: now.UTC(), Consent: report.Consent{ByDecision: map[string]int{}},
		Overrides: []report.OverrideBasis{}, MARAC: report.MARAC{ByAgency: []report.AgencyActions{}}}
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return f, err
	}
	defer tx.Rollback()
	q := reportQuery{ctx: ctx, tx: tx, scope: []any{dateText(p.From), dateText(p.To), agencyID, agencyID}, agency: agencyID, now: now}
	for _, step := range []func(*report.Figures) error{q.referrals, q.consent, q.shares, q.overrides, q.marac} {
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

// confirmedLinks is the referrals on either side of a confirmed link made
// through one person; it binds who, victim or suspect, twice.
const confirmedLinks = `(SELECT referral_id FROM referral_links WHERE status = 'confirmed' AND via = ?
	UNION SELECT other_id FROM referral_links WHERE status = 'confirmed' AND via = ?)`

// The yes-or-no columns of a row travel packed in one number, one bit
// each: with this driver every column read takes a lock, a good part of
// the time a report takes at 100,000 rows.
const (
	flagDomesticAbuse = 1 << iota
	flagHonourBasedAbuse
	flagFearOfViolence
	flagTechnologyEnabled
	flagInScope
	flagLinkedViaVictim
	flagLinkedViaSuspect
)

// The packed yes-or-no columns of a share.
const (
	flagAnsweredInTime = 1 << iota
	flagAcceptedInTime
	flagOverdue
)

// referrals reads every sent referral raised from twelve months before the
// period to its end, for the repeats, and tallies those the report counts.
func (q reportQuery) referrals(f *report.Figures) error {
	rows, err := q.tx.QueryContext(q.ctx, fmt.Sprintf(`SELECT r.created_at, r.offence, r.risk_level, r.hate_crime_strand, r.victim_fp, r.suspect_fp,
		r.domestic_abuse * %d + r.honour_based_abuse * %d + r.fear_of_violence * %d + r.technology_enabled * %d
		+ (? = '' OR r.id IN (SELECT referral_id FROM shares WHERE agency = ?)) * %d
		+ (r.id IN %s) * %d + (r.id IN %s) * %d
		FROM referrals r WHERE r.state = 'sent' AND substr(r.created_at, 1, 10) BETWEEN ? AND ?`,
		flagDomesticAbuse, flagHonourBasedAbuse, flagFearOfViolence, flagTechnologyEnabled, flagInScope,
		confirmedLinks, flagLinkedViaVictim, confirmedLinks, flagLinkedViaSuspect),
		q.agency, q.agency, "victim", "victim", "suspect", "suspect", dateText(f.Period.From.AddDate(0, -12, 0)), dateText(f.Period.To))
	if err != nil {
		return err
	}
	defer rows.Close()
	var all []report.ReferralRow
	victims, suspects := map[string][]int{}, map[string][]int{}
	codes := interner{}
	for rows.Next() {
		var r report.ReferralRow
		var created, offence, level, strand, victim, suspect sql.RawBytes
		var flags int
		if err := rows.Scan(&created, &offence, &level, &strand, &victim, &suspect, &flags); err != nil {
			return err
		}
		r.CreatedAt, r.Offence, r.Risk, r.Factors.HateCrimeStrand = parseTime(string(created)), codes.of(offence), codes.of(level), codes.of(strand)
		r.Factors.DomesticAbuse, r.Factors.HonourBasedAbuse = flags&flagDomesticAbuse != 0, flags&flagHonourBasedAbuse != 0
		r.Factors.FearOfViolence, r.Factors.TechnologyEnabled = flags&flagFearOfViolence != 0, flags&flagTechnologyEnabled != 0
		r.InScope, r.LinkedViaVictim, r.LinkedViaSuspect = flags&flagInScope != 0, flags&flagLinkedViaVictim != 0, flags&flagLinkedViaSuspect != 0
		if len(victim) > 0 {
			victims[string(victim)] = append(victims[string(victim)], len(all))
		}
		if len(suspect) > 0 {
			suspects[string(suspect)] = append(suspects[string(suspect)], len(all))
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	markRepeats(all, victims, func(r *report.ReferralRow) *bool { return &r.RepeatVictim })
	markRepeats(all, suspects, func(r *report.ReferralRow) *bool { return &r.RepeatSuspect })
	t := report.NewReferralTally(f.Period)
	for _, r := range all {
		t.Add(r)
	}
	f.Referrals, f.Patterns = t.Referrals(), t.Patterns()
	return nil
}

// markRepeats sets the flag of every referral that report.Repeats finds a
// repeat among those naming the same person.
func markRepeats(all []report.ReferralRow, byPerson map[string][]int, flag func(*report.ReferralRow) *bool) {
	for _, idx := range byPerson {
		if len(idx) < 2 {
			continue
		}
		times := make([]time.Time, len(idx))
		for k, i := range idx {
			times[k] = all[i].CreatedAt
		}
		for k, repeat := range report.Repeats(times) {
			*flag(&all[idx[k]]) = repeat
		}
	}
}

// consent counts the referrals by the decision of their latest consent record.
func (q reportQuery) consent(f *report.Figures) error {
	rows, err := q.tx.QueryContext(q.ctx, `SELECT COALESCE((SELECT c.decision FROM consents c WHERE c.referral_id = r.id ORDER BY c.seq DESC LIMIT 1), ?), COUNT(*)
		FROM referrals r WHERE `+reportScope+` GROUP BY 1`, append([]any{report.NoConsentRecord}, q.scope...)...)
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

// shares reads the shares sent in the period (of sent referrals; with an
// agency, only its own) and tallies them agency by agency. Whether an
// answer came in time, and whether a share is overdue, is a comparison of
// stored times, which all have the same fixed-width UTC layout.
func (q reportQuery) shares(f *report.Figures) error {
	rows, err := q.tx.QueryContext(q.ctx, fmt.Sprintf(`SELECT s.agency, s.status, s.decline_code,
		CASE WHEN s.answered_at <> '' THEN unixepoch(s.answered_at) - unixepoch(s.sent_at) ELSE -1 END,
		CASE WHEN s.accepted_at <> '' THEN unixepoch(s.accepted_at) - unixepoch(s.sent_at) ELSE -1 END,
		(s.answered_at <> '' AND s.answered_at <= s.due_at) * %d + (s.accepted_at <> '' AND s.accepted_at <= s.due_at) * %d
		+ (s.status IN ('sent', 'viewed') AND s.due_at < ?) * %d
		FROM shares s WHERE substr(s.sent_at, 1, 10) BETWEEN ? AND ? AND (? = '' OR s.agency = ?)
		AND s.referral_id NOT IN (SELECT id FROM referrals WHERE state <> 'sent')`, flagAnsweredInTime, flagAcceptedInTime, flagOverdue),
		append([]any{timeText(q.now)}, q.scope...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	t := report.NewShareTally()
	codes := interner{}
	for rows.Next() {
		var s report.ShareRow
		var agencyID, status, declineCode sql.RawBytes
		var answered, accepted int64
		var flags int
		if err := rows.Scan(&agencyID, &status, &declineCode, &answered, &accepted, &flags); err != nil {
			return err
		}
		s.Agency, s.Status, s.DeclineCode = codes.of(agencyID), codes.of(status), codes.of(declineCode)
		s.AnsweredIn, s.AcceptedIn = seconds(answered), seconds(accepted)
		s.AnsweredInTime, s.AcceptedInTime, s.Overdue = flags&flagAnsweredInTime != 0, flags&flagAcceptedInTime != 0, flags&flagOverdue != 0
		t.Add(s)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	f.Agencies, f.DeclineReasons = t.Agencies()
	return nil
}

// interner keeps one copy of each code a report reads (offences, levels,
// agencies, statuses): a few dozen strings in place of one per row.
type interner map[string]string

func (in interner) of(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// seconds is a count of seconds as a duration; -1, for never, stays negative.
func seconds(n int64) time.Duration { return time.Duration(n) * time.Second }

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

package store

import (
	"context"
	"database/sql"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/report"
)

// The outcomes report reads counters (report_counts, migration 0036), kept
// by the store in the transaction of every change that moves a figure:
// each referral, with its shares, adds one to each code it falls under, on
// the day it was raised (a share: sent) and in that month, for all agencies
// and for each agency it was sent to; each of its Victims' Code updates
// adds one on the day it is due, for the same agencies. What a referral adds now is written
// beside it (report_counted), so that a change takes the old part away and
// adds the new without knowing which column it changed. This is Go, not
// triggers, so that SQLite and PostgreSQL keep the counters alike.

// The dimensions counted. The first four are read month by month; the
// rest over the whole period.
const (
	dimTotal       = "total"          // code ""
	dimRisk        = "risk"           // a risk level
	dimOffence     = "offence"        // an offence
	dimFactor      = "factor"         // an aggravating factor
	dimConsent     = "consent"        // the latest consent decision, or report.NoConsentRecord
	dimPattern     = "pattern"        // repeat_victim, repeat_suspect, linked, linked_via_victim, linked_via_suspect
	dimStrand      = "strand"         // a hate-crime strand
	dimCJOutcome   = "cj_outcome"     // a criminal-justice outcome
	dimCJOffence   = "cj_offence"     // offence|outcome
	dimCJTime      = "cj_time"        // histogram: referral to outcome
	dimEqGiven     = "equality_given" // code ""
	dimEquality    = "equality"       // question|answer
	dimShare       = "share"          // agency|status|decline|outcome|answered|accepted|answered in time|accepted in time
	dimAnswerTime  = "answer_time"    // histogram by agency: sent to first answer
	dimAcceptTime  = "accept_time"    // histogram by agency: sent to accepted
	dimAwaiting    = "awaiting"       // agency|due day of a share waiting for an answer
	dimVC          = "vc"             // a Victims' Code update on its due day: vcOnTime, vcLate or vcUntold
	countSeparator = "|"
)

// The codes of dimVC: told by the end of the due day, told after it, not
// told yet (overdue once its due day has passed, which the read works out).
const (
	vcOnTime = "on_time"
	vcLate   = "late"
	vcUntold = "untold"
)

// isHistogram says whether a dimension counts times in buckets.
func isHistogram(dim string) bool {
	return dim == dimCJTime || dim == dimAnswerTime || dim == dimAcceptTime
}

// histogramBucket is the bucket a time in seconds falls in: 0 for none,
// else one of 32 to each doubling, so that a bucket spans at most 2.2% of
// its times. The report takes each bucket's time as the mean of the times
// it holds (report_counts.total / n): exact when they are all the same.
func histogramBucket(seconds int64) int64 {
	if seconds <= 0 {
		return 0
	}
	return 1 + int64(math.Floor(32*math.Log2(float64(seconds))))
}

// countEntry is one code a part counts under: for a histogram, code is the
// agency (or "") and seconds the time.
type countEntry struct {
	dim, code string
	seconds   int64
}

// countPart is what a referral, or one of its shares, adds: one to each
// entry, on one day, for each agency ("" is all).
type countPart struct {
	day      string
	agencies []string
	entries  []countEntry
}

// countKey is one row of report_counts.
type countKey struct{ agency, bucket, dim, code string }

// countDelta is a change to one row: n referrals or shares, total seconds.
type countDelta struct{ n, total int64 }

// countDeltas is a set of changes to report_counts.
type countDeltas map[countKey]countDelta

// add counts parts, sign times (1 to add, -1 to take away), on their day
// and in their month.
func (d countDeltas) add(parts []countPart, sign int64) {
	for _, p := range parts {
		for _, e := range p.entries {
			code, total := e.code, int64(0)
			if isHistogram(e.dim) {
				code += countSeparator + strconv.FormatInt(histogramBucket(e.seconds), 10)
				total = e.seconds
			}
			for _, a := range p.agencies {
				for _, b := range []string{p.day, p.day[:7]} {
					k := countKey{a, b, e.dim, code}
					v := d[k]
					v.n += sign
					v.total += sign * total
					d[k] = v
				}
			}
		}
	}
}

// encodeParts writes parts as report_counted keeps them: a line a part,
// day, agencies and entries apart by tabs. Codes are vocabulary codes and
// agency ids, which hold none of the separators.
func encodeParts(parts []countPart) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.day)
		b.WriteByte('\t')
		b.WriteString(strings.Join(p.agencies, ","))
		b.WriteByte('\t')
		for j, e := range p.entries {
			if j > 0 {
				b.WriteByte(';')
			}
			b.WriteString(e.dim)
			b.WriteByte('=')
			b.WriteString(e.code)
			if isHistogram(e.dim) {
				b.WriteByte('=')
				b.WriteString(strconv.FormatInt(e.seconds, 10))
			}
		}
	}
	return b.String()
}

// decodeParts reads what encodeParts wrote.
func decodeParts(s string) []countPart {
	var parts []countPart
	if s == "" {
		return nil
	}
	for line := range strings.SplitSeq(s, "\n") {
		fields := strings.SplitN(line, "\t", 3)
		if len(fields) != 3 {
			continue
		}
		p := countPart{day: fields[0], agencies: strings.Split(fields[1], ",")}
		if fields[2] != "" {
			for e := range strings.SplitSeq(fields[2], ";") {
				xs := strings.SplitN(e, "=", 3)
				ce := countEntry{dim: xs[0]}
				if len(xs) > 1 {
					ce.code = xs[1]
				}
				if len(xs) > 2 {
					ce.seconds, _ = strconv.ParseInt(xs[2], 10, 64)
				}
				p.entries = append(p.entries, ce)
			}
		}
		parts = append(parts, p)
	}
	return parts
}

// countedReferral is what the counters need of a referral.
type countedReferral struct {
	id, state, created, offence, risk, strand, consent, sharedWith, cjOutcome, cjOn  string
	domestic, honour, fear, tech, repeatVictim, repeatSuspect, viaVictim, viaSuspect bool
	strands                                                                          []string
	equality                                                                         *referral.Equality
	shares                                                                           []countedShare
	updates                                                                          []countedUpdate
}

// countedUpdate is what the counters need of a Victims' Code update: the
// day it is due by and the day the victim was told (” not yet).
type countedUpdate struct{ due, told string }

// code is the update's code under dimVC, as the report's SQL compared
// them before the counters: told_on <= due_by on time, after it late.
func (u countedUpdate) code() string {
	switch {
	case u.told == "":
		return vcUntold
	case u.told <= u.due:
		return vcOnTime
	default:
		return vcLate
	}
}

// countedShare is what the counters need of a share.
type countedShare struct {
	agency, status, decline, outcome, sent, answered, accepted, due string
}

// countedReferralColumns are the columns of referrals read into a countedReferral.
const countedReferralColumns = `r.id, r.state, r.created_at, r.offence, r.risk_level, r.hate_crime_strand, r.consent_decision, r.shared_with,
	r.cj_outcome, r.cj_outcome_on, r.domestic_abuse, r.honour_based_abuse, r.fear_of_violence, r.technology_enabled,
	r.repeat_victim, r.repeat_suspect, r.linked_via_victim, r.linked_via_suspect`

func scanCountedReferral(sc interface{ Scan(...any) error }) (countedReferral, error) {
	var r countedReferral
	var flags [8]int64
	err := sc.Scan(&r.id, &r.state, &r.created, &r.offence, &r.risk, &r.strand, &r.consent, &r.sharedWith, &r.cjOutcome, &r.cjOn,
		&flags[0], &flags[1], &flags[2], &flags[3], &flags[4], &flags[5], &flags[6], &flags[7])
	r.domestic, r.honour, r.fear, r.tech = flags[0] != 0, flags[1] != 0, flags[2] != 0, flags[3] != 0
	r.repeatVictim, r.repeatSuspect, r.viaVictim, r.viaSuspect = flags[4] != 0, flags[5] != 0, flags[6] != 0, flags[7] != 0
	return r, err
}

// countedShareColumns are the columns of shares read into a countedShare,
// after the referral's id.
const countedShareColumns = `s.referral_id, s.agency, s.status, s.decline_code, s.outcome_code, s.sent_at, s.answered_at, s.accepted_at, s.due_at`

const countedEqualityColumns = `e.referral_id, e.sex, e.age_band, e.ethnicity, e.disability, e.sexual_orientation, e.gender_identity, e.interpreter`

// The statements recount runs in every write that moves a figure, prepared
// on the writer with the create's (writestmts.go).
const (
	selectCounted         = `SELECT counted FROM report_counted WHERE referral_id = ?`
	selectCountedReferral = `SELECT ` + countedReferralColumns + ` FROM referrals r WHERE r.id = ?`
	selectCountedShares   = `SELECT ` + countedShareColumns + ` FROM shares s WHERE s.referral_id = ? ORDER BY s.agency`
	selectCountedStrands  = `SELECT strand FROM referral_strands WHERE referral_id = ? ORDER BY strand`
	selectCountedEquality = `SELECT ` + countedEqualityColumns + ` FROM victim_equality e WHERE e.referral_id = ?`
	selectCountedUpdates  = `SELECT v.due_by, v.told_on FROM victim_updates v WHERE v.referral_id = ? ORDER BY v.due_by, v.id`
	selectLaterVictim     = `SELECT id FROM referrals WHERE victim_fp = ? AND created_at >= ? AND id <> ? AND state = 'sent'`
	selectLaterSuspect    = `SELECT id FROM referrals WHERE suspect_fp = ? AND created_at >= ? AND id <> ? AND state = 'sent'`
)

// upsertCounts adds rows rows to report_counts.
func upsertCounts(rows int) string {
	return `INSERT INTO report_counts (agency, bucket, dim, code, n, total) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", rows), ", ") +
		` ON CONFLICT (agency, bucket, dim, code) DO UPDATE SET n = report_counts.n + excluded.n, total = report_counts.total + excluded.total`
}

// countStatementRows are the sizes of the prepared upserts of
// report_counts, largest first: a change is written in as few of them as
// it fits, so that no statement is parsed in a write.
var countStatementRows = []int{32, 8, 1}

// countStatements are those upserts.
var countStatements = []string{upsertCounts(32), upsertCounts(8), upsertCounts(1)}

// wholeSeconds reads a stored time to the second, as migration 0012 does.
func wholeSeconds(s string) int64 {
	if len(s) < 19 {
		return 0
	}
	t, err := time.Parse("2006-01-02T15:04:05", s[:19])
	if err != nil {
		return 0
	}
	return t.Unix()
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// parts is what the referral adds to the counters now: nothing unless it
// was sent.
func (r countedReferral) parts() []countPart {
	if r.state != string(referral.Open) || len(r.created) < 10 {
		return nil
	}
	agencies := []string{""}
	for a := range strings.SplitSeq(r.sharedWith, ",") {
		if a != "" && !slices.Contains(agencies, a) {
			agencies = append(agencies, a)
		}
	}
	e := []countEntry{{dim: dimTotal}, {dim: dimRisk, code: r.risk}, {dim: dimOffence, code: r.offence}}
	for _, f := range []struct {
		on   bool
		code string
	}{{r.domestic, "domestic_abuse"}, {r.strand != "", "hate_crime"}, {r.honour, "honour_based_abuse"}, {r.fear, "fear_of_violence"}, {r.tech, "technology_enabled"}} {
		if f.on {
			e = append(e, countEntry{dim: dimFactor, code: f.code})
		}
	}
	consent := r.consent
	if consent == "" {
		consent = report.NoConsentRecord
	}
	e = append(e, countEntry{dim: dimConsent, code: consent})
	for _, p := range []struct {
		on   bool
		code string
	}{{r.repeatVictim, "repeat_victim"}, {r.repeatSuspect, "repeat_suspect"}, {r.viaVictim || r.viaSuspect, "linked"},
		{r.viaVictim, "linked_via_victim"}, {r.viaSuspect, "linked_via_suspect"}} {
		if p.on {
			e = append(e, countEntry{dim: dimPattern, code: p.code})
		}
	}
	if r.strand != "" {
		e = append(e, countEntry{dim: dimStrand, code: r.strand})
	}
	for _, s := range r.strands {
		e = append(e, countEntry{dim: dimStrand, code: s})
	}
	if r.cjOutcome != "" {
		e = append(e, countEntry{dim: dimCJOutcome, code: r.cjOutcome}, countEntry{dim: dimCJOffence, code: r.offence + countSeparator + r.cjOutcome})
		// The decision is a day: it is taken at the end of it, so that an
		// outcome on the day of the referral counts a part day, never less.
		if d := parseDate(r.cjOn).AddDate(0, 0, 1).Sub(parseTime(r.created)); d > 0 {
			e = append(e, countEntry{dim: dimCJTime, seconds: int64(d / time.Second)})
		}
	}
	if r.equality != nil {
		e = append(e, countEntry{dim: dimEqGiven})
		answers := r.equality.Answers()
		for _, q := range referral.EqualityFields {
			if a, ok := answers[q.Name]; ok {
				e = append(e, countEntry{dim: dimEquality, code: q.Name + countSeparator + a})
			}
		}
	}
	parts := []countPart{{day: r.created[:10], agencies: agencies, entries: e}}
	for _, s := range r.shares {
		if len(s.sent) < 10 {
			continue
		}
		answered, accepted := s.answered != "", s.accepted != ""
		se := []countEntry{{dim: dimShare, code: strings.Join([]string{s.agency, s.status, s.decline, s.outcome,
			flag(answered), flag(accepted), flag(answered && s.answered <= s.due), flag(accepted && s.accepted <= s.due)}, countSeparator)}}
		if (s.status == string(referral.Sent) || s.status == string(referral.Viewed)) && len(s.due) >= 10 {
			se = append(se, countEntry{dim: dimAwaiting, code: s.agency + countSeparator + s.due[:10]})
		}
		if answered {
			se = append(se, countEntry{dim: dimAnswerTime, code: s.agency, seconds: wholeSeconds(s.answered) - wholeSeconds(s.sent)})
		}
		if accepted {
			se = append(se, countEntry{dim: dimAcceptTime, code: s.agency, seconds: wholeSeconds(s.accepted) - wholeSeconds(s.sent)})
		}
		parts = append(parts, countPart{day: s.sent[:10], agencies: []string{""}, entries: se})
	}
	for _, u := range r.updates {
		if len(u.due) >= 10 {
			parts = append(parts, countPart{day: u.due[:10], agencies: agencies, entries: []countEntry{{dim: dimVC, code: u.code()}}})
		}
	}
	return parts
}

// loadCounted reads what the counters need of one referral, in tx; ok is
// false when there is no such referral.
func (db *DB) loadCounted(ctx context.Context, tx *sql.Tx, id string) (r countedReferral, ok bool, err error) {
	r, err = scanCountedReferral(db.queryRow(ctx, tx, selectCountedReferral, id))
	if err == sql.ErrNoRows {
		return r, false, nil
	}
	if err != nil || r.state != string(referral.Open) {
		return r, err == nil, err
	}
	rows, err := db.query(ctx, tx, selectCountedShares, id)
	if err != nil {
		return r, false, err
	}
	for rows.Next() {
		var s countedShare
		var rid string
		if err := rows.Scan(&rid, &s.agency, &s.status, &s.decline, &s.outcome, &s.sent, &s.answered, &s.accepted, &s.due); err != nil {
			rows.Close()
			return r, false, err
		}
		r.shares = append(r.shares, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, false, err
	}
	rows, err = db.query(ctx, tx, selectCountedStrands, id)
	if err != nil {
		return r, false, err
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return r, false, err
		}
		r.strands = append(r.strands, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, false, err
	}
	rows, err = db.query(ctx, tx, selectCountedUpdates, id)
	if err != nil {
		return r, false, err
	}
	for rows.Next() {
		var u countedUpdate
		if err := rows.Scan(&u.due, &u.told); err != nil {
			rows.Close()
			return r, false, err
		}
		r.updates = append(r.updates, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, false, err
	}
	var e referral.Equality
	var rid string
	err = db.queryRow(ctx, tx, selectCountedEquality, id).
		Scan(&rid, &e.Sex, &e.AgeBand, &e.Ethnicity, &e.Disability, &e.SexualOrientation, &e.GenderIdentity, &e.Interpreter)
	switch {
	case err == nil:
		r.equality = &e
	case err != sql.ErrNoRows:
		return r, false, err
	}
	return r, true, nil
}

// recount brings the counters up to date with the referrals ids as they
// now stand in tx: each referral's old part is taken away and its new part
// added. Every write that changes what a referral counts under calls it
// before it commits.
func (db *DB) recount(ctx context.Context, tx *sql.Tx, ids ...string) error {
	d := countDeltas{}
	for _, id := range ids {
		var old string
		err := db.queryRow(ctx, tx, selectCounted, id).Scan(&old)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		r, ok, err := db.loadCounted(ctx, tx, id)
		if err != nil {
			return err
		}
		var parts []countPart
		if ok {
			parts = r.parts()
		}
		now := encodeParts(parts)
		if now == old {
			continue
		}
		d.add(decodeParts(old), -1)
		d.add(parts, 1)
		if now == "" {
			_, err = tx.ExecContext(ctx, `DELETE FROM report_counted WHERE referral_id = ?`, id)
		} else {
			_, err = db.exec(ctx, tx, upsertCounted, id, now)
		}
		if err != nil {
			return err
		}
	}
	return db.writeCounts(ctx, tx, d)
}

const upsertCounted = `INSERT INTO report_counted (referral_id, counted) VALUES (?, ?)
	ON CONFLICT (referral_id) DO UPDATE SET counted = excluded.counted`

// writeCounts adds d to report_counts, in the prepared upserts of
// countStatementRows rows.
func (db *DB) writeCounts(ctx context.Context, tx *sql.Tx, d countDeltas) error {
	args := make([]any, 0, 6*len(d))
	for k, v := range d {
		if v.n != 0 || v.total != 0 {
			args = append(args, k.agency, k.bucket, k.dim, k.code, v.n, v.total)
		}
	}
	for i, rows := range countStatementRows {
		for len(args) >= 6*rows {
			if _, err := db.exec(ctx, tx, countStatements[i], args[:6*rows]...); err != nil {
				return err
			}
			args = args[6*rows:]
		}
	}
	return nil
}

// fillReportCounts counts every referral already held, as migrations 0036
// and 0039 ask: the referrals, their shares, strands, equality details and
// Victims' Code updates are read in five passes, not one referral at a
// time, and the counters written once.
func (db *DB) fillReportCounts(ctx context.Context, tx *sql.Tx) error {
	referrals := map[string]*countedReferral{}
	var order []string
	rows, err := tx.QueryContext(ctx, `SELECT `+countedReferralColumns+` FROM referrals r WHERE r.state = ?`, string(referral.Open))
	if err != nil {
		return err
	}
	for rows.Next() {
		r, err := scanCountedReferral(rows)
		if err != nil {
			rows.Close()
			return err
		}
		referrals[r.id] = &r
		order = append(order, r.id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := eachRow(ctx, tx, `SELECT `+countedShareColumns+` FROM shares s ORDER BY s.referral_id, s.agency`, func(sc *sql.Rows) error {
		var s countedShare
		var rid string
		if err := sc.Scan(&rid, &s.agency, &s.status, &s.decline, &s.outcome, &s.sent, &s.answered, &s.accepted, &s.due); err != nil {
			return err
		}
		if r := referrals[rid]; r != nil {
			r.shares = append(r.shares, s)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := eachRow(ctx, tx, `SELECT referral_id, strand FROM referral_strands ORDER BY referral_id, strand`, func(sc *sql.Rows) error {
		var rid, s string
		if err := sc.Scan(&rid, &s); err != nil {
			return err
		}
		if r := referrals[rid]; r != nil {
			r.strands = append(r.strands, s)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := eachRow(ctx, tx, `SELECT `+countedEqualityColumns+` FROM victim_equality e`, func(sc *sql.Rows) error {
		var e referral.Equality
		var rid string
		if err := sc.Scan(&rid, &e.Sex, &e.AgeBand, &e.Ethnicity, &e.Disability, &e.SexualOrientation, &e.GenderIdentity, &e.Interpreter); err != nil {
			return err
		}
		if r := referrals[rid]; r != nil {
			r.equality = &e
		}
		return nil
	}); err != nil {
		return err
	}
	if err := eachRow(ctx, tx, `SELECT v.referral_id, v.due_by, v.told_on FROM victim_updates v ORDER BY v.referral_id, v.due_by, v.id`, func(sc *sql.Rows) error {
		var u countedUpdate
		var rid string
		if err := sc.Scan(&rid, &u.due, &u.told); err != nil {
			return err
		}
		if r := referrals[rid]; r != nil {
			r.updates = append(r.updates, u)
		}
		return nil
	}); err != nil {
		return err
	}
	counted, err := tx.PrepareContext(ctx, upsertCounted)
	if err != nil {
		return err
	}
	defer counted.Close()
	d := countDeltas{}
	for _, id := range order {
		parts := referrals[id].parts()
		d.add(parts, 1)
		if _, err := counted.ExecContext(ctx, id, encodeParts(parts)); err != nil {
			return err
		}
	}
	return db.writeCounts(ctx, tx, d)
}

// eachRow runs query in tx and hands each row to fn.
func eachRow(ctx context.Context, tx *sql.Tx, query string, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// recountCreated counts a referral just written, and the referrals its
// arrival made repeats: those naming the same victim or suspect raised up
// to twelve months after it (migration 0008's triggers set their flags),
// which happens only when a referral arrives out of order.
func (db *DB) recountCreated(ctx context.Context, tx *sql.Tx, id, victimFP, suspectFP string, created time.Time) error {
	ids := []string{id}
	for _, fp := range []struct{ query, value string }{{selectLaterVictim, victimFP}, {selectLaterSuspect, suspectFP}} {
		if fp.value == "" {
			continue
		}
		rows, err := db.query(ctx, tx, fp.query, fp.value, timeText(created), id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var other string
			if err := rows.Scan(&other); err != nil {
				rows.Close()
				return err
			}
			if !slices.Contains(ids, other) {
				ids = append(ids, other)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return db.recount(ctx, tx, ids...)
}

package store

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/report"
)

// countRange is a span of report_counts buckets: a month's own row
// ("2026-01" to "2026-01"), or days ("2026-01-05" to "2026-01-20"); minus
// is set on days taken away from their month's row.
type countRange struct {
	from, to string
	minus    bool
}

// countRanges lists the buckets that add up to the period: a month it
// covers whole from the month's row; a month it covers in part from its
// days, unless nothing was counted on that month's days outside the period
// (the month so far, for a period that ends today), when the month's row
// gives the same; and when the days outside the period are fewer than those
// in it, from the month's row less the days outside (a period from the 7th
// reads six days, not twenty-five). A year is then twelve rows per code,
// not 365.
func (q reportQuery) countRanges() ([]countRange, error) {
	p := q.period
	var out []countRange
	for i, month := range p.Months() {
		start, end := p.MonthSpan(i)
		last := end.AddDate(0, 0, -1)
		first := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
		monthLast := first.AddDate(0, 1, -1)
		outside := []struct{ from, to time.Time }{{first, start.AddDate(0, 0, -1)}, {end, monthLast}}
		whole := true
		for _, o := range outside {
			if !whole || o.to.Before(o.from) {
				continue
			}
			var n int
			if err := q.tx.QueryRowContext(q.ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM report_counts
				WHERE agency = '' AND bucket >= ? AND bucket <= ? AND n <> 0 LIMIT 1) c`, dateText(o.from), dateText(o.to)).Scan(&n); err != nil {
				return nil, err
			}
			whole = n == 0
		}
		inside := days(start, last)
		switch {
		case whole:
			out = append(out, countRange{from: month, to: month})
		case days(first, monthLast)-inside < inside:
			out = append(out, countRange{from: month, to: month})
			for _, o := range outside {
				if !o.to.Before(o.from) {
					out = append(out, countRange{from: dateText(o.from), to: dateText(o.to), minus: true})
				}
			}
		default:
			out = append(out, countRange{from: dateText(start), to: dateText(last)})
		}
	}
	return out, nil
}

// days is how many days there are from first to last, both counted.
func days(first, last time.Time) int { return int(last.Sub(first).Hours()/24) + 1 }

// monthlyDims are the dimensions the report shows month by month.
var monthlyDims = []string{dimTotal, dimRisk, dimOffence, dimFactor}

// countRow is one code's count over the period (or one month of it).
type countRow struct {
	month, dim, code string
	n, total         int64
}

// readCounts adds up the rows of report_counts over ranges for agency;
// with only, the rows of those dimensions whose code starts with prefix.
func (q reportQuery) readCounts(ranges []countRange, agency string, only []string, prefix string) ([]countRow, error) {
	arms := make([]string, len(ranges))
	var args []any
	filter := ""
	if len(only) > 0 {
		filter = ` AND dim IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(only)), ", ") + `) AND code >= ? AND code < ?`
	}
	for i, r := range ranges {
		counts := `n, total`
		if r.minus {
			counts = `-n, -total`
		}
		arms[i] = `SELECT bucket, dim, code, ` + counts + ` FROM report_counts WHERE agency = ? AND bucket >= ? AND bucket <= ?` + filter
		args = append(args, agency, r.from, r.to)
		for _, d := range only {
			args = append(args, d)
		}
		if len(only) > 0 {
			args = append(args, prefix, prefix[:len(prefix)-1]+string(rune(prefix[len(prefix)-1]+1)))
		}
	}
	month := `CASE WHEN dim IN ('` + strings.Join(monthlyDims, "', '") + `') THEN substr(bucket, 1, 7) ELSE '' END`
	rows, err := q.tx.QueryContext(q.ctx, `SELECT `+month+`, dim, code, CAST(SUM(n) AS BIGINT), CAST(SUM(total) AS BIGINT)
		FROM (`+strings.Join(arms, " UNION ALL ")+`) c GROUP BY `+month+`, dim, code`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []countRow
	for rows.Next() {
		var r countRow
		if err := rows.Scan(&r.month, &r.dim, &r.code, &r.n, &r.total); err != nil {
			return nil, err
		}
		if r.n != 0 {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// histogram is one histogram's buckets, shortest first.
type histogram []histogramBin

type histogramBin struct {
	bucket   int64
	n, total int64
}

// read gives SummariseDurations the times at ranks, each bucket's times
// taken as their mean.
func (h histogram) read(rank, n int) ([]int64, error) {
	slices.SortFunc(h, func(a, b histogramBin) int { return cmp.Compare(a.bucket, b.bucket) })
	var out []int64
	seen := int64(0)
	for _, b := range h {
		for r := max(int64(rank), seen); r < seen+b.n && len(out) < n; r++ {
			out = append(out, (b.total+b.n/2)/b.n)
		}
		seen += b.n
		if len(out) == n {
			break
		}
	}
	return out, nil
}

// counted fills the figures of the period's referrals and shares from the
// counters: referrals month by month, consent, patterns, strands, the
// criminal-justice outcomes and Victims' Code updates, equality, and each
// agency's shares with their times to answer and accept and those overdue
// now.
func (q reportQuery) counted(f *report.Figures) error {
	ranges, err := q.countRanges()
	if err != nil {
		return err
	}
	rows, err := q.readCounts(ranges, q.agency, nil, "")
	if err != nil {
		return err
	}
	if q.agency != "" {
		shares, err := q.readCounts(ranges, "", []string{dimShare, dimAnswerTime, dimAcceptTime, dimAwaiting}, q.agency+countSeparator)
		if err != nil {
			return err
		}
		rows = append(rows, shares...)
	}
	p := f.Period
	f.Referrals = report.NewReferrals(p)
	months := map[string]*report.Month{}
	for _, m := range p.Months() {
		months[m] = &report.Month{ByRisk: map[string]int{}, ByOffence: map[string]int{}, ByFactor: map[string]int{}}
	}
	for _, d := range report.ConsentDecisions {
		f.Consent.ByDecision[d] = 0
	}
	cj := report.NewCriminalJustice()
	f.Equality = report.NewEquality()
	tally := report.NewShareTally()
	histograms := map[string]histogram{}
	today := dateText(q.now)
	listed := func(codes []string, code string, into map[string]int, n int) {
		if slices.Contains(codes, code) {
			into[code] += n
		}
	}
	for _, r := range rows {
		n := int(r.n)
		switch r.dim {
		case dimTotal, dimRisk, dimOffence, dimFactor:
			m := months[r.month]
			if m == nil {
				return fmt.Errorf("report: counted month %q is not in %s", r.month, p)
			}
			switch r.dim {
			case dimTotal:
				m.Total += n
			case dimRisk:
				listed(report.RiskLevels, r.code, m.ByRisk, n)
			case dimOffence:
				listed(report.Offences, r.code, m.ByOffence, n)
			case dimFactor:
				listed(report.Factors, r.code, m.ByFactor, n)
			}
		case dimConsent:
			listed(report.ConsentDecisions, r.code, f.Consent.ByDecision, n)
		case dimPattern:
			pt := &f.Patterns
			if into := map[string]*int{"repeat_victim": &pt.RepeatVictim, "repeat_suspect": &pt.RepeatSuspect, "linked": &pt.Linked,
				"linked_via_victim": &pt.LinkedViaVictim, "linked_via_suspect": &pt.LinkedViaSuspect}[r.code]; into != nil {
				*into += n
			}
		case dimStrand:
			f.Referrals.ByStrand[r.code] += n
		case dimCJOutcome:
			cj.WithOutcome += n
			cj.ByOutcome[r.code] += n
		case dimCJOffence:
			offence, outcome, _ := strings.Cut(r.code, countSeparator)
			if byOutcome, ok := cj.ByOffence[offence]; ok {
				byOutcome[outcome] += n
			}
		case dimEqGiven:
			f.EqualityGiven += n
		case dimEquality:
			question, answer, _ := strings.Cut(r.code, countSeparator)
			if byAnswer, ok := f.Equality[question]; ok {
				byAnswer[answer] += n
			}
		case dimShare:
			c := strings.Split(r.code, countSeparator)
			if len(c) != 8 {
				return fmt.Errorf("report: share counted as %q", r.code)
			}
			of := func(flag string) int {
				if flag == "1" {
					return n
				}
				return 0
			}
			tally.Add(report.ShareGroup{Agency: c[0], Status: c[1], DeclineCode: c[2], OutcomeCode: c[3], Shares: n,
				Answered: of(c[4]), Accepted: of(c[5]), AnsweredInTime: of(c[6]), AcceptedInTime: of(c[7])})
		case dimVC:
			u := &cj.VictimUpdates
			u.Due += n
			switch r.code {
			case vcOnTime:
				u.OnTime += n
			case vcLate:
				u.Late += n
			}
		case dimAwaiting:
			agencyID, due, _ := strings.Cut(r.code, countSeparator)
			if due < today {
				tally.Add(report.ShareGroup{Agency: agencyID, Status: string(referral.Sent), PastDue: n})
			}
		case dimCJTime, dimAnswerTime, dimAcceptTime:
			owner, bucket, _ := strings.Cut(r.code, countSeparator)
			k, err := strconv.ParseInt(bucket, 10, 64)
			if err != nil {
				return fmt.Errorf("report: histogram bucket %q", r.code)
			}
			key := r.dim + countSeparator + owner
			histograms[key] = append(histograms[key], histogramBin{k, r.n, r.total})
		}
	}
	for i, m := range p.Months() {
		month := months[m]
		f.Referrals.AddMonth(i, *month)
		f.Consent.Referrals += month.Total
		f.Patterns.Referrals += month.Total
	}
	if err := q.overdueToday(tally); err != nil {
		return err
	}
	f.Agencies, f.DeclineReasons, f.Outcomes = tally.Agencies()
	for i := range f.Agencies {
		a := &f.Agencies[i]
		if a.FirstResponse, err = report.SummariseDurations(a.Answered, histograms[dimAnswerTime+countSeparator+a.Agency].read); err != nil {
			return err
		}
		if a.Acceptance, err = report.SummariseDurations(a.Accepted, histograms[dimAcceptTime+countSeparator+a.Agency].read); err != nil {
			return err
		}
	}
	h := histograms[dimCJTime+countSeparator]
	count := 0
	for _, b := range h {
		count += int(b.n)
	}
	if cj.ToOutcome, err = report.SummariseDurations(count, h.read); err != nil {
		return err
	}
	if cj.VictimUpdates.Overdue, err = q.overdueUpdates(rows); err != nil {
		return err
	}
	f.CriminalJustice = cj
	return nil
}

// overdueUpdates counts the Victims' Code updates of the period not told
// by the end of their due day: those untold due from the period's first day
// to the day before today, or to its last day when that is earlier. rows
// are the period's counts: when the period ended before today they hold
// the answer, else the untold updates are read over the shorter span.
func (q reportQuery) overdueUpdates(rows []countRow) (int, error) {
	if last := dateOf(q.now).AddDate(0, 0, -1); last.Before(q.period.To) {
		if last.Before(q.period.From) {
			return 0, nil
		}
		q.period = report.Period{From: q.period.From, To: last}
		ranges, err := q.countRanges()
		if err != nil {
			return 0, err
		}
		if rows, err = q.readCounts(ranges, q.agency, []string{dimVC}, vcUntold); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, r := range rows {
		if r.dim == dimVC && r.code == vcUntold {
			n += int(r.n)
		}
	}
	return n, nil
}

package report

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Figures are the outcomes of a period: counts and times, never a person.
// The store works them out from the database's metadata, and they are
// served as they are, as JSON.
type Figures struct {
	Period Period `json:"period"`
	// AsOf is when they were worked out: what is overdue depends on it.
	AsOf time.Time `json:"as_of"`
	// Agency is the agency the figures were narrowed to, or empty for all.
	// Narrowed, referral, consent and pattern figures count the referrals
	// sent to the agency, agency figures show it alone, MARAC cases are
	// those of referrals sent to it and MARAC actions those it owns.
	Agency         string          `json:"agency,omitempty"`
	Referrals      Referrals       `json:"referrals"`
	Agencies       []AgencyFigures `json:"agencies"`
	DeclineReasons []CodeCount     `json:"decline_reasons"`
	Outcomes       []CodeCount     `json:"closing_outcomes"`
	Consent        Consent         `json:"consent"`
	Overrides      []OverrideBasis `json:"overrides"`
	Patterns       Patterns        `json:"patterns"`
	MARAC          MARAC           `json:"marac"`

	// The criminal-justice side: outcomes, orders and the Victims' Code.
	CriminalJustice CriminalJustice `json:"criminal_justice"`
	// Equality counts the victims' equality details, by question and
	// answer, of the referrals whose victims agreed to give them
	// (EqualityGiven).
	Equality      map[string]map[string]int `json:"equality"`
	EqualityGiven int                       `json:"equality_given"`
}

// Referrals counts the referrals raised (sent) in the period, in all and
// month by month. A referral may have several aggravating factors, so the
// factor counts may add up to more than the total.
type Referrals struct {
	Total     int            `json:"total"`
	ByRisk    map[string]int `json:"by_risk"`
	ByOffence map[string]int `json:"by_offence"`
	ByFactor  map[string]int `json:"by_factor"`
	// ByStrand splits the hate-crime factor by its strand.
	ByStrand map[string]int `json:"by_hate_crime_strand"`
	Months   []Month        `json:"months"`
}

// Month is the referrals raised in one month.
type Month struct {
	Month     string         `json:"month"` // YYYY-MM
	Total     int            `json:"total"`
	ByRisk    map[string]int `json:"by_risk"`
	ByOffence map[string]int `json:"by_offence"`
	ByFactor  map[string]int `json:"by_factor"`
}

// NewReferrals returns the counts of a period at zero: every month, level,
// offence, factor and strand present, so that a table shows a zero rather
// than leaving a gap.
func NewReferrals(p Period) Referrals {
	r := Referrals{ByRisk: zeros(RiskLevels), ByOffence: zeros(Offences), ByFactor: zeros(Factors), ByStrand: zeros(Strands)}
	for _, m := range p.Months() {
		r.Months = append(r.Months, Month{Month: m, ByRisk: zeros(RiskLevels), ByOffence: zeros(Offences), ByFactor: zeros(Factors)})
	}
	return r
}

// AddMonth adds the counts of the referrals raised in the i-th month of the
// period (from 0) to that month and to the period's totals.
func (r *Referrals) AddMonth(i int, m Month) {
	month := &r.Months[i]
	month.Total += m.Total
	r.Total += m.Total
	for _, x := range []struct{ into, from map[string]int }{
		{month.ByRisk, m.ByRisk}, {r.ByRisk, m.ByRisk}, {month.ByOffence, m.ByOffence},
		{r.ByOffence, m.ByOffence}, {month.ByFactor, m.ByFactor}, {r.ByFactor, m.ByFactor},
	} {
		for k, n := range x.from {
			x.into[k] += n
		}
	}
}

// AgencyFigures are one agency's answers to the referrals shared with it in
// the period. Accepted, Declined and Awaiting split Received: a share is
// accepted once it was ever accepted (it may be in progress or closed now).
type AgencyFigures struct {
	Agency   string `json:"agency"`
	Received int    `json:"received"`
	Accepted int    `json:"accepted"`
	Declined int    `json:"declined"`
	Awaiting int    `json:"awaiting"` // sent or viewed, not yet answered
	Closed   int    `json:"closed"`
	// Statuses is where each share stands now, by share status.
	Statuses map[string]int `json:"statuses"`
	// Answered counts shares accepted or declined; WithinResponseTime those
	// of them first answered no later than their due time; Overdue the
	// shares with no answer whose due time has passed.
	Answered           int `json:"answered"`
	WithinResponseTime int `json:"within_response_time"`
	Overdue            int `json:"overdue"`
	// AcceptedWithinResponseTime counts accepted shares accepted no later
	// than their due time.
	AcceptedWithinResponseTime int       `json:"accepted_within_response_time"`
	FirstResponse              Durations `json:"first_response"` // sent to first accepted or declined
	Acceptance                 Durations `json:"acceptance"`     // sent to accepted
}

// ResponseRate is the share of an agency's judged shares answered in time:
// WithinResponseTime out of the shares answered or overdue. A share neither
// answered nor yet due is not judged.
func (a AgencyFigures) ResponseRate() (float64, bool) {
	return Rate(a.WithinResponseTime, a.Answered+a.Overdue)
}

// Durations summarises how long something took: how many times there are,
// their median and their 90th percentile, in hours (nil when there are none).
type Durations struct {
	Count       int      `json:"count"`
	MedianHours *float64 `json:"median_hours"`
	P90Hours    *float64 `json:"p90_hours"`
}

// DurationsOf summarises durations given in seconds, in any order.
func DurationsOf(seconds []int64) Durations {
	sorted := slices.Sorted(slices.Values(seconds))
	d, _ := SummariseDurations(len(sorted), func(rank, n int) ([]int64, error) {
		return sorted[rank:min(rank+n, len(sorted))], nil
	})
	return d
}

// SummariseDurations summarises count durations in seconds that read gives
// in ascending order: read(rank, n) returns up to n of them from rank
// (counted from 0). Only the few ranks the median and the 90th percentile
// lie between are read, so the durations can stay in an index.
func SummariseDurations(count int, read func(rank, n int) ([]int64, error)) (Durations, error) {
	d := Durations{Count: count}
	if count == 0 {
		return d, nil
	}
	at := func(p float64) (float64, error) {
		lo, frac := PercentileRank(count, p)
		n := 1
		if frac > 0 {
			n = 2
		}
		seconds, err := read(lo, n)
		if err != nil {
			return 0, err
		}
		if len(seconds) != n {
			return 0, fmt.Errorf("report: %d durations at rank %d, want %d", len(seconds), lo, n)
		}
		hours := make([]float64, n)
		for i, s := range seconds {
			hours[i] = float64(s) / 3600
		}
		if n == 1 {
			return roundHours(hours[0]), nil
		}
		return roundHours(hours[0] + frac*(hours[1]-hours[0])), nil
	}
	median, err := at(50)
	if err != nil {
		return d, err
	}
	p90, err := at(90)
	if err != nil {
		return d, err
	}
	d.MedianHours, d.P90Hours = &median, &p90
	return d, nil
}

// roundHours keeps hundredths of an hour, so that a figure worked out by
// hand is written the same way in JSON.
func roundHours(h float64) float64 { return math.Round(h*100) / 100 }

// PercentileRank is where the p-th percentile (0 to 100) of count sorted
// values lies: frac of the way from the value at rank lo (counted from 0)
// to the next, as spreadsheets' PERCENTILE.INC interpolates. The 50th is
// the median: the middle value, or the mean of the two middle values.
func PercentileRank(count int, p float64) (lo int, frac float64) {
	rank := float64(count-1) * p / 100
	lo = int(math.Floor(rank))
	if lo >= count-1 {
		return count - 1, 0
	}
	return lo, rank - float64(lo)
}

// Percentile is the p-th percentile of values sorted ascending, placed by
// PercentileRank; it is 0 for no values.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	lo, frac := PercentileRank(len(sorted), p)
	if frac == 0 {
		return sorted[lo]
	}
	return sorted[lo] + frac*(sorted[lo+1]-sorted[lo])
}

// Rate is n out of d as a percentage, and false when d is 0.
func Rate(n, d int) (float64, bool) {
	if d == 0 {
		return 0, false
	}
	return 100 * float64(n) / float64(d), true
}

// CodeCount counts an agency's shares by a code: its declines by the kind
// of reason, or its closes by the kind of outcome. An empty code is one
// given in words alone, not coded.
type CodeCount struct {
	Agency string `json:"agency"`
	Code   string `json:"code"`
	Count  int    `json:"count"`
}

// Consent counts the referrals of the period by the latest consent decision
// recorded on each, as it stands now; "none" counts referrals with no record.
type Consent struct {
	Referrals  int            `json:"referrals"`
	ByDecision map[string]int `json:"by_decision"`
}

// OverrideBasis counts the requests to share without consent made in the
// period on one lawful basis, by where they stand.
type OverrideBasis struct {
	Basis     string `json:"basis"`
	Requested int    `json:"requested"`
	Approved  int    `json:"approved"`
	Refused   int    `json:"refused"`
	Pending   int    `json:"pending"`
}

// Patterns counts the period's referrals that are part of a pattern. A
// repeat victim (or suspect) is one named, by keyed fingerprint, in another
// referral raised in the twelve months up to this one. Linked counts the
// referrals with at least one confirmed link, by either side of it.
type Patterns struct {
	Referrals        int `json:"referrals"`
	RepeatVictim     int `json:"repeat_victim"`
	RepeatSuspect    int `json:"repeat_suspect"`
	Linked           int `json:"linked"`
	LinkedViaVictim  int `json:"linked_via_victim"`
	LinkedViaSuspect int `json:"linked_via_suspect"`
}

// MARAC counts the cases heard at meetings in the period (up to today) and
// the actions agreed on them.
type MARAC struct {
	Cases       int `json:"cases"`
	RepeatCases int `json:"repeat_cases"`
	ActionCounts
	ByAgency []AgencyActions `json:"by_agency"`
}

// ActionCounts splits MARAC actions by where they stand. Done, done late,
// open, not possible and not done add up to Actions; Overdue is the part of
// Open whose due day has passed. Done on time means the last change to done
// fell on or before the due day.
type ActionCounts struct {
	Actions     int `json:"actions"`
	DoneOnTime  int `json:"actions_done_on_time"`
	DoneLate    int `json:"actions_done_late"`
	Open        int `json:"actions_open"`
	Overdue     int `json:"actions_overdue"`
	NotPossible int `json:"actions_not_possible"`
	NotDone     int `json:"actions_not_done"`
}

// Add adds another agency's counts.
func (c *ActionCounts) Add(o ActionCounts) {
	c.Actions += o.Actions
	c.DoneOnTime += o.DoneOnTime
	c.DoneLate += o.DoneLate
	c.Open += o.Open
	c.Overdue += o.Overdue
	c.NotPossible += o.NotPossible
	c.NotDone += o.NotDone
}

// AgencyActions are the MARAC actions one agency owns.
type AgencyActions struct {
	Agency string `json:"agency"`
	ActionCounts
}

func zeros(keys []string) map[string]int {
	m := make(map[string]int, len(keys))
	for _, k := range keys {
		m[k] = 0
	}
	return m
}

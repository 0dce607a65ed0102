package report

import (
	"sort"
	"time"

	"github.com/stalking-hub/hub/internal/referral"
)

// The store reads a period's referrals and shares as rows of metadata and
// the tallies below add them up: at 100,000 referrals that is several times
// faster than one SQL aggregate per figure, and keeps each rule here, beside
// its table test.

// ReferralRow is one sent referral as the report reads it: metadata only.
type ReferralRow struct {
	CreatedAt time.Time
	Offence   string
	Risk      string
	Factors   referral.Factors
	// InScope is false for a referral the chosen agency did not receive.
	InScope bool
	// RepeatVictim and RepeatSuspect: the same person is named in another
	// sent referral raised in the twelve months up to this one (Repeats).
	RepeatVictim, RepeatSuspect bool
	// LinkedViaVictim and LinkedViaSuspect: a confirmed link, on either side.
	LinkedViaVictim, LinkedViaSuspect bool
}

// ReferralTally adds up the referrals of a period one by one.
type ReferralTally struct {
	period    Period
	referrals Referrals
	patterns  Patterns
}

// NewReferralTally starts a tally for the period.
func NewReferralTally(p Period) *ReferralTally {
	return &ReferralTally{period: p, referrals: newReferrals(p)}
}

// Add counts a referral when it is in scope and raised in the period.
func (t *ReferralTally) Add(r ReferralRow) {
	if !r.InScope || r.CreatedAt.Before(t.period.Start()) || !r.CreatedAt.Before(t.period.End()) {
		return
	}
	// The month's place in the period, counted rather than looked up: this
	// runs once a referral.
	created := r.CreatedAt.UTC()
	month := (created.Year()-t.period.From.Year())*12 + int(created.Month()) - int(t.period.From.Month())
	t.referrals.count(month, r.Offence, r.Risk, r.Factors)
	p := &t.patterns
	p.Referrals++
	for _, x := range []struct {
		on bool
		n  *int
	}{
		{r.RepeatVictim, &p.RepeatVictim}, {r.RepeatSuspect, &p.RepeatSuspect},
		{r.LinkedViaVictim || r.LinkedViaSuspect, &p.Linked}, {r.LinkedViaVictim, &p.LinkedViaVictim}, {r.LinkedViaSuspect, &p.LinkedViaSuspect},
	} {
		if x.on {
			*x.n++
		}
	}
}

// Referrals is the referral counts so far.
func (t *ReferralTally) Referrals() Referrals { return t.referrals }

// Patterns is the pattern counts so far.
func (t *ReferralTally) Patterns() Patterns { return t.patterns }

// repeatMonths is how far back another referral makes a repeat: after
// twelve months it is a new referral, not a repeat.
const repeatMonths = 12

// Repeats says, for the referrals naming one person raised at the times
// given (in any order), which are repeats: another of them was raised at
// the same time or in the twelve months before, the same day and time
// twelve months earlier included. The answer is in the order given.
func Repeats(times []time.Time) []bool {
	order := make([]int, len(times))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return times[order[a]].Before(times[order[b]]) })
	out := make([]bool, len(times))
	for k, i := range order {
		t := times[i]
		earlier := k > 0 && !times[order[k-1]].Before(t.AddDate(0, -repeatMonths, 0))
		sameTime := k+1 < len(order) && times[order[k+1]].Equal(t)
		out[i] = earlier || sameTime
	}
	return out
}

// ShareRow is one share as the report reads it: the agency, where it
// stands, and its clock. Durations are negative until the thing happens.
type ShareRow struct {
	Agency      string
	Status      string
	DeclineCode string
	AnsweredIn  time.Duration // from sending to the first acceptance or decline
	AcceptedIn  time.Duration // from sending to acceptance
	// AnsweredInTime and AcceptedInTime: no later than the due time.
	AnsweredInTime, AcceptedInTime bool
	// Overdue: sent or viewed, and the due time has passed.
	Overdue bool
}

// ShareTally adds up shares agency by agency.
type ShareTally struct {
	agencies map[string]*shareCounts
}

type shareCounts struct {
	figures           AgencyFigures
	declines          map[string]int
	answered, accepts []int64
}

// NewShareTally starts an empty tally.
func NewShareTally() *ShareTally { return &ShareTally{agencies: map[string]*shareCounts{}} }

// Add counts one share.
func (t *ShareTally) Add(s ShareRow) {
	c, ok := t.agencies[s.Agency]
	if !ok {
		c = &shareCounts{figures: AgencyFigures{Agency: s.Agency, Statuses: zeros(ShareStatuses)}, declines: map[string]int{}}
		t.agencies[s.Agency] = c
	}
	a := &c.figures
	a.Received++
	a.Statuses[s.Status]++
	switch s.Status {
	case string(referral.Sent), string(referral.Viewed):
		a.Awaiting++
	case string(referral.Declined):
		a.Declined++
		c.declines[s.DeclineCode]++
	case string(referral.Closed):
		a.Closed++
	}
	if s.AnsweredIn >= 0 {
		a.Answered++
		c.answered = append(c.answered, int64(s.AnsweredIn/time.Second))
	}
	if s.AcceptedIn >= 0 {
		a.Accepted++
		c.accepts = append(c.accepts, int64(s.AcceptedIn/time.Second))
	}
	for _, x := range []struct {
		on bool
		n  *int
	}{{s.AnsweredInTime, &a.WithinResponseTime}, {s.AcceptedInTime, &a.AcceptedWithinResponseTime}, {s.Overdue, &a.Overdue}} {
		if x.on {
			*x.n++
		}
	}
}

// Agencies is each agency's figures, by agency id, and their declines by
// agency and reason code.
func (t *ShareTally) Agencies() ([]AgencyFigures, []DeclineReason) {
	ids := make([]string, 0, len(t.agencies))
	for id := range t.agencies {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	agencies, declines := []AgencyFigures{}, []DeclineReason{}
	for _, id := range ids {
		c := t.agencies[id]
		a := c.figures
		a.FirstResponse, a.Acceptance = DurationsOf(c.answered), DurationsOf(c.accepts)
		agencies = append(agencies, a)
		codes := make([]string, 0, len(c.declines))
		for code := range c.declines {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			declines = append(declines, DeclineReason{Agency: id, Code: code, Count: c.declines[code]})
		}
	}
	return agencies, declines
}

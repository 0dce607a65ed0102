package report

import (
	"maps"
	"slices"

	"github.com/stalking-hub/hub/internal/referral"
)

// ShareGroup is the shares of one agency that stand at one status (and, for
// declines and closes, one reason or outcome code), as the store counts them in SQL: how many, and
// how many of them were answered, accepted, answered or accepted no later
// than their due time, and are past their due time now.
type ShareGroup struct {
	Agency, Status, DeclineCode, OutcomeCode string

	Shares, Answered, Accepted     int
	AnsweredInTime, AcceptedInTime int
	PastDue                        int
}

// ShareTally adds up groups of shares agency by agency.
type ShareTally struct {
	agencies map[string]*shareCounts
}

type shareCounts struct {
	figures            AgencyFigures
	declines, outcomes map[string]int
}

// NewShareTally starts an empty tally.
func NewShareTally() *ShareTally { return &ShareTally{agencies: map[string]*shareCounts{}} }

// Add counts one group. Only a share still waiting for an answer (sent or
// viewed) can be overdue, so PastDue counts for no other status.
func (t *ShareTally) Add(g ShareGroup) {
	c, ok := t.agencies[g.Agency]
	if !ok {
		c = &shareCounts{figures: AgencyFigures{Agency: g.Agency, Statuses: zeros(ShareStatuses)}, declines: map[string]int{}, outcomes: map[string]int{}}
		t.agencies[g.Agency] = c
	}
	a := &c.figures
	a.Received += g.Shares
	a.Statuses[g.Status] += g.Shares
	switch g.Status {
	case string(referral.Sent), string(referral.Viewed):
		a.Awaiting += g.Shares
		a.Overdue += g.PastDue
	case string(referral.Declined):
		a.Declined += g.Shares
		c.declines[g.DeclineCode] += g.Shares
	case string(referral.Closed):
		a.Closed += g.Shares
		c.outcomes[g.OutcomeCode] += g.Shares
	}
	a.Answered += g.Answered
	a.Accepted += g.Accepted
	a.WithinResponseTime += g.AnsweredInTime
	a.AcceptedWithinResponseTime += g.AcceptedInTime
}

// Agencies is each agency's figures, by agency id, their declines by agency
// and reason code, and their closes by agency and outcome code. The durations are left for the caller, who can
// read them at their ranks (SummariseDurations).
func (t *ShareTally) Agencies() ([]AgencyFigures, []CodeCount, []CodeCount) {
	agencies, declines, outcomes := []AgencyFigures{}, []CodeCount{}, []CodeCount{}
	for _, id := range slices.Sorted(maps.Keys(t.agencies)) {
		c := t.agencies[id]
		agencies = append(agencies, c.figures)
		declines, outcomes = appendCodes(declines, id, c.declines), appendCodes(outcomes, id, c.outcomes)
	}
	return agencies, declines, outcomes
}

// appendCodes appends an agency's counts by code, in the codes' order.
func appendCodes(to []CodeCount, agencyID string, counts map[string]int) []CodeCount {
	for _, code := range slices.Sorted(maps.Keys(counts)) {
		to = append(to, CodeCount{Agency: agencyID, Code: code, Count: counts[code]})
	}
	return to
}

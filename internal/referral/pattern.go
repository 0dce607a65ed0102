package referral

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/stalking-hub/hub/internal/risk"
)

// Stalking is a pattern, not an incident: referrals that concern the same
// victim or the same suspect are linked, once an officer confirms it, and
// their history is shown together.

// LinkVia is what two linked referrals have in common.
type LinkVia string

// The ways two referrals can be linked.
const (
	ViaVictim  LinkVia = "victim"
	ViaSuspect LinkVia = "suspect"
)

// ParseLinkVia returns the link kind with the given name.
func ParseLinkVia(s string) (LinkVia, error) {
	switch LinkVia(s) {
	case ViaVictim, ViaSuspect:
		return LinkVia(s), nil
	}
	return "", fmt.Errorf("unknown link kind %q", s)
}

// LinkStatus is where the link between two referrals stands: suggested by
// matching fingerprints until an officer confirms or rejects it.
type LinkStatus string

// The statuses of a link.
const (
	LinkSuggested LinkStatus = "suggested"
	LinkConfirmed LinkStatus = "confirmed"
	LinkRejected  LinkStatus = "rejected"
)

// Incident is one referral of a pattern, by its metadata only: what a
// suggested link and the linked view show of another referral.
type Incident struct {
	ID        string
	Reference string
	// Via is what this referral shares with the one being looked at:
	// for a suggestion, the match; in a linked view, the direct link, or
	// empty for the referral itself and those linked through another.
	Via           LinkVia
	Offence       string
	Risk          risk.Level
	CreatedAt     time.Time
	Incidents     int    // as recorded on the referral; 0 when not given
	FirstIncident string // YYYY-MM-DD or empty
	LastIncident  string // YYYY-MM-DD or empty
}

// Pattern is a set of linked referrals seen together.
type Pattern struct {
	Referrals []Incident // oldest first
	// Incidents adds up the incidents each referral records, counting a
	// referral that records none as one. Referrals may report overlapping
	// incidents, so this is what was reported, not a deduplicated count.
	Incidents int
	// First and Last span the pattern: the earliest first incident and the
	// latest last incident, a referral's creation date standing in for
	// dates it does not give.
	First, Last  time.Time
	Offences     []OffenceCount // in the order they first appear
	RiskOverTime []RiskAt       // one per referral, oldest first
}

// OffenceCount is how many referrals of a pattern record an offence.
type OffenceCount struct {
	Offence string
	Count   int
}

// RiskAt is the risk level recorded by one referral of a pattern, on the
// day it was raised.
type RiskAt struct {
	Date      time.Time
	Reference string
	Level     risk.Level
}

// PatternOf puts linked referrals together: counted, spanned, their
// offences tallied and their risk levels in order of time.
func PatternOf(rs []Incident) Pattern {
	rs = slices.Clone(rs)
	slices.SortStableFunc(rs, func(a, b Incident) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Reference, b.Reference)
	})
	p := Pattern{Referrals: rs}
	for _, r := range rs {
		p.Incidents += max(r.Incidents, 1)
		created := day(r.CreatedAt)
		first, last := dateOr(r.FirstIncident, created), dateOr(r.LastIncident, created)
		if p.First.IsZero() || first.Before(p.First) {
			p.First = first
		}
		if last.After(p.Last) {
			p.Last = last
		}
		if i := slices.IndexFunc(p.Offences, func(o OffenceCount) bool { return o.Offence == r.Offence }); i >= 0 {
			p.Offences[i].Count++
		} else {
			p.Offences = append(p.Offences, OffenceCount{Offence: r.Offence, Count: 1})
		}
		p.RiskOverTime = append(p.RiskOverTime, RiskAt{Date: created, Reference: r.Reference, Level: r.Risk})
	}
	return p
}

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func dateOr(s string, fallback time.Time) time.Time {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t
	}
	return fallback
}

// Repeats reports whether a referral raised at later repeats one raised at
// earlier that names the same victim (or the same suspect): earlier is at
// the same time as later or in the twelve calendar months before it.
// Exactly twelve months before counts; twelve months before 29 February is
// 1 March, as time.AddDate normalises. The store works it out in SQL when a
// referral is written (the referrals_repeat_* triggers, one per dialect),
// held to this rule by a test.
func Repeats(earlier, later time.Time) bool {
	return !earlier.After(later) && !earlier.Before(later.AddDate(0, -12, 0))
}

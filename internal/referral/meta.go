package referral

import (
	"slices"
	"time"

	"github.com/stalking-hub/hub/internal/risk"
)

// Meta is the non-personal metadata of a referral: what lists, inboxes and
// reports need. It is kept in plain columns; the personal data is not.
type Meta struct {
	State         State
	OfficerName   string
	Offence       string
	RiskTool      string
	RiskScore     *int
	Incidents     int
	FirstIncident string
	LastIncident  string
	Factors       Factors
	MARACConcern  bool
	CreatedAt     time.Time
	SentAt        time.Time
	UpdatedAt     time.Time
	Version       int
}

// State is where a referral as a whole stands.
type State string

// A referral is a draft until the officer sends it; then each agency's share
// has its own lifecycle.
const (
	Draft State = "draft"
	Open  State = "sent"
)

// Factors are the aggravating factors, as flags for lists and reports.
type Factors struct {
	DomesticAbuse     bool
	HateCrimeStrand   string   // the first strand; empty when not a hate crime
	OtherStrands      []string // the strands after the first, each once
	HonourBasedAbuse  bool
	FearOfViolence    bool
	TechnologyEnabled bool
}

// FactorsOf reads the flags from a submission's aggravating factors.
func FactorsOf(fs []AggravatingFactor) Factors {
	var f Factors
	for _, a := range fs {
		switch a.Factor {
		case "domestic_abuse":
			f.DomesticAbuse = true
		case "hate_crime":
			switch {
			case f.HateCrimeStrand == "":
				f.HateCrimeStrand = a.Strand
			case a.Strand != f.HateCrimeStrand && !slices.Contains(f.OtherStrands, a.Strand):
				f.OtherStrands = append(f.OtherStrands, a.Strand)
			}
		case "honour_based_abuse":
			f.HonourBasedAbuse = true
		case "fear_of_violence":
			f.FearOfViolence = true
		case "technology_enabled":
			f.TechnologyEnabled = true
		}
	}
	return f
}

// Summary is one line of a list of referrals: metadata and the shares'
// statuses, never personal data.
type Summary struct {
	ID        string
	Reference string
	Officer   string
	Meta      Meta
	Risk      risk.Level
	Shares    []Share
}

// Overdue reports whether a share has passed its due time without an answer.
func (s Share) Overdue(now time.Time) bool {
	return (s.Status == Sent || s.Status == Viewed) && !s.DueAt.IsZero() && now.After(s.DueAt)
}

// ResponseSeconds is the time from sending a share to at (its first answer,
// or its acceptance) in whole seconds, each time taken to the second
// before: the figure the reports rank. The store keeps it in SQL beside the
// times (the shares_clock_seconds_* triggers, one per dialect), held to
// this rule by a test.
func ResponseSeconds(sent, at time.Time) int64 {
	return at.Unix() - sent.Unix()
}

// Attention reports whether a referral should stand out to the police: an
// agency is overdue, has declined, or has written a message not yet read.
func (s Summary) Attention(now time.Time) bool {
	for _, sh := range s.Shares {
		if sh.Overdue(now) || sh.Status == Declined || sh.Unread {
			return true
		}
	}
	return false
}

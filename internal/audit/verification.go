package audit

import (
	"time"
)

// Verification is one run of VerifyAudit started from the hub.
type Verification struct {
	ID                               int64
	StartedBy                        string
	StartedAt, UpdatedAt, FinishedAt time.Time
	Done, Total                      int64
	OK                               bool
	Verdict                          string
}

// Running reports whether the verification is still under way: unfinished
// and heard from within the last minute (a hub stopped midway leaves one
// that is neither).
func (v Verification) Running(now time.Time) bool {
	return v.FinishedAt.IsZero() && now.Sub(v.UpdatedAt) < time.Minute
}

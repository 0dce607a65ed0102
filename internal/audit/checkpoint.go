package audit

import "time"

// Policy says how often the log is checkpointed.
type Policy struct {
	Every    int64         // entries between checkpoints
	Interval time.Duration // time between checkpoints while entries arrive
}

// Due reports whether a log of size entries owes a checkpoint, the last one
// being of size last (0 when there is none) and since the time of that
// checkpoint, or of the log's first entry when there is none. A log that
// has not grown owes none however long ago the last was: it would sign the
// same tree again.
func (p Policy) Due(size, last int64, since, now time.Time) bool {
	if size <= last {
		return false
	}
	return size-last >= p.Every || now.Sub(since) >= p.Interval
}

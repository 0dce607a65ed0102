package referral

import "time"

// RepeatWithin reports whether a referral raised at earlier makes one about
// the same victim (or suspect) raised at later a repeat: raised no later
// than it, and no more than 12 calendar months before it (exactly 12
// months counts; 12 months before 29 February is 1 March, as AddDate
// counts). The report's repeat victims and suspects follow it; the store
// computes it in SQL, once per dialect, held to this by its tests.
func RepeatWithin(earlier, later time.Time) bool {
	return !earlier.After(later) && !earlier.Before(later.UTC().AddDate(-1, 0, 0))
}

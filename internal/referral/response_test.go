package referral

import (
	"testing"
	"time"
)

func TestResponseTimeRules(t *testing.T) {
	due := time.Date(2026, 11, 16, 12, 0, 0, 0, time.UTC)
	s := time.Second
	cases := []struct {
		name                    string
		share                   Share
		now                     time.Time
		overdue, answered, took bool
	}{
		{"sent, due not reached", Share{Status: Sent, DueAt: due}, due.Add(-s), false, false, false},
		{"sent, at the due time", Share{Status: Sent, DueAt: due}, due, false, false, false},
		{"sent, a second past due", Share{Status: Sent, DueAt: due}, due.Add(s), true, false, false},
		{"viewed, past due", Share{Status: Viewed, DueAt: due}, due.Add(time.Hour), true, false, false},
		{"no due time", Share{Status: Sent}, due, false, false, false},
		{"accepted at the due time", Share{Status: Accepted, DueAt: due, AnsweredAt: due, AcceptedAt: due}, due.Add(time.Hour), false, true, true},
		{"accepted a second late", Share{Status: Accepted, DueAt: due, AnsweredAt: due.Add(s), AcceptedAt: due.Add(s)}, due.Add(time.Hour), false, false, false},
		{"declined in time", Share{Status: Declined, DueAt: due, AnsweredAt: due.Add(-s)}, due.Add(time.Hour), false, true, false},
		{"declined in time, accepted late", Share{Status: InProgress, DueAt: due, AnsweredAt: due.Add(-s), AcceptedAt: due.Add(time.Hour)}, due.Add(2 * time.Hour), false, true, false},
	}
	for _, c := range cases {
		if got := c.share.Overdue(c.now); got != c.overdue {
			t.Errorf("%s: Overdue = %v", c.name, got)
		}
		if got := c.share.AnsweredInTime(); got != c.answered {
			t.Errorf("%s: AnsweredInTime = %v", c.name, got)
		}
		if got := c.share.AcceptedInTime(); got != c.took {
			t.Errorf("%s: AcceptedInTime = %v", c.name, got)
		}
	}
}

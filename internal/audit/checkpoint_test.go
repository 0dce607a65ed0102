package audit

import (
	"testing"
	"time"
)

func TestPolicyDue(t *testing.T) {
	p := Policy{Every: 100, Interval: time.Minute}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		size, last int64
		since      time.Time
		now        time.Time
		want       bool
	}{
		{"first entries, little time", 10, 0, t0, t0.Add(time.Second), false},
		{"first entries, enough time", 10, 0, t0, t0.Add(time.Hour), true},
		{"empty log", 0, 0, time.Time{}, t0, false},
		{"few entries, little time", 150, 100, t0, t0.Add(10 * time.Second), false},
		{"enough entries", 200, 100, t0, t0.Add(time.Second), true},
		{"more than enough entries", 350, 100, t0, t0.Add(time.Second), true},
		{"enough time", 101, 100, t0, t0.Add(time.Minute), true},
		{"no growth however long", 100, 100, t0, t0.Add(time.Hour), false},
	}
	for _, c := range cases {
		if got := p.Due(c.size, c.last, c.since, c.now); got != c.want {
			t.Errorf("%s: Due = %v, want %v", c.name, got, c.want)
		}
	}
}

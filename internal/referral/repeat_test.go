package referral

import (
	"testing"
	"time"
)

func TestRepeatWithin(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		earlier, later string
		want           bool
	}{
		{"2025-06-15T12:00:00Z", "2026-06-15T12:00:00Z", true},  // exactly 12 months
		{"2025-06-15T11:59:59Z", "2026-06-15T12:00:00Z", false}, // a second more
		{"2026-06-15T12:00:00Z", "2026-06-15T12:00:00Z", true},  // at the same time
		{"2026-06-15T12:00:01Z", "2026-06-15T12:00:00Z", false}, // after it
		{"2026-01-01T00:00:00Z", "2026-06-15T12:00:00Z", true},
		{"2023-02-28T12:00:00Z", "2024-02-29T12:00:00Z", false}, // 12 months before 29 February is 1 March
		{"2023-03-01T12:00:00Z", "2024-02-29T12:00:00Z", true},
		{"2024-02-29T12:00:00Z", "2025-02-28T12:00:00Z", true},
		{"2024-02-29T12:00:00Z", "2025-03-01T12:00:00Z", false},
		{"2025-06-15T13:00:00+01:00", "2026-06-15T12:00:00Z", true}, // the same instant as 12:00Z
	}
	for _, c := range cases {
		if got := RepeatWithin(at(c.earlier), at(c.later)); got != c.want {
			t.Errorf("RepeatWithin(%s, %s) = %v, want %v", c.earlier, c.later, got, c.want)
		}
	}
}

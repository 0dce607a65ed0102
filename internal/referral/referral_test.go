package referral

import (
	"testing"

	"github.com/stalking-hub/hub/internal/problem"
)

func TestParseShareStatus(t *testing.T) {
	tests := []struct {
		in   string
		want ShareStatus
		ok   bool
	}{
		{"sent", Sent, true},
		{"in_progress", InProgress, true},
		{"closed", Closed, true},
		{"in-progress", "", false},
		{"Sent", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := ParseShareStatus(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseShareStatus(%q) = %q, %v", tt.in, got, err)
		}
	}
}

// A caller that changes the error it got must not change the error the next
// caller gets: hidden and missing referrals must stay indistinguishable.
func TestNotFoundIsTheSameEveryTime(t *testing.T) {
	first := NotFound()
	first.Message = "changed"
	second := NotFound()
	if second.Code != problem.NotFound || second.Message != notFoundMessage || second.Fields != nil {
		t.Fatalf("NotFound() = %#v", second)
	}
}

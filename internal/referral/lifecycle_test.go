package referral

import (
	"testing"

	"github.com/stalking-hub/hub/internal/problem"
)

// Every pair of statuses, with the answer the lifecycle must give.
func TestTransitionTable(t *testing.T) {
	ok := map[[2]ShareStatus]bool{
		{Sent, Viewed}: true, {Sent, Accepted}: true, {Sent, Declined}: true,
		{Viewed, Accepted}: true, {Viewed, Declined}: true,
		{Accepted, InProgress}: true, {Accepted, Closed}: true,
		{InProgress, Closed}: true,
	}
	for _, from := range ShareStatuses {
		for _, to := range ShareStatuses {
			err := Transition(from, to, "a reason", "an outcome")
			if ok[[2]ShareStatus{from, to}] {
				if err != nil {
					t.Errorf("%s -> %s refused: %v", from, to, err)
				}
			} else if err == nil || err.Code != problem.Conflict {
				t.Errorf("%s -> %s: %v, want conflict", from, to, err)
			}
		}
	}
}

func TestDeclineNeedsReasonCloseNeedsOutcome(t *testing.T) {
	if err := Transition(Sent, Declined, " ", ""); err == nil || err.Fields["reason"] == "" {
		t.Fatalf("decline without reason: %v", err)
	}
	if err := Transition(InProgress, Closed, "", ""); err == nil || err.Fields["outcome"] == "" {
		t.Fatalf("close without outcome: %v", err)
	}
	if err := Transition(Sent, "lost", "", ""); err == nil || err.Code != problem.Invalid {
		t.Fatalf("unknown status: %v", err)
	}
}

package store_test

import (
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/store"
)

// A re-assessment moves an unanswered share's due time: raised, never
// longer than before and never less than the new time from the moment the
// agency is told; lowered, the longer time from when it was sent.
func TestRecomputeDue(t *testing.T) {
	sent := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	h := time.Hour
	for _, c := range []struct {
		name      string
		oldDue    time.Duration // after sent
		at        time.Duration // after sent
		answer    time.Duration
		wantAfter time.Duration // after sent
	}{
		{"medium to high after 30h: 24h from now", 72 * h, 30 * h, 24 * h, 54 * h},
		{"medium to high at once: 24h from now", 72 * h, 2 * h, 24 * h, 26 * h},
		{"medium to high after 60h: no longer than before", 72 * h, 60 * h, 24 * h, 72 * h},
		{"high to medium: 72h from sending", 24 * h, 10 * h, 72 * h, 72 * h},
		{"unchanged level: nothing moves", 72 * h, 30 * h, 72 * h, 72 * h},
		{"standard to high when already overdue: stays overdue", 168 * h, 200 * h, 24 * h, 168 * h},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := store.RecomputeDue(sent, sent.Add(c.oldDue), sent.Add(c.at), c.answer)
			if want := sent.Add(c.wantAfter); !got.Equal(want) {
				t.Fatalf("due %s after sending, want %s", got.Sub(sent), c.wantAfter)
			}
		})
	}
}

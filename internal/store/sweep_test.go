package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/store/storetest"
)

// A backlog of overdue shares is noted at most 500 a sweep and every share
// once: 560 overdue give 500, then 60, then none. (That each sweep writes
// in transactions of 100 is TestInBatches'.)
func TestNoteOverdueInBatches(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	officer := identity.Principal{Subject: "iss|officer", Roles: []identity.Role{identity.Officer}}
	for range 560 {
		newReferral(t, db, officer)
	}
	later := time.Now().Add(2 * time.Hour)
	for _, want := range []int{500, 60, 0} {
		if n, err := db.NoteOverdue(ctx, later); err != nil || n != want {
			t.Fatalf("NoteOverdue = %d %v, want %d", n, err, want)
		}
	}
}

package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/referral"
)

// Many readers at once, more than the pool has connections, each inside a
// read transaction when it first meets a statement: preparing it for the
// cache must not wait for a connection that only they could give back.
func TestPreparedStatementsDoNotStarveThePool(t *testing.T) {
	db := openSealed(t) // two readers
	id, _ := create(t, db, submission("Pia Pool", "medium"), "", "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if _, err := db.Referral(ctx, id); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a reader failed (a deadlock ends in the deadline): %v", err)
	}
	// The statements of a referral's load were prepared in the background
	// and serve the next load.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		db.readStmts.mu.Lock()
		n := len(db.readStmts.stmts)
		db.readStmts.mu.Unlock()
		if n >= 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d statements prepared, want the load's 5", n)
		}
	}
	if _, err := db.Referral(ctx, id); err != nil {
		t.Fatal(err)
	}
}

// A create loads its referral back inside its own transaction for the
// release: those reads are prepared on the writer in the background (the
// one writer connection is the create's meanwhile), and the referral read
// through them is the one stored.
func TestReadsInAWriteArePreparedOnTheWriter(t *testing.T) {
	db := openSealed(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	createOne := func(i int) {
		t.Helper()
		now := db.Now()
		var loaded *referral.Referral
		id, _, err := db.CreateReferral(ctx, referral.NewReferral{
			Submission: submission(fmt.Sprint("Wren Writer ", i), "high"), Officer: officer,
			Due:     map[string]time.Time{"housing": now.Add(24 * time.Hour), "health": now.Add(72 * time.Hour)},
			Consent: consent.Consent{Decision: consent.Given, Agencies: []string{"housing"}, Categories: category.SetOf(category.Identity), RecordedBy: officer.Subject, RecordedAt: now},
			Release: func(r *referral.Referral) (audit.Entry, error) {
				loaded = r
				return audit.Entry{Actor: officer.Subject, Action: audit.Release, Record: r.ID, Detail: "identity"}, nil
			},
		})
		if err != nil {
			t.Fatalf("create %d (a deadlock ends in the deadline): %v", i, err)
		}
		if loaded == nil || loaded.ID != id || len(loaded.Shares) != 2 || len(loaded.Consents) != 1 || loaded.Sections[category.Identity].Empty() {
			t.Fatalf("create %d: the release saw %+v", i, loaded)
		}
	}
	createOne(0)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		db.writerReads.mu.Lock()
		n := len(db.writerReads.stmts)
		db.writerReads.mu.Unlock()
		if n >= 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d statements prepared on the writer, want the load's 5 or more", n)
		}
	}
	for i := 1; i <= 3; i++ {
		createOne(i)
	}
}

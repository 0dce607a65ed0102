package store

import (
	"context"
	"sync"
	"testing"
	"time"
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

package store

import (
	"context"
	"testing"
	"time"
)

// A verification started in the background records its progress and its
// verdict, on either backend: RETURNING gives its id, the verdict's total
// is the larger of the two.
func TestVerificationRunsToItsVerdict(t *testing.T) {
	ctx := context.Background()
	db := migrated(t)
	for i := range 5 {
		if err := db.Audit(ctx, releaseEntry("idp|reader", i)); err != nil {
			t.Fatal(err)
		}
	}
	id, started, err := db.StartVerification(ctx, "idp|auditor")
	if err != nil || !started || id == 0 {
		t.Fatalf("start: %d %v %v", id, started, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		v, err := db.LastVerification(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v != nil && !v.FinishedAt.IsZero() {
			if v.ID != id || !v.OK || v.Done != 5 || v.Total != 5 || v.StartedBy != "idp|auditor" {
				t.Fatalf("verdict %+v", *v)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no verdict: %+v", v)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

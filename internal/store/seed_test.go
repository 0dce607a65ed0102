package store

import (
	"context"
	"errors"
	"testing"
)

func TestBatchCommitsOrRollsBackWhole(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	err := db.Batch(ctx, func() error {
		create(t, db, submission("Kai Kerr", "medium"), "", "")
		create(t, db, submission("Lou Lamb", "high"), "", "")
		if err := db.Batch(ctx, func() error { return nil }); err == nil {
			t.Error("a batch ran inside a batch")
		}
		return nil
	})
	if n, _ := db.ReferralCount(ctx); err != nil || n != 2 {
		t.Fatalf("after a batch: %d referrals, %v", n, err)
	}
	failed := errors.New("stop")
	err = db.Batch(ctx, func() error {
		create(t, db, submission("Mo Moss", "medium"), "", "")
		return failed
	})
	if n, _ := db.ReferralCount(ctx); !errors.Is(err, failed) || n != 2 {
		t.Fatalf("after a failed batch: %d referrals, %v", n, err)
	}
	// Writes outside a batch have their own transactions again, and the
	// audit log survived the rolled-back appends.
	create(t, db, submission("Ned Nash", "medium"), "", "")
	if report, err := db.VerifyAudit(ctx, nil); err != nil || !report.OK() {
		t.Fatalf("audit: %v %s", err, report.String())
	}
}

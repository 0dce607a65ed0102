package store

import (
	"context"
	"database/sql"
	"slices"
	"testing"
)

// inBatches runs each batch in a transaction of its own, with the batch's
// limit, until a batch notes fewer than the limit or sweepBatches have run.
func TestInBatches(t *testing.T) {
	db := open(t)
	for _, c := range []struct {
		name      string
		noted     []int // what each batch notes, in turn (the last repeats)
		wantCalls int
		wantTotal int
	}{
		{"a backlog: every batch full, stopped at the cap", []int{sweepBatch}, sweepBatches, sweepBatch * sweepBatches},
		{"a backlog cleared in the third", []int{sweepBatch, sweepBatch, 30}, 3, 2*sweepBatch + 30},
		{"nothing due", []int{0}, 1, 0},
	} {
		var txs []*sql.Tx
		total, err := db.inBatches(context.Background(), func(tx *sql.Tx, limit int) (int, error) {
			if limit != sweepBatch {
				t.Errorf("%s: limit %d, want %d", c.name, limit, sweepBatch)
			}
			txs = append(txs, tx)
			return c.noted[min(len(txs), len(c.noted))-1], nil
		})
		if err != nil || total != c.wantTotal || len(txs) != c.wantCalls {
			t.Errorf("%s: noted %d in %d batches (%v), want %d in %d", c.name, total, len(txs), err, c.wantTotal, c.wantCalls)
		}
		if len(slices.Compact(slices.Clone(txs))) != len(txs) {
			t.Errorf("%s: two batches shared a transaction", c.name)
		}
	}
}

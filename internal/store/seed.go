package store

import (
	"context"
	"errors"
	"time"
)

// ReferralCount is how many referrals the database holds, drafts included.
func (db *DB) ReferralCount(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM referrals`).Scan(&n)
	return n, err
}

// Batch runs fn with every write of the store joining one transaction,
// which commits when fn returns nil and rolls back whole when it returns an
// error. fn must return the error of any write that fails, whose own
// changes are not undone on their own. It is for bulk loads such as demo
// data, where committing each write would take most of the time. Nothing
// else may write while it runs: a concurrent write would join it.
func (db *DB) Batch(ctx context.Context, fn func() error) error {
	// Checked first: the running batch holds the one writer connection.
	if db.batch.Load() != nil {
		return errors.New("a batch is already running")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	if !db.batch.CompareAndSwap(nil, tx) {
		tx.Rollback()
		return errors.New("a batch is already running")
	}
	defer db.batch.Store(nil)
	if err := fn(); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Clock is the clock every stored time comes from (Now).
func (db *DB) Clock() func() time.Time { return db.Now }

// SetClock sets the clock every stored time comes from, as a bulk load of
// history does to write each step at the time it happened. Like Batch, it
// is for a store nothing else is using.
func (db *DB) SetClock(now func() time.Time) { db.Now = now }

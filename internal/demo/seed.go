package demo

import (
	"context"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/store"
)

// Seed writes n synthetic referrals and their history through the store, as
// officers and agencies would have made them: each referral, each opening
// and each answer, in order of time, with the store's clock set to the time
// it happened (and put back after). The writes go in batches of one
// transaction each (store.Batch), which makes seeding many times faster.
// progress, when set, hears how many referrals are written. Nothing else
// may write to db while it runs: the clock is the store's.
func Seed(ctx context.Context, db *store.DB, agencies *agency.Directory, n int, opt Options, progress func(done, total int64)) error {
	p := newPlanner(agencies, opt, n)
	ids := make([]string, n)
	clock := db.Now
	defer func() { db.Now = clock }()
	var done int64
	for more := true; more; {
		err := db.Batch(ctx, func() error {
			for range stepsPerBatch {
				var st step
				if st, more = p.step(); !more {
					return nil
				}
				if err := write(ctx, db, st, ids); err != nil {
					return err
				}
				if st.create != nil {
					done++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if progress != nil {
			progress(done, int64(n))
		}
	}
	return nil
}

// stepsPerBatch is how many steps share a transaction: enough that commits
// cost little, few enough that the transaction's pages stay in memory.
const stepsPerBatch = 2000

// write makes one step happen, with the store's clock at its time.
func write(ctx context.Context, db *store.DB, st step, ids []string) error {
	at := st.at
	db.Now = func() time.Time { return at }
	var err error
	switch {
	case st.create != nil:
		ids[st.referral], _, err = db.CreateReferral(ctx, *st.create)
	case st.view:
		err = db.MarkViewed(ctx, ids[st.referral], st.agency, st.actor)
	default:
		_, err = db.ChangeShareStatus(ctx, store.StatusChange{ReferralID: ids[st.referral], Agency: st.agency, To: st.to,
			Reason: st.reason.text, ReasonCode: st.reason.code, Outcome: st.outcome.text, OutcomeCode: st.outcome.code, Actor: st.actor})
	}
	return err
}

// SeedIfEmpty seeds n referrals only when the database holds none, so that
// a first start shows something and a later start changes nothing. It
// reports whether it seeded.
func SeedIfEmpty(ctx context.Context, db *store.DB, agencies *agency.Directory, n int, opt Options, progress func(done, total int64)) (bool, error) {
	count, err := db.ReferralCount(ctx)
	if err != nil || count > 0 {
		return false, err
	}
	return true, Seed(ctx, db, agencies, n, opt, progress)
}

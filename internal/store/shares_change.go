package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
)

// AddShare sends a referral already sent to one more agency, in one
// transaction: the share (Conflict when the agency already has one, in any
// status), the timeline, the audit log, the agency's notice and its
// share.created event. It returns the new share.
func (db *DB) AddShare(ctx context.Context, a referral.AddedShare) (referral.Share, error) {
	var out referral.Share
	now := db.Now().UTC()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var ref, state, level string
		err := tx.QueryRowContext(ctx, `SELECT reference, state, risk_level FROM referrals WHERE id = ?`, a.ReferralID).Scan(&ref, &state, &level)
		if errors.Is(err, sql.ErrNoRows) {
			return referral.NotFound()
		}
		if err != nil {
			return err
		}
		if referral.State(state) != referral.Open {
			return problem.New(problem.Conflict, "A draft referral has no agencies yet; send it first")
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM shares WHERE referral_id = ? AND agency = ?`, a.ReferralID, a.Agency).Scan(&one)
		if err == nil {
			return problem.New(problem.Conflict, "This agency already has the referral")
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		kid, req, err := db.sealText(a.Request, a.ReferralID+"/share/"+a.Agency+"/request")
		if err != nil {
			return err
		}
		l := risk.Level(level)
		if _, err := db.exec(ctx, tx, insertShare, newID("s-"), a.ReferralID, a.Agency, kid, req, string(referral.Sent), level, l.Rank(), timeText(now), timeText(a.Due(l))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET shared_with = shared_with || ? || ',' WHERE id = ?`, a.Agency, a.ReferralID); err != nil {
			return err
		}
		if err := db.recount(ctx, tx, a.ReferralID); err != nil {
			return err
		}
		if err := touchReferral(ctx, tx, a.ReferralID, now); err != nil {
			return err
		}
		if err := db.addEvent(ctx, tx, a.ReferralID, now, a.Actor, a.Agency, "share_added", ""); err != nil {
			return err
		}
		if err := db.record(ctx, tx, a.Actor, audit.ShareStatusChanged, a.ReferralID, a.Agency, string(referral.Sent)); err != nil {
			return err
		}
		if err := db.notice(ctx, tx, notify.NewShare, a.Agency, a.ReferralID, ref); err != nil {
			return err
		}
		if err := db.partnerEvent(ctx, tx, partner.ShareCreated, a.Agency, a.ReferralID, ref, string(referral.Sent)); err != nil {
			return err
		}
		out, err = db.shareTx(ctx, tx, a.ReferralID, a.Agency)
		return err
	})
	return out, err
}

// WithdrawShare takes a referral back from one agency: its share becomes
// withdrawn (Conflict when it has already ended: declined, closed or
// withdrawn), with the officer's reason sealed for the force alone. The
// timeline, the audit log, the agency's notice and its share.withdrawn
// event are written in the same transaction. The agency still lists the
// referral with its own status, and sharing.Release withholds everything.
func (db *DB) WithdrawShare(ctx context.Context, referralID, agencyID, reason string, actor identity.Principal) (referral.Share, error) {
	var out referral.Share
	now := db.Now().UTC()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		s, err := db.shareTx(ctx, tx, referralID, agencyID)
		if err != nil {
			return err
		}
		switch s.Status {
		case referral.Withdrawn:
			return problem.New(problem.Conflict, "The referral is already withdrawn from this agency")
		case referral.Declined, referral.Closed:
			return problem.New(problem.Conflict, "This agency has already %s the referral; there is nothing to withdraw", s.Status)
		}
		rk, sealedReason, err := db.sealText(reason, referralID+"/share/"+agencyID+"/withdraw_reason")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE shares SET status = 'withdrawn', version = version + 1, withdraw_reason_key = ?, withdraw_reason = ?, withdrawn_at = ?
			WHERE id = ?`, rk, sealedReason, timeText(now), s.ID); err != nil {
			return err
		}
		if err := db.recount(ctx, tx, referralID); err != nil {
			return err
		}
		if err := touchReferral(ctx, tx, referralID, now); err != nil {
			return err
		}
		if err := db.addEvent(ctx, tx, referralID, now, actor, agencyID, "share_withdrawn", ""); err != nil {
			return err
		}
		if err := db.record(ctx, tx, actor, audit.ShareStatusChanged, referralID, agencyID, string(referral.Withdrawn)); err != nil {
			return err
		}
		ref, err := referenceOf(ctx, tx, referralID)
		if err != nil {
			return err
		}
		if err := db.notice(ctx, tx, notify.ShareWithdrawn, agencyID, referralID, ref); err != nil {
			return err
		}
		if err := db.partnerEvent(ctx, tx, partner.ShareWithdrawn, agencyID, referralID, ref, string(referral.Withdrawn)); err != nil {
			return err
		}
		out, err = db.shareTx(ctx, tx, referralID, agencyID)
		return err
	})
	return out, err
}

// WithdrawReason opens the reason the force gave for withdrawing an
// agency's share; the caller shows it to the force only.
func (db *DB) WithdrawReason(ctx context.Context, referralID, agencyID string) (string, error) {
	var key string
	var sealedReason []byte
	err := db.r.QueryRowContext(ctx, `SELECT withdraw_reason_key, withdraw_reason FROM shares WHERE referral_id = ? AND agency = ?`, referralID, agencyID).Scan(&key, &sealedReason)
	if errors.Is(err, sql.ErrNoRows) {
		return "", referral.NotFound()
	}
	if err != nil {
		return "", err
	}
	return db.openText(key, sealedReason, referralID+"/share/"+agencyID+"/withdraw_reason")
}

// MessagesRead records that the police have read the agencies' messages on
// a referral: it no longer needs their attention for them.
func (db *DB) MessagesRead(ctx context.Context, referralID string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE shares SET police_unread = 0 WHERE referral_id = ? AND police_unread = 1`, referralID)
		return err
	})
}

// noticeMARACMembers tells each MARAC member agency (not the force, which
// lists the case, nor the coordinator) that a case is on an agenda.
func (db *DB) noticeMARACMembers(ctx context.Context, tx *sql.Tx, referralID, reference string) error {
	if db.notices == nil || db.notices.Agencies == nil {
		return nil
	}
	co, _ := db.notices.Agencies.Coordinator()
	for _, a := range db.notices.Agencies.All() {
		if _, member := a.Terms(agency.MARAC); !member || a.ID == agency.Police || a.ID == co.ID {
			continue
		}
		if err := db.notice(ctx, tx, notify.MARACListed, a.ID, referralID, reference); err != nil {
			return err
		}
	}
	return nil
}

// noticeRelying tells each agency that relied on the consent just withdrawn:
// those the referral went to whose share has not ended and whom the consent covered.
func (db *DB) noticeRelying(ctx context.Context, tx *sql.Tx, referralID, reference string, covered []string) error {
	for _, a := range covered {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM shares WHERE referral_id = ? AND agency = ?`, referralID, a).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		switch referral.ShareStatus(status) {
		case referral.Declined, referral.Withdrawn:
			continue
		}
		if err := db.notice(ctx, tx, notify.ConsentWithdrawn, a, referralID, reference); err != nil {
			return err
		}
	}
	return nil
}

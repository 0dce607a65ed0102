package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/referral"
)

// restrictionOf reads whether a referral is restricted and the officers
// named to read it whole.
func restrictionOf(ctx context.Context, q sqlReader, id string) (bool, []string, error) {
	var restricted bool
	err := q.QueryRowContext(ctx, `SELECT restricted FROM referral_restrictions WHERE referral_id = ?`, id).Scan(&restricted)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT officer FROM referral_named_officers WHERE referral_id = ? ORDER BY officer`, id)
	if err != nil {
		return false, nil, err
	}
	defer rows.Close()
	var named []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return false, nil, err
		}
		named = append(named, o)
	}
	return restricted, named, rows.Err()
}

// RestrictionOf loads a referral's restriction; referral.NotFound() when it
// does not exist.
func (db *DB) RestrictionOf(ctx context.Context, id string) (referral.Restriction, error) {
	x := referral.Restriction{}
	err := db.r.QueryRowContext(ctx, `SELECT reference, officer FROM referrals WHERE id = ?`, id).Scan(&x.Reference, &x.Officer)
	if errors.Is(err, sql.ErrNoRows) {
		return x, referral.NotFound()
	}
	if err != nil {
		return x, err
	}
	x.Restricted, x.Named, err = restrictionOf(ctx, db.r, id)
	return x, err
}

// SetRestriction restricts a referral (or lifts it) and sets the officers
// named to read it whole, in one transaction with its audit entry. The
// entry's detail says restricted or unrestricted and how many are named,
// never who.
func (db *DB) SetRestriction(ctx context.Context, id string, restricted bool, named []string, by identity.Principal) error {
	now := db.Now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := referralExists(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_restrictions (referral_id, restricted, changed_by, changed_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (referral_id) DO UPDATE SET restricted = excluded.restricted, changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
			id, restricted, by.Subject, timeText(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM referral_named_officers WHERE referral_id = ?`, id); err != nil {
			return err
		}
		for _, o := range named {
			if _, err := tx.ExecContext(ctx, `INSERT INTO referral_named_officers (referral_id, officer) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, o); err != nil {
				return err
			}
		}
		detail := "unrestricted"
		if restricted {
			detail = "restricted"
		}
		if err := db.addEvent(ctx, tx, id, now, by, "", "restriction_changed", detail); err != nil {
			return err
		}
		return db.record(ctx, tx, by, audit.RestrictionChanged, id, "", detail+" named="+strconv.Itoa(len(named)))
	})
}

// BreakGlass records a break-glass read: the release entry e is appended to
// the audit log and the officer's reason stored sealed, in one transaction,
// before anything is shown. The entry's detail names the read, never the reason.
func (db *DB) BreakGlass(ctx context.Context, e audit.Entry, reason string, by identity.Principal) error {
	now := db.Now().UTC()
	id := newID("bg-")
	e.Detail = "break_glass " + id
	if e.Time.IsZero() {
		e.Time = now
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		kid, sealed, err := db.sealText(reason, e.Record+"/break-glass/"+id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO break_glass_reads (id, referral_id, actor, actor_name, at, reason_key, reason) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, e.Record, by.Subject, by.Name, timeText(now), kid, sealed); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// BreakGlassReads lists the latest break-glass reads, newest first.
func (db *DB) BreakGlassReads(ctx context.Context, limit int) ([]referral.BreakGlassRead, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT b.id, b.referral_id, r.reference, b.actor, b.actor_name, b.at, b.reason_key, b.reason
		FROM break_glass_reads b JOIN referrals r ON r.id = b.referral_id ORDER BY b.at DESC, b.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []referral.BreakGlassRead
	for rows.Next() {
		var b referral.BreakGlassRead
		var at, kid string
		var sealed []byte
		if err := rows.Scan(&b.ID, &b.ReferralID, &b.Reference, &b.Actor, &b.ActorName, &at, &kid, &sealed); err != nil {
			return nil, err
		}
		b.At = parseTime(at)
		if b.Reason, err = db.openText(kid, sealed, b.ReferralID+"/break-glass/"+b.ID); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/referral"
)

// PendingOverrides lists the requests waiting for a supervisor, oldest first,
// each with its referral's id and reference.
func (db *DB) PendingOverrides(ctx context.Context) ([]consent.OverrideRequest, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT o.id, r.id, r.reference FROM overrides o JOIN referrals r ON r.id = o.referral_id WHERE o.status = 'pending'`)
	if err != nil {
		return nil, err
	}
	refs := map[string][2]string{}
	for rows.Next() {
		var id, refID, reference string
		if err := rows.Scan(&id, &refID, &reference); err != nil {
			rows.Close()
			return nil, err
		}
		refs[id] = [2]string{refID, reference}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	pending, err := db.loadOverrides(ctx, tx, `WHERE status = 'pending'`)
	if err != nil {
		return nil, err
	}
	out := make([]consent.OverrideRequest, 0, len(pending))
	for _, o := range pending {
		r := refs[o.ID]
		out = append(out, consent.OverrideRequest{Override: o, ReferralID: r[0], Reference: r[1]})
	}
	return out, nil
}

// ReferralIDByReference finds a referral by its human reference, such as
// SH-2026-000123, in any letter case. One that does not exist is
// referral.NotFound().
func (db *DB) ReferralIDByReference(ctx context.Context, reference string) (string, error) {
	var id string
	err := db.r.QueryRowContext(ctx, `SELECT id FROM referrals WHERE reference = ?`, strings.ToUpper(strings.TrimSpace(reference))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", referral.NotFound()
	}
	return id, err
}

// ReferralOwner is the metadata that says whose a referral is: its
// reference and the subject of the officer who raised it. It loads nothing
// personal. One that does not exist is referral.NotFound().
func (db *DB) ReferralOwner(ctx context.Context, id string) (reference, officer string, err error) {
	err = db.r.QueryRowContext(ctx, `SELECT reference, officer FROM referrals WHERE id = ?`, id).Scan(&reference, &officer)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", referral.NotFound()
	}
	return reference, officer, err
}

// References returns the human reference of each of ids that is a referral;
// other ids (a MARAC case, say) are left out.
func (db *DB) References(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	seen := map[string]bool{}
	var args []any
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			args = append(args, id)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	rows, err := db.r.QueryContext(ctx, `SELECT id, reference FROM referrals WHERE id IN (?`+strings.Repeat(", ?", len(args)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, reference string
		if err := rows.Scan(&id, &reference); err != nil {
			return nil, err
		}
		out[id] = reference
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
)

// draftNotFound is the one answer for a draft that does not exist and for
// another officer's draft: the two must not be told apart.
func draftNotFound() *problem.Error {
	return problem.New(problem.NotFound, "Draft not found")
}

func draftContext(id string) string { return "draft/" + id }

// SaveDraft seals and stores an officer's draft: a new one when id is empty,
// else the officer's draft with that id, which must exist. It returns the
// draft's id.
func (db *DB) SaveDraft(ctx context.Context, officer identity.Principal, id string, sub referral.Submission) (string, error) {
	if db.keys == nil {
		return "", errors.New("no sealing keys")
	}
	if officer.Subject == "" {
		return "", errors.New("a draft needs an officer")
	}
	body, err := json.Marshal(sub)
	if err != nil {
		return "", err
	}
	now := timeText(db.Now())
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if id == "" {
			id = newID("d-")
			kid, sealed, err := db.keys.Seal(body, draftContext(id))
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO referral_drafts (id, officer, key_id, sealed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				id, officer.Subject, kid, sealed, now, now)
			return err
		}
		kid, sealed, err := db.keys.Seal(body, draftContext(id))
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE referral_drafts SET key_id = ?, sealed = ?, updated_at = ? WHERE id = ? AND officer = ?`,
			kid, sealed, now, id, officer.Subject)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return draftNotFound()
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// Draft opens one of the officer's drafts. Another officer's draft is not
// found, exactly as a draft that does not exist.
func (db *DB) Draft(ctx context.Context, officer, id string) (referral.SavedDraft, error) {
	ds, err := db.drafts(ctx, `WHERE id = ? AND officer = ?`, id, officer)
	if err != nil {
		return referral.SavedDraft{}, err
	}
	if len(ds) == 0 {
		return referral.SavedDraft{}, draftNotFound()
	}
	return ds[0], nil
}

// Drafts lists the officer's drafts, the last saved first.
func (db *DB) Drafts(ctx context.Context, officer string) ([]referral.SavedDraft, error) {
	return db.drafts(ctx, `WHERE officer = ? ORDER BY updated_at DESC, id`, officer)
}

// DeleteDraft throws away one of the officer's drafts.
func (db *DB) DeleteDraft(ctx context.Context, officer, id string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return deleteDraft(ctx, tx, officer, id) })
}

// deleteDraft deletes the officer's draft inside a transaction; CreateReferral
// calls it so that a referral is sent and its draft gone in one commit.
func deleteDraft(ctx context.Context, tx *sql.Tx, officer, id string) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM referral_drafts WHERE id = ? AND officer = ?`, id, officer)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return draftNotFound()
	}
	return nil
}

func (db *DB) drafts(ctx context.Context, where string, args ...any) ([]referral.SavedDraft, error) {
	if db.keys == nil {
		return nil, errors.New("no sealing keys")
	}
	rows, err := db.r.QueryContext(ctx, `SELECT id, officer, key_id, sealed, created_at, updated_at FROM referral_drafts `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []referral.SavedDraft
	for rows.Next() {
		var d referral.SavedDraft
		var kid, created, updated string
		var sealed []byte
		if err := rows.Scan(&d.ID, &d.Officer, &kid, &sealed, &created, &updated); err != nil {
			return nil, err
		}
		body, err := db.keys.Open(kid, sealed, draftContext(d.ID))
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(body, &d.Submission); err != nil {
			return nil, err
		}
		d.CreatedAt, d.UpdatedAt = parseTime(created), parseTime(updated)
		out = append(out, d)
	}
	return out, rows.Err()
}

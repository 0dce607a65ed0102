package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/url"
	"time"

	"github.com/stalking-hub/hub/internal/identity"
)

// Held forms: what a person typed and posted just after their session timed
// out, kept sealed for a few minutes so that it is not lost, and put back
// into the page when the same person has signed in again.

// TimedOutSession returns the session of token if it is still on record and
// has passed a timeout; nil if it is live or gone.
func (db *DB) TimedOutSession(ctx context.Context, token string, idle, absolute time.Duration) (*identity.LateSession, error) {
	var s identity.LateSession
	var created, seen string
	err := db.r.QueryRowContext(ctx, `SELECT subject, csrf, created_at, last_seen FROM sessions WHERE token_hash = ?`, HashToken(token)).
		Scan(&s.Subject, &s.CSRF, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := db.Now()
	if now.Sub(parseTime(seen)) > idle || now.Sub(parseTime(created)) > absolute {
		return &s, nil
	}
	return nil, nil
}

func heldContext(id, subject string) string { return "held/" + id + "/" + subject }

// HoldForm keeps a form for subject until ttl has passed; it returns the
// id that the browser's cookie carries.
func (db *DB) HoldForm(ctx context.Context, subject, path string, form url.Values, ttl time.Duration) (string, error) {
	if db.keys == nil {
		return "", errors.New("no sealing keys")
	}
	id := newID("h-")
	b, err := json.Marshal(form)
	if err != nil {
		return "", err
	}
	kid, sealed, err := db.keys.Seal(b, heldContext(id, subject))
	if err != nil {
		return "", err
	}
	now := db.Now().UTC()
	return id, db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM held_forms WHERE expires_at < ?`, timeText(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO held_forms (id, subject, path, key_id, sealed, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, subject, path, kid, sealed, timeText(now), timeText(now.Add(ttl)))
		return err
	})
}

// TakeHeldForm returns the form held under id for subject and path, and
// forgets it; false when there is none (another person's, another page's,
// expired or taken already).
func (db *DB) TakeHeldForm(ctx context.Context, id, subject, path string) (url.Values, bool, error) {
	var kid string
	var sealed []byte
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `DELETE FROM held_forms WHERE id = ? AND subject = ? AND path = ? AND expires_at >= ? RETURNING key_id, sealed`,
			id, subject, path, timeText(db.Now())).Scan(&kid, &sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil || sealed == nil {
		return nil, false, err
	}
	b, err := db.keys.Open(kid, sealed, heldContext(id, subject))
	if err != nil {
		return nil, false, err
	}
	var form url.Values
	if err := json.Unmarshal(b, &form); err != nil {
		return nil, false, err
	}
	return form, true, nil
}

// KeepSessionAlive records that the person behind a live session token is
// still there now: "Stay signed in". TouchSession writes at most once a
// minute; this always writes.
func (db *DB) KeepSessionAlive(ctx context.Context, token string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE token_hash = ?`, timeText(db.Now()), HashToken(token))
		return err
	})
}

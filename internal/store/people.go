package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// NotePerson records the name (and agency) a person signed in under, when it
// differs from the last one recorded for them.
func (db *DB) NotePerson(ctx context.Context, subject, name, agency string, at time.Time) error {
	if subject == "" || name == "" {
		return nil
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var last, lastAgency string
		err := tx.QueryRowContext(ctx, `SELECT name, agency FROM people WHERE subject = ? ORDER BY seen_from DESC LIMIT 1`, subject).Scan(&last, &lastAgency)
		if err == nil && last == name && lastAgency == agency {
			return nil
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO people (subject, name, agency, seen_from) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, subject, name, agency, timeText(at))
		return err
	})
}

// PersonName is the name subject was known by at the time: the last name
// recorded then, else the first recorded after; "" for someone never seen.
func (db *DB) PersonName(ctx context.Context, subject string, at time.Time) (string, error) {
	var name string
	err := db.r.QueryRowContext(ctx, `SELECT name FROM people WHERE subject = ?
		ORDER BY CASE WHEN seen_from <= ? THEN 0 ELSE 1 END, CASE WHEN seen_from <= ? THEN seen_from END DESC, seen_from LIMIT 1`,
		subject, timeText(at), timeText(at)).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return name, err
}

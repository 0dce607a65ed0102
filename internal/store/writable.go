package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrCannotWrite marks a write the database could not take: the disk is
// full, the file is read-only or failing, or the lock was held past the
// busy timeout. Nothing of the write was saved, and it may succeed later;
// the web answers it 503 with Retry-After.
var ErrCannotWrite = errors.New("the database cannot take writes")

// cannotWrite reports whether err is the database refusing a write for a
// reason of the machine rather than of the data.
func cannotWrite(err error) bool {
	if pgCannotWrite(err) {
		return true
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED,
		sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
		return true
	}
	return false
}

// pgCannotWrite reports whether err is PostgreSQL refusing a write for a
// reason of the machine: the disk full (53100), out of memory or
// connections (53200, 53300), a read-only transaction or standby (25006),
// a lock not available (55P03), the server shutting down (57P01..57P03),
// or the connection lost (class 08, or no answer at all).
func pgCannotWrite(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "53100", "53200", "53300", "25006", "55P03", "57P01", "57P02", "57P03":
			return true
		}
		return strings.HasPrefix(pe.Code, "08")
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || pgconn.Timeout(err) && !errors.Is(err, context.Canceled)
}

// Hooks tell monitoring what the store sees; a nil field is not called.
type Hooks struct {
	// AuditBatch hears how many entries each group commit wrote.
	AuditBatch func(entries int)
	// DBError hears each failed write of the database's own making:
	// "cannot_write" (ErrCannotWrite) or "other".
	DBError func(kind string)
}

// SetHooks sets the monitoring hooks; call it before serving.
func (db *DB) SetHooks(h Hooks) { db.hooks = h }

// noteWrite keeps the database's writability as the last write found it and
// marks err with ErrCannotWrite when it is the machine's refusal.
func (db *DB) noteWrite(err error) error {
	var se *sqlite.Error
	var pe *pgconn.PgError
	switch {
	case err == nil:
		db.unwritable.Store(false)
	case cannotWrite(err):
		db.unwritable.Store(true)
		if db.hooks.DBError != nil {
			db.hooks.DBError("cannot_write")
		}
		return fmt.Errorf("%w: %w", ErrCannotWrite, err)
	case (errors.As(err, &se) || errors.As(err, &pe)) && db.hooks.DBError != nil:
		db.hooks.DBError("other")
	}
	return err
}

// writable answers whether the database takes writes: while the last write
// failed for want of the machine, it tries a write of its own.
func (db *DB) writable(ctx context.Context) error {
	if !db.unwritable.Load() {
		return nil
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO write_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`, timeText(db.Now()))
		return err
	})
}

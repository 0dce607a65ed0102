package store

import (
	"context"
	"database/sql"
	"net/url"
	"os"
)

// CheckpointWAL copies the WAL into the database and truncates it to
// nothing, when it can do so at once: a reader still on an older snapshot
// or a writer mid-transaction makes it give up (busy) until the next time,
// rather than hold the writers back. It returns the WAL's size after.
// On PostgreSQL, which checkpoints on its own, it does nothing.
func (db *DB) CheckpointWAL(ctx context.Context) (busy bool, walBytes int64, err error) {
	if db.pg {
		return false, 0, nil
	}
	// A connection of its own with a short busy timeout: TRUNCATE waits for
	// readers while holding the write lock, and the writers must not wait
	// with it for long.
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: db.path}).EscapedPath()+"?_pragma=busy_timeout(200)")
	if err != nil {
		return false, 0, err
	}
	defer conn.Close()
	var blocked, frames, copied int
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&blocked, &frames, &copied); err != nil {
		if cannotWrite(err) {
			return true, db.WALSize(), nil
		}
		return false, 0, err
	}
	return blocked == 1, db.WALSize(), nil
}

// WALSize is the size of the database's WAL file in bytes (0 when none).
func (db *DB) WALSize() int64 {
	if db.pg {
		return 0
	}
	st, err := os.Stat(db.path + "-wal")
	if err != nil {
		return 0
	}
	return st.Size()
}

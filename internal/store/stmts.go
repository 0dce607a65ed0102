package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps the statements of the read paths every request takes
// (loading a referral, a list page, a bearer token's memberships) prepared
// on the reader pool. SQLite takes about as long to parse a statement as to
// run a small one; database/sql keeps a prepared statement on each
// connection that has used it.
//
// A statement is prepared for the cache in the background, by a goroutine
// that holds no connection: a reader inside a transaction holds one, and if
// every reader waited for a connection to prepare on, none would be free.
type stmtCache struct {
	mu        sync.Mutex
	stmts     map[string]*sql.Stmt
	preparing map[string]bool
}

// cached returns the prepared statement of query, or nil after starting to
// prepare it for next time.
func (db *DB) cached(query string) *sql.Stmt {
	c := &db.readStmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[query]; ok {
		return s
	}
	if !c.preparing[query] {
		if c.preparing == nil {
			c.preparing, c.stmts = map[string]bool{}, map[string]*sql.Stmt{}
		}
		c.preparing[query] = true
		go db.prepare(query)
	}
	return nil
}

// prepare prepares query on the reader pool and keeps it. A failure is
// left for the next use to meet, unprepared, and report.
func (db *DB) prepare(query string) {
	s, err := db.r.Prepare(query)
	c := &db.readStmts
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.preparing, query)
	if err == nil {
		c.stmts[query] = s
	}
}

// readQuery runs a query of the read paths in tx, a transaction of the
// reader pool, or on the pool when tx is nil: prepared when it can be.
func (db *DB) readQuery(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if tx != nil && tx == db.writerTx.Load() {
		return tx.QueryContext(ctx, query, args...)
	}
	s := db.cached(query)
	switch {
	case s != nil && tx != nil:
		return tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	case s != nil:
		return s.QueryContext(ctx, args...)
	case tx != nil:
		return tx.QueryContext(ctx, query, args...)
	}
	return db.r.QueryContext(ctx, query, args...)
}

// readRow is readQuery for a query of one row, in tx.
// In the writer's transaction (writerTx) both run unprepared: the cached
// statements belong to the reader pool.
func (db *DB) readRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if tx != nil && tx == db.writerTx.Load() {
		return tx.QueryRowContext(ctx, query, args...)
	}
	if s := db.cached(query); s != nil {
		return tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

// readTx is a read transaction whose queries use the prepared statements,
// for helpers that take anything with QueryContext.
type readTx struct {
	db *DB
	tx *sql.Tx
}

// QueryContext runs query in the transaction through a prepared statement.
func (r readTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return r.db.readQuery(ctx, r.tx, query, args...)
}

// QueryRowContext runs a query of one row in the transaction through a
// prepared statement.
func (r readTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return r.db.readRow(ctx, r.tx, query, args...)
}

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

// cached returns the prepared statement of query on the reader pool, or nil
// after starting to prepare it for next time.
func (db *DB) cached(query string) *sql.Stmt { return cachedOn(&db.readStmts, db.r, query) }

// cachedOn is cached for the statements c keeps on pool. The writer's
// cache (DB.writerReads) holds the read paths a write runs (a create loading
// its referral back for the release); the goroutine that prepares one waits
// for the writer connection holding nothing, and takes it once free.
func cachedOn(c *stmtCache, pool *sql.DB, query string) *sql.Stmt {
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
		go c.prepare(pool, query)
	}
	return nil
}

// prepare prepares query on pool and keeps it. A failure is left for the
// next use to meet, unprepared, and report.
func (c *stmtCache) prepare(pool *sql.DB, query string) {
	s, err := pool.Prepare(query)
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
		if s := cachedOn(&db.writerReads, db.w, query); s != nil {
			return tx.StmtContext(ctx, s).QueryContext(ctx, args...)
		}
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
// In the writer's transaction (writerTx) both use the statements prepared on
// the writer (writerReads), not the reader pool's.
func (db *DB) readRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if tx != nil && tx == db.writerTx.Load() {
		if s := cachedOn(&db.writerReads, db.w, query); s != nil {
			return tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
		}
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

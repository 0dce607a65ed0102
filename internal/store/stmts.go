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
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// prepared returns query prepared on the reader pool.
func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	c := &db.readStmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[query]; ok {
		return s, nil
	}
	s, err := db.r.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = s
	return s, nil
}

// readQuery runs a query of the read paths in tx, a transaction of the
// reader pool, or on the pool when tx is nil.
func (db *DB) readQuery(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	s, err := db.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if tx != nil {
		s = tx.StmtContext(ctx, s)
	}
	return s.QueryContext(ctx, args...)
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

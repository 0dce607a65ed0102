package store

import (
	"context"
	"database/sql"
)

// The statements every referral's creation and every audit append run are
// prepared once on the writer connection, when the schema is ready
// (Migrate), and kept. Parsing them, and compiling the report triggers they
// fire (migration 0008), would otherwise take a good part of each create.
// They cannot be prepared when first used, as the read statements are: the
// one writer connection is then held by the transaction that wants them.
var createStatements = append([]string{
	insertReferral, insertShare, insertConsent, insertSection, insertEvent, takeReference,
	selectAuditHead, upsertAuditHead, selectLastCheckpoint, insertAuditEntry, insertAuditHash,
	selectCounted, selectCountedReferral, selectCountedShares, selectCountedStrands, selectCountedEquality, selectCountedUpdates,
	selectLaterVictim, selectLaterSuspect, upsertCounted,
}, countStatements...)

// prepareWrites prepares createStatements on the writer connection. A
// statement that does not prepare is left to run unprepared, where its
// error will show.
func (db *DB) prepareWrites(ctx context.Context) {
	stmts := map[string]*sql.Stmt{}
	for _, q := range createStatements {
		if s, err := db.w.PrepareContext(ctx, q); err == nil {
			stmts[q] = s
		}
	}
	if old := db.writeStmts.Swap(&stmts); old != nil {
		for _, s := range *old {
			s.Close()
		}
	}
}

// writeStmt is query's prepared statement for tx, or nil.
func (db *DB) writeStmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	if m := db.writeStmts.Load(); m != nil {
		if s := (*m)[query]; s != nil {
			return tx.StmtContext(ctx, s)
		}
	}
	return nil
}

// exec runs a write in tx, prepared when it is one of createStatements.
func (db *DB) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if s := db.writeStmt(ctx, tx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// query is exec for a read in a write that returns rows.
func (db *DB) query(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if s := db.writeStmt(ctx, tx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, query, args...)
}

// queryRow is exec for a write that returns a row.
func (db *DB) queryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if s := db.writeStmt(ctx, tx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// CopiedTable is one table CopyInto copied and the rows it holds.
type CopiedTable struct {
	Name string
	Rows int64
}

// CopyInto copies every row of db, a SQLite hub database, into dst, a
// PostgreSQL hub database that holds nothing yet; both must be at the
// schema version this binary knows (migrate both first). Everything is read
// from one snapshot of db and written in one transaction of dst under the
// write lock every replica takes, so a replica started meanwhile waits, and
// a copy that fails leaves dst as empty as it was. Rows are copied as they
// are stored, sealed values and the audit log's hashes byte for byte: the
// copy opens with the same keys, and its audit log verifies against the
// same signed checkpoints. Identity columns then continue after the highest
// value copied. progress, when set, is told of each table once copied.
//
// The tables and their columns are PostgreSQL's, in the order of their
// foreign keys; TestPostgresSchemaEqualsSQLite keeps SQLite's the same.
func (db *DB) CopyInto(ctx context.Context, dst *DB, progress func(CopiedTable)) ([]CopiedTable, error) {
	if db.pg || !dst.pg {
		return nil, errors.New("a copy goes from a SQLite database into a PostgreSQL one")
	}
	for _, d := range []*DB{db, dst} {
		v, err := d.Version(ctx)
		if err != nil {
			return nil, err
		}
		if v != d.LatestVersion() {
			return nil, fmt.Errorf("a database is at schema version %d, this hub's is %d: migrate it first", v, d.LatestVersion())
		}
	}
	src, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer src.Rollback()
	conn, err := dst.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var copied []CopiedTable
	err = conn.Raw(func(dc any) error {
		pc, ok := dc.(*pgConn)
		if !ok {
			return fmt.Errorf("the PostgreSQL connection is a %T", dc)
		}
		tx, err := pc.Conn.Conn().Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLockKey); err != nil {
			return err
		}
		tables, err := pgTablesInOrder(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range tables {
			var some bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+pgx.Identifier{t}.Sanitize()+`)`).Scan(&some); err != nil {
				return err
			}
			if some {
				return fmt.Errorf("the PostgreSQL database already holds data (table %s): copy into a new, empty database", t)
			}
		}
		for _, t := range tables {
			n, err := copyTable(ctx, src, tx, t)
			if err != nil {
				return fmt.Errorf("table %s: %w", t, err)
			}
			copied = append(copied, CopiedTable{Name: t, Rows: n})
			if progress != nil {
				progress(copied[len(copied)-1])
			}
		}
		if err := continueIdentities(ctx, tx); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		return nil, err
	}
	// The planner's statistics for what was just written, as autovacuum
	// would gather them in its own time.
	if _, err := conn.ExecContext(ctx, `ANALYZE`); err != nil {
		return copied, err
	}
	return copied, nil
}

// pgTablesInOrder names the hub's tables on PostgreSQL, each after every
// table its foreign keys refer to (schema_migrations aside: the copy's own
// migrations wrote it).
func pgTablesInOrder(ctx context.Context, tx pgx.Tx) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations' ORDER BY c.relname`)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, `SELECT c.relname, p.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = k.connamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	refers := map[string][]string{}
	var child, parent string
	if _, err := pgx.ForEachRow(rows, []any{&child, &parent}, func() error {
		if child != parent {
			refers[child] = append(refers[child], parent)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return dependencyOrder(names, refers)
}

// dependencyOrder is names with each after the names it refers to, and
// otherwise in the order given.
func dependencyOrder(names []string, refers map[string][]string) ([]string, error) {
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var out []string
	var visit func(string) error
	visit = func(n string) error {
		switch state[n] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("the foreign keys of table %s go round in a circle", n)
		}
		state[n] = visiting
		parents := append([]string(nil), refers[n]...)
		sort.Strings(parents)
		for _, p := range parents {
			if err := visit(p); err != nil {
				return err
			}
		}
		state[n] = done
		out = append(out, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pgColumn is one column of a table on PostgreSQL and its type.
type pgColumn struct{ name, typ string }

// copyTable copies every row of table from SQLite's snapshot src into tx
// with COPY, and says how many.
func copyTable(ctx context.Context, src *sql.Tx, tx pgx.Tx, table string) (int64, error) {
	rows, err := tx.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`, table)
	if err != nil {
		return 0, err
	}
	var cols []pgColumn
	var c pgColumn
	if _, err := pgx.ForEachRow(rows, []any{&c.name, &c.typ}, func() error {
		cols = append(cols, c)
		return nil
	}); err != nil {
		return 0, err
	}
	names := make([]string, len(cols))
	quoted := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
		quoted[i] = `"` + c.name + `"`
	}
	r, err := src.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM "`+table+`"`)
	if err != nil {
		return 0, fmt.Errorf("read it from SQLite: %w", err)
	}
	defer r.Close()
	return tx.CopyFrom(ctx, pgx.Identifier{table}, names, &sqliteRows{rows: r, cols: cols})
}

// sqliteRows feeds COPY from SQLite's rows, each value as the type its
// PostgreSQL column takes.
type sqliteRows struct {
	rows *sql.Rows
	cols []pgColumn
	err  error
}

func (s *sqliteRows) Next() bool { return s.err == nil && s.rows.Next() }

func (s *sqliteRows) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}

func (s *sqliteRows) Values() ([]any, error) {
	vals := make([]any, len(s.cols))
	ptrs := make([]any, len(s.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := s.rows.Scan(ptrs...); err != nil {
		s.err = err
		return nil, err
	}
	for i, c := range s.cols {
		v, err := asPostgres(vals[i], c.typ)
		if err != nil {
			// The column, never the value: it may be a person's.
			s.err = fmt.Errorf("column %s: %w", c.name, err)
			return nil, s.err
		}
		vals[i] = v
	}
	return vals, nil
}

// asPostgres is v, a value SQLite gave, as the Go type a PostgreSQL column
// of type typ takes; an error when it cannot be one without loss.
func asPostgres(v any, typ string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch typ {
	case "text":
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
	case "bytea":
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	case "bigint", "integer", "smallint":
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), nil
			}
		case string:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return n, nil
			}
		}
	case "double precision", "real", "numeric":
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		}
	}
	return nil, fmt.Errorf("SQLite holds a %T where PostgreSQL has %s", v, typ)
}

// continueIdentities sets each identity column's sequence to give the
// next value after the highest in its table.
func continueIdentities(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name`)
	if err != nil {
		return err
	}
	type identity struct{ table, column string }
	var ids []identity
	var id identity
	if _, err := pgx.ForEachRow(rows, []any{&id.table, &id.column}, func() error {
		ids = append(ids, id)
		return nil
	}); err != nil {
		return err
	}
	for _, id := range ids {
		col := pgx.Identifier{id.column}.Sanitize()
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(`+col+`), 1), MAX(`+col+`) IS NOT NULL) FROM `+pgx.Identifier{id.table}.Sanitize(),
			pgx.Identifier{id.table}.Sanitize(), id.column); err != nil {
			return fmt.Errorf("table %s: continue %s: %w", id.table, id.column, err)
		}
	}
	return nil
}

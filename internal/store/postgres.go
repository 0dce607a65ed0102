package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// writeLockKey is the advisory lock every write transaction on PostgreSQL
// takes first, so that writes across replicas are serialised as SQLite
// serialises them: the audit log's order, gapless references and the
// "already done" checks hold with no other change.
const writeLockKey int64 = 0x6875622d77726974 // "hub-writ"

// OpenPostgres opens the PostgreSQL database at url (postgres:// or
// postgresql://) with one writer connection and a pool of n readers, each
// reader transaction one repeatable-read snapshot. It does not migrate; call
// Migrate.
func OpenPostgres(url string, readers int) (*DB, error) {
	wc, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's message quotes the URL, password and all: name the key and
		// the cause only.
		var pe *pgconn.ParseConfigError
		if errors.As(err, &pe) && pe.Unwrap() != nil {
			return nil, fmt.Errorf("database.url: not a PostgreSQL URL: %w", pe.Unwrap())
		}
		return nil, errors.New("database.url: not a PostgreSQL URL")
	}
	rc := wc.Copy()
	wc.RuntimeParams["default_transaction_isolation"] = "read committed"
	// A write waits for the write lock as long as SQLite's busy timeout,
	// then fails as the machine's refusal (55P03, ErrCannotWrite: 503 with
	// Retry-After) rather than hang behind a stuck replica. The URL may set
	// another (lock_timeout=...).
	if _, ok := wc.RuntimeParams["lock_timeout"]; !ok {
		wc.RuntimeParams["lock_timeout"] = "10s"
	}
	rc.RuntimeParams["default_transaction_isolation"] = "repeatable read"
	queries := &rebinder{}
	w := sql.OpenDB(pgConnector{stdlib.GetConnector(*wc), queries})
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open the PostgreSQL database: %w", err)
	}
	r := sql.OpenDB(pgConnector{stdlib.GetConnector(*rc), queries})
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	return &DB{w: w, r: r, pg: true, schema: mustSub(pgMigrationFiles, "migrations_postgres"), Now: time.Now}, nil
}

// PostgresSchema is a digest of the PostgreSQL migrations this binary has,
// naming a schema built from them (tests keep a template database by it).
func PostgresSchema() string {
	ms, err := readMigrations(mustSub(pgMigrationFiles, "migrations_postgres"))
	if err != nil {
		return "unreadable"
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%s %s\n", m.name, m.checksum)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Postgres reports whether the database is PostgreSQL (not SQLite).
func (db *DB) Postgres() bool { return db.pg }

// beginWrite starts a transaction of the writer; on PostgreSQL it first
// takes the write lock shared by every replica.
func (db *DB) beginWrite(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	if db.pg {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, writeLockKey); err != nil {
			tx.Rollback()
			return nil, err
		}
	}
	return tx, nil
}

// claimTx runs fn in a transaction of the writer for claiming work (the
// outbox, webhook deliveries). On PostgreSQL it takes neither the write
// lock nor the writer connection: a read-committed transaction of the
// pool, whose claim locks its rows with FOR UPDATE SKIP LOCKED, so claims
// of several replicas neither wait for writes nor take the same row. On
// SQLite it is inTx.
func (db *DB) claimTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if !db.pg || db.batch.Load() != nil {
		return db.inTx(ctx, fn)
	}
	return db.noteWrite(func() error {
		tx, err := db.r.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
		if err != nil {
			return err
		}
		return commitIf(tx, fn)
	}())
}

// rebinder rewrites the store's SQL, written with ? placeholders, into
// PostgreSQL's $1..$n, once per query text.
type rebinder struct{ done sync.Map }

func (r *rebinder) rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	if s, ok := r.done.Load(q); ok {
		return s.(string)
	}
	s := rebind(q)
	r.done.Store(q, s)
	return s
}

// rebind numbers the ? placeholders of q outside string literals, quoted
// identifiers, dollar-quoted bodies and comments.
func rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c { // '' or "" inside
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(q))
			b.WriteString(q[i:end])
			i = end - 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			end := len(q)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(q[i:end])
			i = end - 1
		case c == '$' && dollarTag(q[i:]) != "":
			tag := dollarTag(q[i:])
			j := strings.Index(q[i+len(tag):], tag)
			end := len(q)
			if j >= 0 {
				end = i + len(tag) + j + len(tag)
			}
			b.WriteString(q[i:end])
			i = end - 1
		case c == '?':
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// dollarTag is the $tag$ that opens a dollar-quoted string at the start of
// s, or "" ($1 is a parameter, not a tag).
func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '$':
			return s[:j+1]
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 1 && c >= '0' && c <= '9':
		default:
			return ""
		}
	}
	return ""
}

// pgConnector makes the connections of a pool, each rewriting the store's SQL.
type pgConnector struct {
	inner   driver.Connector
	queries *rebinder
}

// Connect opens one connection.
func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{Conn: conn.(*stdlib.Conn), queries: c.queries}, nil
}

// Driver is pgx's database/sql driver.
func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is one pgx connection whose queries are rebound and whose bool
// arguments are written as 0/1, as the schema keeps booleans.
type pgConn struct {
	*stdlib.Conn
	queries *rebinder
}

// Prepare prepares the rebound query.
func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(context.Background(), c.queries.rebind(query))
}

// PrepareContext prepares the rebound query.
func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, c.queries.rebind(query))
}

// ExecContext runs the rebound query.
func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, c.queries.rebind(query), args)
}

// QueryContext runs the rebound query.
func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, c.queries.rebind(query), args)
}

// CheckNamedValue writes a bool as the integer 0 or 1 and passes the rest
// to pgx as they are.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	// Valuers and named types first (sql.NullBool, a string kind), as
	// database/sql does for drivers that do not check values.
	if v, err := driver.DefaultParameterConverter.ConvertValue(nv.Value); err == nil {
		nv.Value = v
	}
	if v, ok := nv.Value.(bool); ok {
		nv.Value = int64(0)
		if v {
			nv.Value = int64(1)
		}
	}
	return nil
}

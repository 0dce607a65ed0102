package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/pgtest"
)

// The store's ? placeholders become $n everywhere but inside literals,
// quoted names, dollar-quoted bodies and comments.
func TestRebind(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT * FROM t WHERE a = ? AND b = ?`, `SELECT * FROM t WHERE a = $1 AND b = $2`},
		{`SELECT '?', "a?b", ? FROM t`, `SELECT '?', "a?b", $1 FROM t`},
		{`SELECT 'it''s ?', ?`, `SELECT 'it''s ?', $1`},
		{`SELECT "x""?", ?`, `SELECT "x""?", $1`},
		{"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"},
		{`SELECT /* ? */ ?`, `SELECT /* ? */ $1`},
		{`DO $$ BEGIN PERFORM '?'; END $$; SELECT ?`, `DO $$ BEGIN PERFORM '?'; END $$; SELECT $1`},
		{`SELECT $body$ ? $body$, ?`, `SELECT $body$ ? $body$, $1`},
		{`VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM c WHERE id = ?))`, `VALUES ($1, $2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM c WHERE id = $3))`},
		{`SELECT 'unterminated ?`, `SELECT 'unterminated ?`},
	} {
		if got := rebind(c.in); got != c.want {
			t.Errorf("rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// openBare opens an empty database of the backend, not migrated.
func openBare(t *testing.T, backend string) *DB {
	t.Helper()
	var db *DB
	var err error
	switch backend {
	case "sqlite":
		db, err = Open(filepath.Join(t.TempDir(), "hub.db"), 2)
	case "postgres":
		db, err = OpenPostgres(pgtest.Database(t, "hub_i15_store"), 2)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A migration changed, renamed or removed after it was applied stops the
// start naming the file, and a newer schema is refused, on both backends.
func TestChangedMigrationRefusedOnBothBackends(t *testing.T) {
	ctx := context.Background()
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			db := openBare(t, backend)
			first := &fstest.MapFile{Data: []byte("CREATE TABLE a (x BIGINT);")}
			if backend == "sqlite" { // SQLite's schema_migrations gains its checksum in a migration (0009)
				first.Data = append(first.Data, "ALTER TABLE schema_migrations ADD COLUMN checksum TEXT NOT NULL DEFAULT '';"...)
			}
			second := &fstest.MapFile{Data: []byte("CREATE TABLE b (x BIGINT);")}
			db.schema = fstest.MapFS{"0001_a.sql": first, "README.md": {Data: []byte("not a migration")}}
			if n, err := db.Migrate(ctx); err != nil || n != 1 {
				t.Fatalf("first: %d, %v", n, err)
			}
			db.schema = fstest.MapFS{"0001_a.sql": first, "0002_b.sql": second}
			if n, err := db.Migrate(ctx); err != nil || n != 1 {
				t.Fatalf("second: %d, %v", n, err)
			}
			if n, err := db.Migrate(ctx); err != nil || n != 0 {
				t.Fatalf("again: %d, %v", n, err)
			}
			if err := db.Ready(ctx); err != nil && !strings.Contains(err.Error(), "write") {
				t.Fatalf("ready: %v", err)
			}
			for _, c := range []struct {
				name   string
				schema fstest.MapFS
				want   error
				names  string
			}{
				{"changed", fstest.MapFS{"0001_a.sql": {Data: append([]byte("-- edited\n"), first.Data...)}, "0002_b.sql": second}, ErrMigrationChanged, "0001_a.sql"},
				{"renamed", fstest.MapFS{"0001_a.sql": first, "0002_bee.sql": second}, ErrMigrationChanged, "0002_bee.sql"},
				{"unknown", fstest.MapFS{"0001_a.sql": first, "0003_c.sql": second}, ErrMigrationChanged, "0002_b.sql"},
				{"newer", fstest.MapFS{"0001_a.sql": first}, ErrSchemaNewer, "database 2"},
			} {
				db.schema = c.schema
				_, err := db.Migrate(ctx)
				if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.names) {
					t.Errorf("%s: %v, want %v naming %s", c.name, err, c.want, c.names)
				}
			}
		})
	}
}

// On PostgreSQL a bool argument is stored as the integer the schema keeps,
// and a write transaction of one replica waits for another's.
func TestPostgresWriterSemantics(t *testing.T) {
	ctx := context.Background()
	u := pgtest.Database(t, "hub_i15_store")
	a, err := OpenPostgres(u, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := OpenPostgres(u, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if !a.Postgres() {
		t.Fatal("Postgres() is false")
	}
	if _, err := a.w.ExecContext(ctx, `CREATE TABLE flags (id BIGINT PRIMARY KEY, on_ BIGINT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.w.ExecContext(ctx, `INSERT INTO flags VALUES (?, ?), (?, ?)`, 1, true, 2, sql.NullBool{Bool: false, Valid: true}); err != nil {
		t.Fatal(err)
	}
	var on, off bool
	if err := a.r.QueryRowContext(ctx, `SELECT (SELECT on_ FROM flags WHERE id = 1), (SELECT on_ FROM flags WHERE id = 2)`).Scan(&on, &off); err != nil || !on || off {
		t.Fatalf("bools read back %v %v, %v", on, off, err)
	}

	held := make(chan struct{})
	release := make(chan struct{})
	done := make(chan time.Time, 1)
	go a.writeTx(ctx, func(tx *sql.Tx) error {
		close(held)
		<-release
		_, err := tx.ExecContext(ctx, `UPDATE flags SET on_ = 5 WHERE id = 1`)
		return err
	})
	<-held
	go func() {
		b.writeTx(ctx, func(tx *sql.Tx) error {
			var v int
			err := tx.QueryRowContext(ctx, `SELECT on_ FROM flags WHERE id = 1`).Scan(&v)
			if v != 5 {
				err = errors.New("the second writer did not see the first's commit")
			}
			done <- time.Now()
			return err
		})
	}()
	select {
	case <-done:
		t.Fatal("a second replica's write ran while the first held the write lock")
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the second writer never ran")
	}
}

// PostgreSQL's refusals for want of the machine are ErrCannotWrite, as
// SQLite's are; a refusal of the data is not.
func TestPostgresCannotWrite(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "53100"}, true},
		{&pgconn.PgError{Code: "25006"}, true},
		{&pgconn.PgError{Code: "55P03"}, true},
		{&pgconn.PgError{Code: "57P01"}, true},
		{&pgconn.PgError{Code: "08006"}, true},
		{fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "08000"}), true},
		{driver.ErrBadConn, true},
		{&net.OpError{Op: "read", Err: errors.New("connection reset")}, true},
		{&pgconn.PgError{Code: "23505"}, false},
		{&pgconn.PgError{Code: "23503"}, false},
		{&pgconn.PgError{Code: "42P01"}, false},
		{sql.ErrNoRows, false},
		{context.Canceled, false},
	} {
		if got := cannotWrite(c.err); got != c.want {
			t.Errorf("cannotWrite(%v) = %v, want %v", c.err, got, c.want)
		}
	}

	ctx := context.Background()
	db := openBare(t, "postgres")
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE t (x BIGINT)`); err != nil {
		t.Fatal(err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `SET TRANSACTION READ ONLY`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO t VALUES (?)`, 1)
		return err
	})
	if !errors.Is(err, ErrCannotWrite) || !db.unwritable.Load() {
		t.Fatalf("a read-only transaction's write: %v, want ErrCannotWrite", err)
	}
	if err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO t VALUES (?)`, 1)
		return err
	}); err != nil || db.unwritable.Load() {
		t.Fatalf("the next write: %v, unwritable %v", err, db.unwritable.Load())
	}
}

// On PostgreSQL two replicas claiming the outbox at once never take the same
// notification, and a claim does not wait for the write lock another
// replica holds.
func TestPostgresClaimsSkipLocked(t *testing.T) {
	if !onPostgres(t) {
		t.Skip("about PostgreSQL; runs in the PostgreSQL pass")
	}
	ctx := context.Background()
	a := migrated(t)
	u := pgURL(t, a)
	b, err := OpenPostgres(u, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i := range 40 {
		if err := a.Enqueue(ctx, message(fmt.Sprintf("SH-2026-%06d", i+1))); err != nil {
			t.Fatal(err)
		}
	}
	// a holds the write lock while both claim.
	held, release := make(chan struct{}), make(chan struct{})
	go a.writeTx(ctx, func(tx *sql.Tx) error {
		close(held)
		<-release
		return nil
	})
	<-held
	defer close(release)
	seen := map[int64]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, db := range []*DB{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c, cancel := context.WithTimeout(ctx, 5*time.Second)
				ns, err := db.ClaimDue(c, t0, time.Minute, 3)
				cancel()
				if err != nil {
					t.Error(err)
					return
				}
				if len(ns) == 0 {
					return
				}
				mu.Lock()
				for _, n := range ns {
					seen[n.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 40 {
		t.Fatalf("%d notifications claimed, want 40", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("notification %d claimed %d times", id, n)
		}
	}
}

// pgURL is the URL of db's PostgreSQL database.
func pgURL(t *testing.T, db *DB) string {
	t.Helper()
	var name string
	if err := db.r.QueryRow(`SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return strings.Replace(pgtest.URL(t), "/postgres?", "/"+name+"?", 1)
}

// Two replicas appending to one audit log on PostgreSQL keep one order: each
// takes up the head the other moved, checkpoints are signed over the one
// tree, and the log verifies with every entry in it.
func TestPostgresAuditAcrossReplicas(t *testing.T) {
	if !onPostgres(t) {
		t.Skip("about PostgreSQL; runs in the PostgreSQL pass")
	}
	ctx := context.Background()
	s, v, err := audit.LoadOrCreateKey(filepath.Join(t.TempDir(), "audit.key"), "hub-test-audit")
	if err != nil {
		t.Fatal(err)
	}
	a := migrated(t)
	b, err := OpenPostgres(pgURL(t, a), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, db := range []*DB{a, b} {
		if err := db.SetAuditSigner(s, v, 7, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	// Turn by turn: each append finds the head the other replica moved.
	for i := range 6 {
		if err := []*DB{a, b}[i%2].Audit(ctx, releaseEntry("idp|turn", i)); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	// Then at once.
	var wg sync.WaitGroup
	for r, db := range []*DB{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				if err := db.Audit(ctx, releaseEntry(fmt.Sprintf("idp|replica%d", r), i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, db := range []*DB{a, b} {
		report, err := db.VerifyAudit(ctx, nil)
		if err != nil || !report.OK() || report.Entries != 66 {
			t.Fatalf("verify: %v, %s, %d entries, want 66", err, report.String(), report.Entries)
		}
	}
	var checkpoints int
	if err := a.r.QueryRow(`SELECT COUNT(*) FROM audit_checkpoints`).Scan(&checkpoints); err != nil || checkpoints == 0 {
		t.Fatalf("%d checkpoints, %v", checkpoints, err)
	}
}

// A URL pgx cannot read is refused naming the key, never quoting the URL
// with its password.
func TestOpenPostgresBadURL(t *testing.T) {
	for _, u := range []string{"postgres://hub:s3cret@127.0.0.1:notaport/hub", "postgres://hub:s3cret@[::1/hub"} {
		_, err := OpenPostgres(u, 1)
		if err == nil || !strings.HasPrefix(err.Error(), "database.url: ") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("OpenPostgres(%q): %v", u, err)
		}
	}
}

// A write that cannot have the write lock within lock_timeout (10s unless
// the URL says otherwise) fails as ErrCannotWrite, as a SQLite write past
// its busy timeout does, and the next write succeeds.
func TestPostgresWriteLockTimeout(t *testing.T) {
	ctx := context.Background()
	u := pgtest.Database(t, testPrefix())
	a, err := OpenPostgres(u, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := OpenPostgres(u+"&lock_timeout=300ms", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- a.inTx(ctx, func(tx *sql.Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	err = b.inTx(ctx, func(tx *sql.Tx) error { return nil })
	close(release)
	if !errors.Is(err, ErrCannotWrite) {
		t.Fatalf("a write behind a held lock: %v, want ErrCannotWrite", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := b.inTx(ctx, func(tx *sql.Tx) error { return nil }); err != nil || b.unwritable.Load() {
		t.Fatalf("the next write: %v", err)
	}
}

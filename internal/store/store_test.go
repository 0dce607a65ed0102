package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/pgtest"
)

// onPostgres reports whether the suite runs on PostgreSQL
// (HUB_TEST_BACKEND=postgres, as storetest reads it; storetest itself
// imports this package, so the package's own tests cannot use it).
func onPostgres(t testing.TB) bool {
	t.Helper()
	switch b := os.Getenv("HUB_TEST_BACKEND"); b {
	case "", "sqlite":
		return false
	case "postgres":
		return true
	default:
		t.Fatalf("HUB_TEST_BACKEND=%q: want sqlite or postgres", b)
		return false
	}
}

// sqliteOnly skips a test about SQLite itself on the PostgreSQL pass.
func sqliteOnly(t testing.TB) {
	t.Helper()
	if onPostgres(t) {
		t.Skip("about SQLite only; runs in the SQLite pass")
	}
}

// openSQLite is an empty SQLite store, whatever the suite's backend.
func openSQLite(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "hub.db"), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// testPrefix starts the names of the tests' PostgreSQL databases.
func testPrefix() string {
	if p := os.Getenv("HUB_TEST_DB_PREFIX"); p != "" {
		return p
	}
	return "hub_test"
}

// buildTemplate migrates the empty PostgreSQL database at u, the template
// of the tests' databases (storetest.BuildTemplate, which this package's
// tests cannot import).
func buildTemplate(u string) error {
	db, err := OpenPostgres(u, 1)
	if err != nil {
		return err
	}
	_, err = db.Migrate(context.Background())
	return errors.Join(err, db.Close())
}

// open is a store on the suite's backend with an audit signer, to be
// migrated. On PostgreSQL it is a copy of the migrated template database
// (pgtest.Clone), on which Migrate has nothing to do: a test of migrating
// itself takes openEmpty.
func open(t *testing.T) *DB { return openOn(t, false) }

// openEmpty is open with no schema on either backend.
func openEmpty(t *testing.T) *DB { return openOn(t, true) }

func openOn(t *testing.T, empty bool) *DB {
	t.Helper()
	dir := t.TempDir()
	var db *DB
	var err error
	if onPostgres(t) {
		u := ""
		if empty {
			u = pgtest.Database(t, testPrefix())
		} else {
			u = pgtest.Clone(t, testPrefix(), "hub_tmpl_"+PostgresSchema(), buildTemplate)
		}
		db, err = OpenPostgres(u, 2)
	} else {
		db, err = Open(filepath.Join(dir, "hub.db"), 2)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, v, err := audit.LoadOrCreateKey(filepath.Join(dir, "audit.key"), "hub-test-audit")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetAuditSigner(s, v, 100, time.Hour); err != nil {
		t.Fatal(err)
	}
	return db
}

var admin = identity.Principal{Subject: "test|admin"}

func TestMigrateFreshThenNothing(t *testing.T) {
	ctx := context.Background()
	db := openEmpty(t)
	n, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := db.migrations()
	if n != len(ms) || n == 0 {
		t.Fatalf("applied %d migrations, want %d", n, len(ms))
	}
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("not ready after migrating: %v", err)
	}
	n, err = db.Migrate(ctx)
	if err != nil || n != 0 {
		t.Fatalf("second run applied %d (%v), want 0", n, err)
	}
}

func TestNotReadyBeforeMigrating(t *testing.T) {
	db := openEmpty(t)
	if _, err := db.Version(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(context.Background()); err == nil {
		t.Fatal("ready with no schema")
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_the_future.sql', '2030-01-01')`, db.LatestVersion()+1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); !errors.Is(err, ErrSchemaNewer) {
		t.Fatalf("migrate on a newer schema: %v, want ErrSchemaNewer", err)
	}
}

func TestSnapshotUnderWriteLoad(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	db := open(t)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written int
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				written = i
				return
			default:
			}
			m := identity.Membership{Email: fmt.Sprintf("p%d@example.gov.uk", i), Role: identity.Officer, GrantedBy: "test"}
			if err := db.Grant(ctx, m, admin); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	time.Sleep(100 * time.Millisecond)
	dest := filepath.Join(t.TempDir(), "backup.db")
	err := db.Snapshot(ctx, dest)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Snapshot(ctx, dest); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	if st, err := os.Stat(dest); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the snapshot's mode: %v %v, want 0600", st, err)
	}
	if err := copyDBIntegrity(ctx, dest); err != nil {
		t.Fatal(err)
	}

	copyDB, err := Open(dest, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if n, err := copyDB.Migrate(ctx); err != nil || n != 0 {
		t.Fatalf("backup needs migrating: %d %v", n, err)
	}
	if err := copyDB.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	ms, err := copyDB.Memberships(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || len(ms) > written {
		t.Fatalf("backup holds %d memberships; %d were written in all", len(ms), written)
	}
}

// copyDBIntegrity runs IntegrityCheck on the database file at path.
func copyDBIntegrity(ctx context.Context, path string) error {
	db, err := Open(path, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.IntegrityCheck(ctx)
}

func TestSigninStateIsUsedOnce(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	db.Migrate(ctx)
	s := identity.SigninState{State: "st", Nonce: "n", Verifier: "v", ReturnTo: "/", CreatedAt: time.Now()}
	if err := db.SaveSigninState(ctx, s); err != nil {
		t.Fatal(err)
	}
	got, err := db.TakeSigninState(ctx, "st")
	if err != nil || got.Nonce != "n" {
		t.Fatalf("take: %+v %v", got, err)
	}
	if _, err := db.TakeSigninState(ctx, "st"); err == nil {
		t.Fatal("a sign-in state was used twice")
	}
}

func TestSessionTimeouts(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	db.Migrate(ctx)
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	p := identity.Principal{Subject: "iss|sub", Name: "PC Test", Roles: []identity.Role{identity.Officer}}
	db.CreateSession(ctx, "tok", identity.Session{Principal: p, CreatedAt: now, LastSeen: now, CSRF: "c"})
	idle, abs := 30*time.Minute, 12*time.Hour

	now = now.Add(29 * time.Minute)
	s, err := db.TouchSession(ctx, "tok", idle, abs)
	if err != nil || s.Principal.Subject != "iss|sub" || !s.Principal.Has(identity.Officer) {
		t.Fatalf("live session: %+v %v", s, err)
	}
	for i := 0; i < 24; i++ { // keep it busy past the absolute limit
		now = now.Add(29 * time.Minute)
		if _, err := db.TouchSession(ctx, "tok", idle, abs); err != nil {
			if now.Sub(s.CreatedAt) <= abs {
				t.Fatalf("ended early at %v: %v", now, err)
			}
			return
		}
	}
	t.Fatal("session outlived its absolute timeout")
}

func TestSessionIdleTimeout(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	db.Migrate(ctx)
	now := time.Now()
	db.Now = func() time.Time { return now }
	db.CreateSession(ctx, "tok", identity.Session{Principal: identity.Principal{Subject: "s"}, CreatedAt: now, LastSeen: now})
	now = now.Add(31 * time.Minute)
	if _, err := db.TouchSession(ctx, "tok", 30*time.Minute, 12*time.Hour); err == nil {
		t.Fatal("idle session still open")
	}
	now = now.Add(-31 * time.Minute)
	if _, err := db.TouchSession(ctx, "tok", 30*time.Minute, 12*time.Hour); err == nil {
		t.Fatal("an expired session came back")
	}
}

// Package storetest opens a ready store for tests, on the backend that
// HUB_TEST_BACKEND names: a real SQLite file in the test's temporary folder
// (sqlite, the default) or a fresh PostgreSQL database (postgres); migrated,
// with audit signing and sealing keys.
package storetest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/pgtest"
	"github.com/stalking-hub/hub/internal/seal"
	"github.com/stalking-hub/hub/internal/store"
)

// EnvBackend names the environment variable that picks the backend.
const EnvBackend = "HUB_TEST_BACKEND"

// EnvPrefix names the environment variable whose value starts the name of
// every PostgreSQL database the tests create (hub_test when unset).
const EnvPrefix = "HUB_TEST_DB_PREFIX"

// Postgres reports whether the tests run on PostgreSQL; a backend it does
// not know fails the test.
func Postgres(t testing.TB) bool {
	t.Helper()
	switch b := os.Getenv(EnvBackend); b {
	case "", "sqlite":
		return false
	case "postgres":
		return true
	default:
		t.Fatalf("%s=%q: want sqlite or postgres", EnvBackend, b)
		return false
	}
}

// SQLiteOnly skips a test about SQLite itself (its file, WAL, pragmas,
// file backups) when the tests run on PostgreSQL; the SQLite pass runs it.
func SQLiteOnly(t testing.TB) {
	t.Helper()
	if Postgres(t) {
		t.Skip("about SQLite only; runs in the SQLite pass")
	}
}

// prefix starts the names of the tests' PostgreSQL databases.
func prefix() string {
	if p := os.Getenv(EnvPrefix); p != "" {
		return p
	}
	return "hub_test"
}

// Template is the name of the template database holding the schema of
// this binary's PostgreSQL migrations.
func Template() string { return "hub_tmpl_" + store.PostgresSchema() }

// BuildTemplate migrates the empty PostgreSQL database at url.
func BuildTemplate(url string) error {
	db, err := store.OpenPostgres(url, 1)
	if err != nil {
		return err
	}
	_, err = db.Migrate(context.Background())
	return errors.Join(err, db.Close())
}

// OpenBare returns an empty store, not migrated and without keys, on the
// backend of the tests, closed (and on PostgreSQL dropped) when the test
// ends.
func OpenBare(t testing.TB) *store.DB {
	t.Helper()
	var db *store.DB
	var err error
	if Postgres(t) {
		// 1 writer + 2 readers, as on SQLite: the server is shared.
		db, err = store.OpenPostgres(pgtest.Database(t, prefix()), 2)
	} else {
		db, err = store.Open(filepath.Join(t.TempDir(), "hub.db"), 2)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Open returns a migrated store with its keys, closed when the test ends.
// On PostgreSQL the database is a copy of a template migrated once
// (pgtest.Clone), much cheaper than migrating for every test.
func Open(t testing.TB) *store.DB {
	t.Helper()
	var db *store.DB
	if Postgres(t) {
		u := pgtest.Clone(t, prefix(), Template(), BuildTemplate)
		var err error
		if db, err = store.OpenPostgres(u, 2); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
	} else {
		db = OpenBare(t)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s, v, err := audit.LoadOrCreateKey(filepath.Join(dir, "audit.key"), "hub-test-audit")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetAuditSigner(s, v, 100, time.Hour); err != nil {
		t.Fatal(err)
	}
	keys, err := seal.Load(filepath.Join(dir, "keys"), true)
	if err != nil {
		t.Fatal(err)
	}
	db.SetKeyring(keys)
	return db
}

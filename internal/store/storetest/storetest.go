// Package storetest opens a ready store for tests: a real SQLite file in the
// test's temporary folder, migrated, with audit signing and sealing keys.
package storetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/seal"
	"github.com/stalking-hub/hub/internal/store"
)

// Open returns a migrated store with its keys, closed when the test ends.
func Open(t testing.TB) *store.DB {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "hub.db"), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
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

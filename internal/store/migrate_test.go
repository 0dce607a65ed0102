package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/seal"
)

// applyFirst builds the schema an older hub left: the first k embedded
// migrations, applied and recorded as that hub did, without checksums.
func applyFirst(t *testing.T, db *DB, k int) {
	t.Helper()
	if _, err := db.Version(context.Background()); err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:k] {
		if _, err := db.w.Exec(m.sql); err != nil {
			t.Fatal(m.name, err)
		}
		if _, err := db.w.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, '')`, m.version, m.name); err != nil {
			t.Fatal(err)
		}
	}
}

// Every schema a released hub can have left, from none to 0008, upgrades to
// the latest: ready, every checksum recorded, and the upgraded database
// takes referrals and audit entries.
func TestEveryReleasedSchemaUpgrades(t *testing.T) {
	ctx := context.Background()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	released := 0
	for _, m := range ms {
		if m.version <= 8 {
			released++
		}
	}
	if released != 8 {
		t.Fatalf("%d released migrations embedded, want 0001..0008", released)
	}
	for k := 0; k <= released; k++ {
		db := open(t)
		applyFirst(t, db, k)
		n, err := db.Migrate(ctx)
		if err != nil {
			t.Fatalf("from %d migrations: %v", k, err)
		}
		if n != len(ms)-k {
			t.Errorf("from %d migrations: applied %d, want %d", k, n, len(ms)-k)
		}
		if err := db.Ready(ctx); err != nil {
			t.Errorf("from %d migrations: not ready: %v", k, err)
		}
		done, err := applied(ctx, db.w)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if done[m.version].checksum != m.checksum {
				t.Errorf("from %d migrations: %s has checksum %q, want %q", k, m.name, done[m.version].checksum, m.checksum)
			}
		}
		keys, err := seal.Load(filepath.Join(t.TempDir(), "keys"), true)
		if err != nil {
			t.Fatal(err)
		}
		db.SetKeyring(keys)
		SeedReportLoad(t, db, 20, time.Now())
		if err := db.Audit(ctx, releaseEntry("idp|upgraded", 1)); err != nil {
			t.Errorf("from %d migrations: audit: %v", k, err)
		}
	}
}

// A migration changed, renamed or unknown after it was applied stops the
// migrator, naming the file, before it applies anything.
func TestChangedMigrationRefused(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, change, want string
	}{
		{"edited", `UPDATE schema_migrations SET checksum = 'aa' WHERE version = 3`, "0003_referrals.sql differs"},
		{"renamed", `UPDATE schema_migrations SET name = '0003_cases.sql' WHERE version = 3`, "0003_cases.sql"},
		// A version between released ones that this binary lacks.
		{"unknown", `INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (-1, '0000_elsewhere.sql', '', 'bb')`, "0000_elsewhere.sql"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := open(t)
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := db.w.Exec(tc.change); err != nil {
				t.Fatal(err)
			}
			_, err := db.Migrate(ctx)
			if !errors.Is(err, ErrMigrationChanged) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("migrate after the migration was %s: %v, want one naming %s", tc.name, err, tc.want)
			}
		})
	}
}

// Every commit the hub answers is synced (synchronous=FULL): in WAL mode
// NORMAL can lose an acknowledged commit to a power cut.
func TestWritesAreDurable(t *testing.T) {
	db := open(t)
	var mode int
	if err := db.w.QueryRow(`PRAGMA synchronous`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != 2 {
		t.Fatalf("synchronous = %d on the writer, want 2 (FULL)", mode)
	}
}

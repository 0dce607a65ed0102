package store

import (
	"context"
	"database/sql"
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
	sqliteOnly(t)
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
		done, err := db.applied(ctx)
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
	sqliteOnly(t)
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
	sqliteOnly(t)
	db := open(t)
	var mode int
	if err := db.w.QueryRow(`PRAGMA synchronous`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != 2 {
		t.Fatalf("synchronous = %d on the writer, want 2 (FULL)", mode)
	}
}

// No index is over a function of a stored time: SQLite versions read text
// times differently, and an index one version wrote looks corrupt to
// another. Times an index needs as numbers are stored as integers.
func TestNoIndexOverATimeFunction(t *testing.T) {
	sqliteOnly(t)
	db := open(t)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows, err := db.r.Query(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name, sql string
		if err := rows.Scan(&name, &sql); err != nil {
			t.Fatal(err)
		}
		n++
		for _, f := range []string{"unixepoch(", "julianday(", "datetime(", "strftime(", "date(", "time("} {
			if strings.Contains(strings.ToLower(sql), f) {
				t.Errorf("index %s is over %s…): %s", name, f, sql)
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d indexes read", n)
	}
}

// Migration 0012 works out the stored seconds of the shares already
// answered and accepted as Go reckons whole seconds. (Its triggers, for
// shares answered later, are held to the report's known answers by
// TestOutcomesOfTheFixture.)
func TestShareClockSeconds(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	db := open(t)
	applyFirst(t, db, 8)
	keys, err := seal.Load(filepath.Join(t.TempDir(), "keys"), true)
	if err != nil {
		t.Fatal(err)
	}
	db.SetKeyring(keys)
	now := time.Now()
	SeedReportLoad(t, db, 200, now)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := db.r.Query(`SELECT sent_at, answered_at, answer_seconds, accepted_at, accept_seconds FROM shares`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	answered, accepted := 0, 0
	for rows.Next() {
		var sent, answer, accept string
		var answerSeconds, acceptSeconds sql.NullInt64
		if err := rows.Scan(&sent, &answer, &answerSeconds, &accept, &acceptSeconds); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			at      string
			seconds sql.NullInt64
			n       *int
		}{{answer, answerSeconds, &answered}, {accept, acceptSeconds, &accepted}} {
			if c.at == "" {
				if c.seconds.Valid {
					t.Errorf("seconds %d stored for a time not yet come", c.seconds.Int64)
				}
				continue
			}
			*c.n++
			if want := parseTime(c.at).Unix() - parseTime(sent).Unix(); !c.seconds.Valid || c.seconds.Int64 != want {
				t.Errorf("sent %s, then %s: stored %v seconds, want %d", sent, c.at, c.seconds, want)
			}
		}
	}
	if answered < 50 || accepted < 20 {
		t.Fatalf("only %d answered and %d accepted shares: the test tests little", answered, accepted)
	}
}

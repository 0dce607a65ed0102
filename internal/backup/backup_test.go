package backup

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeDB writes a fixed file: the folder logic under test is the same
// whatever the database.
type fakeDB string

func (f fakeDB) Snapshot(_ context.Context, dest string) error {
	return writeFile(dest, []byte(f))
}

// dataFolder makes a data folder with a database, two sealing keys and an
// audit key.
func dataFolder(t *testing.T, db string) Files {
	t.Helper()
	dir := t.TempDir()
	f := Files{Database: filepath.Join(dir, "hub.db"), SealingKeys: filepath.Join(dir, "keys"), AuditKey: filepath.Join(dir, "audit-signing.key")}
	os.Mkdir(f.SealingKeys, 0o700)
	for path, text := range map[string]string{f.Database: db, f.Database + "-wal": "stale", filepath.Join(f.SealingKeys, "k1.key"): "one",
		filepath.Join(f.SealingKeys, "link.key"): "link", f.AuditKey: "audit"} {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteAndRestore(t *testing.T) {
	ctx := context.Background()
	from := dataFolder(t, "the database")
	dir := filepath.Join(t.TempDir(), "b")
	m, err := Write(ctx, fakeDB("the snapshot"), from, dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 4 || !m.Database {
		t.Fatalf("manifest %+v, want the database, two keys and the audit key", m)
	}
	if _, err := Write(ctx, fakeDB("again"), from, dir, time.Now()); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a second backup into the folder: %v", err)
	}

	// Into a folder with a stale WAL and a different audit key.
	to := dataFolder(t, "newer database")
	os.WriteFile(to.AuditKey, []byte("another"), 0o600)
	aside, err := Restore(dir, to, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if read(t, to.Database) != "the snapshot" || read(t, to.AuditKey) != "audit" || read(t, filepath.Join(to.SealingKeys, "k1.key")) != "one" {
		t.Error("the restore did not put the backup in place")
	}
	if _, err := os.Stat(to.Database + "-wal"); !os.IsNotExist(err) {
		t.Errorf("the stale WAL is still there: %v", err)
	}
	if read(t, filepath.Join(aside, "hub.db-wal")) != "stale" || read(t, filepath.Join(aside, "hub.db")) != "newer database" || read(t, filepath.Join(aside, "audit-signing.key")) != "another" {
		t.Error("what the restore replaced was not kept aside")
	}

	// Into a new folder.
	root := t.TempDir()
	fresh := Files{Database: filepath.Join(root, "d", "hub.db"), SealingKeys: filepath.Join(root, "d", "keys"), AuditKey: filepath.Join(root, "d", "audit-signing.key")}
	if aside, err := Restore(dir, fresh, time.Now()); err != nil || aside != "" {
		t.Fatalf("restore into a new folder: %q %v", aside, err)
	}
	if read(t, fresh.Database) != "the snapshot" || read(t, filepath.Join(fresh.SealingKeys, "link.key")) != "link" {
		t.Error("the new folder does not hold the backup")
	}
}

func TestRestoreRefusesAnUnfinishedOrChangedBackup(t *testing.T) {
	ctx := context.Background()
	from := dataFolder(t, "db")
	for _, tc := range []struct {
		name, want string
		spoil      func(dir string)
	}{
		{"unfinished", "did not finish", func(dir string) { os.Remove(filepath.Join(dir, ManifestName)) }},
		{"changed", "keys/k1.key is missing or changed", func(dir string) { os.WriteFile(filepath.Join(dir, "keys", "k1.key"), []byte("x"), 0o600) }},
		{"missing", "hub.db is missing or changed", func(dir string) { os.Remove(filepath.Join(dir, "hub.db")) }},
	} {
		dir := filepath.Join(t.TempDir(), "b")
		if _, err := Write(ctx, fakeDB("snap"), from, dir, time.Now()); err != nil {
			t.Fatal(err)
		}
		tc.spoil(dir)
		to := dataFolder(t, "live")
		if _, err := Restore(dir, to, time.Now()); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s backup: %v, want %q", tc.name, err, tc.want)
		}
		if read(t, to.Database) != "live" {
			t.Errorf("%s backup: the data folder was changed", tc.name)
		}
	}
}

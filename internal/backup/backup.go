// Package backup writes a hub's backup folder, the database together with
// the keys it cannot be read without, and puts one back into a data folder.
package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Files are where a hub keeps what a backup holds.
type Files struct {
	Database    string // the SQLite file
	SealingKeys string // the folder of sealing keys
	AuditKey    string // the audit signing key
}

// Snapshotter writes a consistent copy of the database into a new file,
// private (0600) from its first byte. The SQLite store is one; a
// PostgreSQL store has none, and its backup holds the keys only.
type Snapshotter interface {
	Snapshot(ctx context.Context, dest string) error
}

// The names inside a backup folder.
const (
	ManifestName = "backup.json"
	databaseName = "hub.db"
	keysName     = "keys"
	auditKeyName = "audit-signing.key"
)

// Manifest says what a finished backup holds: written last, so a folder
// without one is a backup that did not finish.
type Manifest struct {
	CreatedAt time.Time `json:"created_at"`
	// Files maps each file's path in the folder to its SHA-256.
	Files map[string]string `json:"files"`
	// Database is false when the database is backed up by other means
	// (PostgreSQL: pg_dump or the platform's backups).
	Database bool `json:"database"`
}

// Write makes dir (it must not exist, or be empty) private to the owner
// and writes into it the database's snapshot (when db is not nil), the
// sealing keys, the audit signing key and, last, the manifest.
func Write(ctx context.Context, db Snapshotter, from Files, dir string, now time.Time) (Manifest, error) {
	m := Manifest{CreatedAt: now.UTC(), Files: map[string]string{}}
	if err := privateDir(dir); err != nil {
		return m, err
	}
	if db != nil {
		if err := db.Snapshot(ctx, filepath.Join(dir, databaseName)); err != nil {
			return m, err
		}
		m.Database = true
	}
	keys, err := regularFiles(from.SealingKeys)
	if err != nil {
		return m, fmt.Errorf("sealing keys: %w", err)
	}
	if len(keys) == 0 {
		return m, fmt.Errorf("sealing keys: no key in %s", from.SealingKeys)
	}
	if err := os.Mkdir(filepath.Join(dir, keysName), 0o700); err != nil {
		return m, err
	}
	for _, k := range keys {
		if err := copyFile(filepath.Join(from.SealingKeys, k), filepath.Join(dir, keysName, k)); err != nil {
			return m, err
		}
	}
	if err := copyFile(from.AuditKey, filepath.Join(dir, auditKeyName)); err != nil {
		return m, fmt.Errorf("audit signing key: %w", err)
	}
	if m.Files, err = sums(dir); err != nil {
		return m, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	return m, writeFile(filepath.Join(dir, ManifestName), b)
}

// Check reads a backup folder's manifest and holds every file to its
// checksum: a backup that did not finish, or was changed, is refused.
func Check(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return m, fmt.Errorf("%s has no %s: it is not a backup, or the backup did not finish", dir, ManifestName)
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s: %w", ManifestName, err)
	}
	got, err := sums(dir)
	if err != nil {
		return m, err
	}
	for _, name := range slices.Sorted(maps.Keys(m.Files)) {
		if got[name] != m.Files[name] {
			return m, fmt.Errorf("backup file %s is missing or changed since the backup was written", name)
		}
	}
	if m.Database && m.Files[databaseName] == "" {
		return m, fmt.Errorf("the manifest lists no %s", databaseName)
	}
	return m, nil
}

// Restore puts the backup in dir back in place of to; the hub must be
// stopped. What it replaces (the database with its WAL and shared-memory
// files, keys that differ) is moved into a folder beside the database,
// whose path it returns ("" when nothing was replaced): a stale WAL must
// never be replayed onto a restored database. Restore checks the backup's
// files first; the caller then checks the database and its audit log.
func Restore(dir string, to Files, now time.Time) (string, error) {
	m, err := Check(dir)
	if err != nil {
		return "", err
	}
	aside := filepath.Join(filepath.Dir(to.Database), "replaced-"+now.UTC().Format("20060102T150405Z"))
	moved := false
	moveAside := func(path, name string) error {
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(aside, name)), 0o700); err != nil {
			return err
		}
		moved = true
		return os.Rename(path, filepath.Join(aside, name))
	}
	if err := os.MkdirAll(filepath.Dir(to.Database), 0o700); err != nil {
		return "", err
	}
	if m.Database {
		base := filepath.Base(to.Database)
		for _, suffix := range []string{"-wal", "-shm", "-journal", ""} {
			if err := moveAside(to.Database+suffix, base+suffix); err != nil {
				return "", err
			}
		}
		tmp := to.Database + ".restoring"
		os.Remove(tmp)
		if err := copyFile(filepath.Join(dir, databaseName), tmp); err != nil {
			return "", err
		}
		if err := os.Rename(tmp, to.Database); err != nil {
			return "", err
		}
	}
	keys, err := regularFiles(filepath.Join(dir, keysName))
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(to.SealingKeys, 0o700); err != nil {
		return "", err
	}
	put := func(src, dest, name string) error {
		if same(src, dest) {
			return nil
		}
		if err := moveAside(dest, name); err != nil {
			return err
		}
		return copyFile(src, dest)
	}
	for _, k := range keys {
		if err := put(filepath.Join(dir, keysName, k), filepath.Join(to.SealingKeys, k), filepath.Join(keysName, k)); err != nil {
			return "", err
		}
	}
	if err := os.MkdirAll(filepath.Dir(to.AuditKey), 0o700); err != nil {
		return "", err
	}
	if err := put(filepath.Join(dir, auditKeyName), to.AuditKey, auditKeyName); err != nil {
		return "", err
	}
	// The verifier key beside it is written again from the signing key.
	if err := moveAside(to.AuditKey+".pub", auditKeyName+".pub"); err != nil {
		return "", err
	}
	for _, d := range []string{filepath.Dir(to.Database), to.SealingKeys, filepath.Dir(to.AuditKey)} {
		if err := syncDir(d); err != nil {
			return "", err
		}
	}
	if !moved {
		return "", nil
	}
	return aside, nil
}

// privateDir creates dir with mode 0700, or takes an empty one and makes
// it 0700, before anything is written into it.
func privateDir(dir string) error {
	err := os.Mkdir(dir, 0o700)
	if errors.Is(err, fs.ErrExist) {
		entries, rerr := os.ReadDir(dir)
		if rerr != nil {
			return rerr
		}
		if len(entries) > 0 {
			return fmt.Errorf("%s is not empty; name a new folder for the backup", dir)
		}
		err = os.Chmod(dir, 0o700)
	}
	return err
}

// regularFiles lists the names of the plain files in dir.
func regularFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// copyFile copies src to a new file dest, created 0600, and syncs it.
func copyFile(src, dest string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// writeFile writes b to a new file created 0600 and syncs it.
func writeFile(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// same reports whether two files exist with the same bytes.
func same(a, b string) bool {
	x, err := os.ReadFile(a)
	if err != nil {
		return false
	}
	y, err := os.ReadFile(b)
	return err == nil && string(x) == string(y)
}

// sums is the SHA-256 of every file under dir but the manifest.
func sums(dir string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == ManifestName {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	return out, err
}

// syncDir makes the renames and creations in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/stalking-hub/hub/internal/backup"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/seal"
	"github.com/stalking-hub/hub/internal/store"
)

// files are where the configuration keeps what a backup holds.
func files(cfg config.Config) backup.Files {
	return backup.Files{Database: cfg.DatabasePath(), SealingKeys: cfg.Sealing.KeysDir, AuditKey: cfg.Audit.SigningKeyFile}
}

// LockDataDir takes the data folder's lock, which `hub serve` holds for as
// long as it runs, so that `hub restore` never replaces a database under a
// running hub. The lock goes with the process, however it ends.
func LockDataDir(cfg config.Config) (release func(), err error) {
	if err := os.MkdirAll(cfg.Server.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create the data folder: %w", err)
	}
	return lockFolder(cfg.Server.DataDir)
}

// lockFolder takes the lock of the data folder dir, as `hub serve` on
// SQLite does.
func lockFolder(dir string) (release func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, "hub.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("a hub is running on the data folder %s: stop it first", dir)
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}

// Backup writes the database and the keys it needs into dir, a new folder
// private to the owner, while the hub may be serving. With PostgreSQL it
// writes the keys only (and the manifest): the database is backed up with
// pg_dump or the platform's backups.
func Backup(ctx context.Context, cfg config.Config, dir string) (backup.Manifest, error) {
	if cfg.Database.Postgres() {
		return backup.Write(ctx, nil, files(cfg), dir, time.Now())
	}
	db, err := OpenDatabase(cfg, 1)
	if err != nil {
		return backup.Manifest{}, err
	}
	defer db.Close()
	return backup.Write(ctx, db, files(cfg), dir, time.Now())
}

// Restored is what a restore did and found.
type Restored struct {
	// Aside is the folder the replaced files were moved to; "" when the
	// data folder held none.
	Aside string
	// Audit is the verified audit log's report.
	Audit string
}

// Restore puts the backup in dir into the configured data folder, which no
// hub may be serving, then opens the result as `hub serve` would
// (migrating it when the backup is older) and checks it: SQLite's
// integrity check, a key for every sealed value, and the audit log against
// its signed checkpoints. It succeeds only when every check does. With
// PostgreSQL it puts back the keys only, and checks them against the
// database as it is (restored beforehand from pg_dump or the platform's
// backups).
func Restore(ctx context.Context, cfg config.Config, dir string) (Restored, error) {
	var out Restored
	m, err := backup.Check(dir)
	if err != nil {
		return out, err
	}
	switch {
	case cfg.Database.Postgres() && m.Database:
		return out, fmt.Errorf("%s holds a SQLite database, and the hub is configured for PostgreSQL (key database.url): restore it with a SQLite configuration", dir)
	case !cfg.Database.Postgres() && !m.Database:
		return out, fmt.Errorf("%s holds the keys of a PostgreSQL hub and no database, and the hub is configured for SQLite (key database.url)", dir)
	}
	if !cfg.Database.Postgres() {
		// With PostgreSQL no replica holds the data folder alone: the
		// operator stops them all, as the command's message says.
		unlock, err := LockDataDir(cfg)
		if err != nil {
			return out, err
		}
		defer unlock()
	}
	if out.Aside, err = backup.Restore(dir, files(cfg), time.Now()); err != nil {
		return out, err
	}
	failed := func(err error) (Restored, error) {
		if out.Aside != "" {
			err = fmt.Errorf("%w (what the restore replaced is in %s)", err, out.Aside)
		}
		return out, fmt.Errorf("the restored data failed its checks: %w", err)
	}
	if out.Audit, err = check(ctx, cfg); err != nil {
		return failed(err)
	}
	return out, nil
}

// check opens the configured database as `hub serve` would (migrating it
// when it is older) and checks it: SQLite's integrity check, a key for
// every sealed value, and the audit log against its signed checkpoints. It
// returns the audit log's report.
func check(ctx context.Context, cfg config.Config) (string, error) {
	db, err := OpenStore(ctx, cfg)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		return "", err
	}
	if err := keyForEverySealed(ctx, db, db.Keyring(), cfg.Sealing.KeysDir); err != nil {
		return "", err
	}
	report, err := db.VerifyAudit(ctx, nil)
	if err != nil {
		return "", err
	}
	if !report.OK() {
		return "", errors.New(report.String())
	}
	return report.String(), nil
}

// keyForEverySealed checks that keys, read from dir, hold the key of every
// value sealed in db.
func keyForEverySealed(ctx context.Context, db *store.DB, keys *seal.Keyring, dir string) error {
	used, err := db.SealedByKey(ctx)
	if err != nil {
		return err
	}
	have := keys.IDs()
	for id := range used {
		if !slices.Contains(have, id) {
			return fmt.Errorf("values are sealed under key %s, which is not in %s", id, dir)
		}
	}
	return nil
}

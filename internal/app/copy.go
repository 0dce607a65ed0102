package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/seal"
	"github.com/stalking-hub/hub/internal/store"
)

// Copied is what a copy from SQLite into PostgreSQL wrote and found.
type Copied struct {
	Tables []store.CopiedTable
	// Audit is the copied audit log's report, verified on PostgreSQL.
	Audit string
}

// CopyFromSQLite copies the SQLite hub database at file, in a data folder
// no hub is serving, into the configured PostgreSQL database, which must
// hold nothing yet, and then checks the copy as a restore is checked: a key
// for every sealed value in the configured keys folder and the audit log
// against its signed checkpoints under the configured audit key. Those keys
// are first tried on the SQLite file (keysOpen), so that a copy is not made
// that they cannot open. Both databases are first brought to this hub's
// schema (the SQLite file as `hub serve` would). progress, when set, is
// told of each table copied.
func CopyFromSQLite(ctx context.Context, cfg config.Config, file string, progress func(store.CopiedTable)) (Copied, error) {
	var out Copied
	if !cfg.Database.Postgres() {
		return out, errors.New("the hub is configured for SQLite (key database.url): set it to the PostgreSQL database to copy into")
	}
	if _, err := os.Stat(file); err != nil {
		return out, fmt.Errorf("the SQLite database to copy: %w", err)
	}
	// A SQLite hub serving the file would go on writing what the copy
	// never sees.
	unlock, err := lockFolder(filepath.Dir(file))
	if err != nil {
		return out, err
	}
	defer unlock()
	src, err := store.Open(file, 1)
	if err != nil {
		return out, err
	}
	defer src.Close()
	if _, err := src.Migrate(ctx); err != nil {
		return out, fmt.Errorf("the SQLite database: %w", err)
	}
	if err := keysOpen(ctx, cfg, src); err != nil {
		return out, err
	}
	dst, err := OpenDatabase(cfg, 1)
	if err != nil {
		return out, err
	}
	if _, err := dst.Migrate(ctx); err != nil {
		dst.Close()
		return out, err
	}
	out.Tables, err = src.CopyInto(ctx, dst, progress)
	if err := errors.Join(err, dst.Close()); err != nil {
		return out, err
	}
	if out.Audit, err = check(ctx, cfg); err != nil {
		return out, fmt.Errorf("the copy failed its checks: %w", err)
	}
	return out, nil
}

// keysOpen checks, before anything is copied, that the configured keys are
// the SQLite hub's: a key for every value sealed in src in the keys folder,
// and the audit signing key that signed src's audit log. The copy is
// checked with them once made; without this a copy those keys cannot open
// would fill the database, and a second copy would be refused. Nothing is
// created: keys missing here are the SQLite hub's, to be copied across.
func keysOpen(ctx context.Context, cfg config.Config, src *store.DB) error {
	keys, err := seal.Load(cfg.Sealing.KeysDir, false)
	if err == nil {
		err = keyForEverySealed(ctx, src, keys, cfg.Sealing.KeysDir)
	}
	if err != nil {
		return fmt.Errorf("key sealing.keys_dir: %w: copy the SQLite hub's keys folder there first", err)
	}
	if _, err := os.Stat(cfg.Audit.SigningKeyFile); err != nil {
		return fmt.Errorf("key audit.signing_key_file: %w: copy the SQLite hub's audit signing key there first", err)
	}
	_, verifier, err := audit.LoadOrCreateKey(cfg.Audit.SigningKeyFile, "hub-audit")
	if err != nil {
		return fmt.Errorf("key audit.signing_key_file: %w", err)
	}
	if err := src.CheckAuditKey(ctx, verifier); err != nil {
		return fmt.Errorf("key audit.signing_key_file: %s did not sign the SQLite database's audit log (%v): copy the SQLite hub's key there first", cfg.Audit.SigningKeyFile, err)
	}
	return nil
}

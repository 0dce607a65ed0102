package seal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ErrKeysExist is Init's answer for a folder that already holds keys.
var ErrKeysExist = errors.New("the sealing keys folder already holds keys")

// Init provisions a keys folder: it creates dir (0700) when missing and
// writes the first sealing key and the fingerprint key. A folder that
// already holds keys is left alone (ErrKeysExist): new keys there would not
// open what the old ones sealed.
//
// The keys are written into a new folder beside dir and renamed into
// place in one step, so that replicas starting together on one data folder
// agree on one set of keys and none reads a half-made one: the first
// rename wins, the others find ErrKeysExist.
func Init(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("sealing keys: %w", err)
	}
	if len(entries) > 0 {
		return ErrKeysExist
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return fmt.Errorf("sealing keys: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".keys-init-*")
	if err != nil {
		// A read-only parent (dir is a mount of its own): write in place.
		return initInPlace(dir)
	}
	defer os.RemoveAll(tmp)
	if err := writeFirstKeys(tmp); err != nil {
		return err
	}
	// rename(2) itself: os.Rename refuses any existing folder, and an
	// empty one made beforehand is to be replaced.
	err = syscall.Rename(tmp, dir)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST):
		return ErrKeysExist
	}
	// dir cannot be replaced (a mount point): write in place.
	return initInPlace(dir)
}

// initInPlace writes the first keys into dir itself.
func initInPlace(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("sealing keys: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("sealing keys: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("sealing keys: %w", err)
	}
	if len(entries) > 0 {
		return ErrKeysExist
	}
	return writeFirstKeys(dir)
}

// writeFirstKeys writes the fingerprint key and the first sealing key.
func writeFirstKeys(dir string) error {
	if err := ensureLinkKey(dir); err != nil {
		return err
	}
	_, err := NewKey(dir, time.Now())
	return err
}

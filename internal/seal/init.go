package seal

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// ErrKeysExist is Init's answer for a folder that already holds keys.
var ErrKeysExist = errors.New("the sealing keys folder already holds keys")

// Init provisions a keys folder: it creates dir (0700) when missing and
// writes the first sealing key and the fingerprint key. A folder that
// already holds keys is left alone (ErrKeysExist): new keys there would not
// open what the old ones sealed.
func Init(dir string) error {
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
	if err := ensureLinkKey(dir); err != nil {
		return err
	}
	_, err = NewKey(dir, time.Now())
	return err
}

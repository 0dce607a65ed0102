package seal

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	if err := Init(dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("keys folder %v %v, want mode 0700", fi.Mode(), err)
	}
	k, err := Load(dir, false)
	if err != nil || k.Current() == "" {
		t.Fatalf("the first keys do not load: %v", err)
	}
	if err := Init(dir); !errors.Is(err, ErrKeysExist) {
		t.Fatalf("a second init: %v, want ErrKeysExist", err)
	}
	if again, err := Load(dir, false); err != nil || again.Current() != k.Current() {
		t.Fatalf("a second init changed the keys")
	}
}

// Replicas starting together on one empty data folder make one set of keys
// between them, and every one of them loads it.
func TestInitRacing(t *testing.T) {
	for round := range 20 {
		dir := filepath.Join(t.TempDir(), "keys")
		if round%2 == 1 {
			os.Mkdir(dir, 0o755) // an empty folder made beforehand
		}
		errs := make(chan error, 4)
		for range 4 {
			go func() { errs <- Init(dir) }()
		}
		made := 0
		for range 4 {
			switch err := <-errs; {
			case err == nil:
				made++
			case !errors.Is(err, ErrKeysExist):
				t.Fatal(err)
			}
		}
		ids, err := keyIDs(dir)
		if made != 1 || err != nil || len(ids) != 1 {
			t.Fatalf("round %d: %d inits made keys, %d keys in the folder (%v), want one and one", round, made, len(ids), err)
		}
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("keys folder %v %v, want mode 0700", fi.Mode(), err)
		}
		if _, err := Load(dir, false); err != nil {
			t.Fatal(err)
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".keys-init-*")); len(left) > 0 {
			t.Fatalf("temporary folders left behind: %v", left)
		}
	}
}

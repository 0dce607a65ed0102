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

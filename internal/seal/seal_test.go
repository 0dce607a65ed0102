package seal

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSealOpenAndRotate(t *testing.T) {
	dir := t.TempDir()
	k1, err := Load(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	id1, sealed, err := k1.Seal([]byte(`{"name":"Jane Doe"}`), "ref-1/identity")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("Jane")) {
		t.Fatal("plaintext visible in the sealed section")
	}
	if _, err := k1.Open(id1, sealed, "ref-2/identity"); err == nil {
		t.Fatal("a section opened under another record's context")
	}

	id2, err := NewKey(dir, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	k2, err := Load(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if k2.Current() != id2 || id2 == id1 {
		t.Fatalf("current key %s, want the new %s", k2.Current(), id2)
	}
	plain, err := k2.Open(id1, sealed, "ref-1/identity")
	if err != nil || string(plain) != `{"name":"Jane Doe"}` {
		t.Fatalf("old key no longer opens: %q %v", plain, err)
	}
	if id, _, _ := k2.Seal([]byte("x"), "c"); id != id2 {
		t.Fatalf("new writes sealed with %s, want newest %s", id, id2)
	}
	if _, err := k2.Open("nope", sealed, "ref-1/identity"); err != ErrUnknownKey {
		t.Fatalf("unknown key: %v", err)
	}
}

func TestFingerprintMatchesNormalisedNames(t *testing.T) {
	k, err := Load(t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	a := k.Fingerprint("Mary  O'Brien", "1990-04-02")
	if b := k.Fingerprint("mary obrien", "1990-04-02"); a != b {
		t.Fatal("same person, different fingerprints")
	}
	if c := k.Fingerprint("Mary O'Brien", "1990-04-03"); a == c {
		t.Fatal("different dates of birth, same fingerprint")
	}
	other, _ := Load(t.TempDir(), true)
	if other.Fingerprint("Mary O'Brien", "1990-04-02") == a {
		t.Fatal("fingerprint does not depend on the key")
	}
}

func TestLoadRefusesMissingKeys(t *testing.T) {
	if _, err := Load(t.TempDir(), false); err == nil {
		t.Fatal("loaded an empty keyring")
	}
}

// A serving hub's ring takes up a key another process added: it opens what
// was re-sealed under it at once, and seals with it after a refresh.
func TestRingFollowsItsFolder(t *testing.T) {
	dir := t.TempDir()
	serving, err := Load(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	old := serving.Current()
	id, err := NewKey(dir, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	rotator, err := Load(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	kid, sealed, err := rotator.Seal([]byte("re-sealed"), "r-1/needs")
	if err != nil || kid != id {
		t.Fatalf("rotator sealed with %s, %v", kid, err)
	}
	if serving.Current() != old {
		t.Fatal("the ring changed before it read its folder")
	}
	if plain, err := serving.Open(kid, sealed, "r-1/needs"); err != nil || string(plain) != "re-sealed" {
		t.Fatalf("the serving ring could not open the new key's section: %v", err)
	}
	if serving.Current() != id || len(serving.IDs()) != 2 {
		t.Fatalf("after meeting the new key: current %s, ids %v", serving.Current(), serving.IDs())
	}
	if err := os.Remove(filepath.Join(dir, old+".key")); err != nil {
		t.Fatal(err)
	}
	if err := serving.Refresh(); err != nil || len(serving.IDs()) != 1 {
		t.Fatalf("after removing the old key: %v %v", serving.IDs(), err)
	}
	os.Remove(filepath.Join(dir, id+".key"))
	if err := serving.Refresh(); err == nil || serving.Current() != id {
		t.Fatalf("an empty folder emptied the ring: %v", err)
	}
}

package audit

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "audit.key")
	s1, v1, err := LoadOrCreateKey(path, "hub-audit")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	pub, err := LoadVerifier(path + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	s2, _, err := LoadOrCreateKey(path, "hub-audit")
	if err != nil {
		t.Fatal(err)
	}
	if s1.KeyHash() != s2.KeyHash() {
		t.Fatal("a second load made a new key")
	}
	st, err := SignTree(s2, Head, tlog.Tree{N: 3}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []note.Verifier{v1, pub} {
		if _, err := OpenTree(st.Note, v, Head); err != nil {
			t.Fatalf("the derived verifier rejects the key's signature: %v", err)
		}
	}
	if _, _, err := LoadOrCreateKey(path, "someone-else"); err == nil || !strings.Contains(err.Error(), "named") {
		t.Fatalf("a key of another name was accepted: %v", err)
	}
	if err := os.WriteFile(path, []byte("PRIVATE+KEY+junk\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKey(path, "hub-audit"); err == nil {
		t.Fatal("a malformed key was accepted")
	}
}

// Replicas starting together on one empty data folder agree on one key.
func TestLoadOrCreateKeyRacing(t *testing.T) {
	for range 10 {
		path := filepath.Join(t.TempDir(), "audit.key")
		hashes := make(chan uint32, 4)
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				s, _, err := LoadOrCreateKey(path, "hub-audit")
				if err != nil {
					errs <- err
					return
				}
				hashes <- s.KeyHash()
			}()
		}
		var first uint32
		for i := range 4 {
			select {
			case err := <-errs:
				t.Fatal(err)
			case h := <-hashes:
				if i > 0 && h != first {
					t.Fatal("two processes starting together made two keys")
				}
				first = h
			}
		}
		if _, err := LoadVerifier(path + ".pub"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSignedTreeKinds(t *testing.T) {
	s, v := newKey(t, "hub-audit")
	_, otherV := newKey(t, "hub-audit")
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tree := tlog.Tree{N: 42, Hash: tlog.RecordHash([]byte("x"))}
	cp, err := SignTree(s, Checkpoint, tree, at)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenTree(cp.Note, v, Checkpoint)
	if err != nil || got.Tree != tree || !got.Time.Equal(at) {
		t.Fatalf("OpenTree = %+v, %v", got, err)
	}
	if _, err := OpenTree(cp.Note, v, Head); err == nil {
		t.Fatal("a checkpoint opened as the head")
	}
	if _, err := OpenTree(cp.Note, otherV, Checkpoint); err == nil {
		t.Fatal("a checkpoint opened with another key")
	}
	forged := strings.Replace(string(cp.Note), "\n42\n", "\n43\n", 1)
	if _, err := OpenTree([]byte(forged), v, Checkpoint); err == nil {
		t.Fatal("a checkpoint with a changed size opened")
	}
}

func newKey(t testing.TB, name string) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

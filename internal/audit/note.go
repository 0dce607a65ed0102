package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Kind says what a signed tree is for. The two kinds differ in their signed
// text, so a checkpoint can never be passed off as the head.
type Kind string

// The kinds of signed tree.
const (
	// Checkpoint is kept for ever, every so many entries or so much time.
	Checkpoint Kind = "checkpoint"
	// Head is the one latest tree, re-signed with every committed append, so
	// that cutting entries after the last checkpoint is caught.
	Head Kind = "head"
)

// SignedTree is a tree size and root in a signed note.
type SignedTree struct {
	Kind Kind
	Tree tlog.Tree
	Time time.Time
	Note []byte // the signed note, as stored
}

// The lines after tlog.FormatTree's three, which tlog.ParseTree ignores.
const kindLine = "stalking-hub audit "

// SignTree signs the tree t of kind k at time at.
func SignTree(s note.Signer, k Kind, t tlog.Tree, at time.Time) (SignedTree, error) {
	text := string(tlog.FormatTree(t)) + kindLine + string(k) + "\n" + "time " + at.UTC().Format(time.RFC3339Nano) + "\n"
	msg, err := note.Sign(&note.Note{Text: text}, s)
	if err != nil {
		return SignedTree{}, fmt.Errorf("audit: sign the %s: %w", k, err)
	}
	return SignedTree{Kind: k, Tree: t, Time: at.UTC(), Note: msg}, nil
}

// OpenTree checks the signature on a signed tree of kind k and reads it.
func OpenTree(msg []byte, v note.Verifier, k Kind) (SignedTree, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return SignedTree{}, fmt.Errorf("%s signature: %w", k, err)
	}
	t, err := tlog.ParseTree([]byte(n.Text))
	if err != nil {
		return SignedTree{}, fmt.Errorf("%s: %w", k, err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) != 5 || lines[3] != kindLine+string(k) || !strings.HasPrefix(lines[4], "time ") {
		return SignedTree{}, fmt.Errorf("%s: the signed text is not an audit %s", k, k)
	}
	at, err := time.Parse(time.RFC3339Nano, strings.TrimPrefix(lines[4], "time "))
	if err != nil {
		return SignedTree{}, fmt.Errorf("%s: bad time: %w", k, err)
	}
	return SignedTree{Kind: k, Tree: t, Time: at, Note: msg}, nil
}

// LoadOrCreateKey reads the note signer key (the text note.GenerateKey makes)
// at path, creating it with mode 0600 when it does not exist, as in
// development. The verifier key is derived from it and written beside it at
// path+".pub" for whoever checks the log without the power to sign. A key
// of another name than name is refused: it would sign for someone else.
func LoadOrCreateKey(path, name string) (note.Signer, note.Verifier, error) {
	skey, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		skey, err = createKey(path, name)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("audit signing key: %w", err)
	}
	signer, err := note.NewSigner(strings.TrimSpace(string(skey)))
	if err != nil {
		return nil, nil, fmt.Errorf("audit signing key %s: %w", path, err)
	}
	if signer.Name() != name {
		return nil, nil, fmt.Errorf("audit signing key %s is named %q, want %q", path, signer.Name(), name)
	}
	vkey, err := verifierKey(strings.TrimSpace(string(skey)))
	if err != nil {
		return nil, nil, fmt.Errorf("audit signing key %s: %w", path, err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, nil, err
	}
	if err := writePublic(path+".pub", vkey); err != nil {
		return nil, nil, err
	}
	return signer, verifier, nil
}

// LoadVerifier reads a verifier key such as the .pub file LoadOrCreateKey
// writes: enough to verify the log, not to add to it.
func LoadVerifier(path string) (note.Verifier, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit verifier key: %w", err)
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("audit verifier key %s: %w", path, err)
	}
	return v, nil
}

func createKey(path, name string) ([]byte, error) {
	skey, _, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// Written whole beside its final name, then linked into place: two
	// processes starting at once (replicas on one data folder) must not
	// each make a key, nor read the other's half written.
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(f.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return os.ReadFile(path)
		}
		return nil, err
	}
	return []byte(skey), nil
}

// verifierKey derives the verifier key from a signer key, so that the .pub
// file can never disagree with the key that signs.
func verifierKey(skey string) (string, error) {
	// PRIVATE+KEY+name+hash+base64(algorithm byte, ed25519 seed); the
	// base64 may itself hold "+".
	rest, ok := strings.CutPrefix(skey, "PRIVATE+KEY+")
	name, rest, ok2 := strings.Cut(rest, "+")
	_, key64, ok3 := strings.Cut(rest, "+")
	raw, err := base64.StdEncoding.DecodeString(key64)
	if !ok || !ok2 || !ok3 || err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("not an Ed25519 note signer key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(name, pub)
}

func writePublic(path, vkey string) error {
	want := []byte(vkey + "\n")
	if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, want) {
		return nil
	}
	// Renamed into place whole: a replica reading it never sees it half written.
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write the audit verifier key: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(want)
	err = errors.Join(err, f.Chmod(0o644), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write the audit verifier key: %w", err)
	}
	return nil
}

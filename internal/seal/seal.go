// Package seal encrypts the personal data of a referral at rest, one section
// per data category, with AES-256-GCM under keys that can be rotated; and
// makes keyed fingerprints so records can be matched without opening them.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// Keyring holds the sealing keys by id. New sections are sealed with the
// newest key; any key in the ring opens what it sealed. The ring follows its
// folder: Refresh (or meeting a key id it does not know) reads it again, so
// a running hub takes up a key that `hub keys rotate` added.
type Keyring struct {
	dir   string
	state atomic.Pointer[ring]
	link  []byte
}

// ring is one reading of the keys folder; it is never changed, only replaced.
type ring struct {
	aeads   map[string]cipher.AEAD
	current string
}

// keyFile is how a key is named on disk: ID.key, ids sorting oldest first.
const keyExt = ".key"

// Load reads every ID.key file in dir (32 random bytes, base64) and the
// fingerprint key link.key. With create, an empty folder gets its first keys.
func Load(dir string, create bool) (*Keyring, error) {
	if create {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		if err := ensureLinkKey(dir); err != nil {
			return nil, err
		}
		ids, err := keyIDs(dir)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			if _, err := NewKey(dir, time.Now()); err != nil {
				return nil, err
			}
		}
	}
	k := &Keyring{dir: dir}
	if err := k.Refresh(); err != nil {
		return nil, err
	}
	var err error
	if k.link, err = readKey(filepath.Join(dir, "link"+keyExt)); err != nil {
		return nil, err
	}
	return k, nil
}

// Refresh reads the keys folder again: a key added since is taken up (and
// the newest seals from then on), a key file removed is forgotten. On an
// error the ring stays as it was.
func (k *Keyring) Refresh() error {
	ids, err := keyIDs(k.dir)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return fmt.Errorf("sealing keys: no ID.key file in %s", k.dir)
	}
	r := &ring{aeads: map[string]cipher.AEAD{}, current: ids[len(ids)-1]}
	for _, id := range ids {
		secret, err := readKey(filepath.Join(k.dir, id+keyExt))
		if err != nil {
			return err
		}
		block, err := aes.NewCipher(secret)
		if err != nil {
			return err
		}
		if r.aeads[id], err = cipher.NewGCM(block); err != nil {
			return err
		}
	}
	k.state.Store(r)
	return nil
}

// keyIDs lists the ids of the ID.key files in dir, oldest first.
func keyIDs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("sealing keys: %w", err)
	}
	var ids []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), keyExt); ok && id != "link" {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// NewKey writes a fresh key to dir, named by the time so that it sorts newest,
// and returns its id.
func NewKey(dir string, now time.Time) (string, error) {
	id := now.UTC().Format("20060102T150405.000000000")
	return id, writeKey(filepath.Join(dir, id+keyExt))
}

func ensureLinkKey(dir string) error {
	p := filepath.Join(dir, "link"+keyExt)
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	return writeKey(p)
}

func writeKey(path string) error {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(secret) + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sealing key: %w", err)
	}
	secret, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(secret) != 32 {
		return nil, fmt.Errorf("sealing key %s: want 32 bytes in base64", filepath.Base(path))
	}
	return secret, nil
}

// Current is the id of the key new sections are sealed with.
func (k *Keyring) Current() string { return k.state.Load().current }

// IDs lists the ids of the keys in the ring, oldest first.
func (k *Keyring) IDs() []string {
	r := k.state.Load()
	ids := make([]string, 0, len(r.aeads))
	for id := range r.aeads {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Seal encrypts plaintext under the newest key. The context (the record id
// and category) is bound to the ciphertext, so a section cannot be moved to
// another record or category and still open.
func (k *Keyring) Seal(plaintext []byte, context string) (keyID string, sealed []byte, err error) {
	r := k.state.Load()
	aead := r.aeads[r.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", nil, err
	}
	return r.current, aead.Seal(nonce, nonce, plaintext, []byte(context)), nil
}

// ErrUnknownKey is returned for a section sealed with a key not in the ring.
var ErrUnknownKey = errors.New("sealed with a key that is not in the keyring")

// Open decrypts a section sealed with keyID under the same context. A key
// id the ring does not know makes it read the folder once more first: the
// section may have been re-sealed under a key added since.
func (k *Keyring) Open(keyID string, sealed []byte, context string) ([]byte, error) {
	aead, ok := k.state.Load().aeads[keyID]
	if !ok && k.Refresh() == nil {
		aead, ok = k.state.Load().aeads[keyID]
	}
	if !ok {
		return nil, ErrUnknownKey
	}
	n := aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed section too short")
	}
	return aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
}

// Fingerprint is a keyed hash of the normalised parts (for example a name and
// a date of birth): equal people give equal fingerprints, and the fingerprint
// says nothing of the person without the key.
func (k *Keyring) Fingerprint(parts ...string) string {
	mac := hmac.New(sha256.New, k.link)
	for _, p := range parts {
		mac.Write([]byte(Normalise(p)))
		mac.Write([]byte{0})
	}
	return hex.EncodeToString(mac.Sum(nil))
}

// Normalise folds case, punctuation and spacing so that "O'Brien,  Mary" and
// "obrien mary" match.
func Normalise(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		case r == ' ' || r == '\t' || r == ',' || r == '-' || r == '.':
			space = true
		}
	}
	return b.String()
}

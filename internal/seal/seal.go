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
	"time"
)

// Keyring holds the sealing keys by id. New sections are sealed with the
// newest key; any key in the ring opens what it sealed.
type Keyring struct {
	aeads   map[string]cipher.AEAD
	current string
	link    []byte
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
	}
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
	if len(ids) == 0 {
		if !create {
			return nil, fmt.Errorf("sealing keys: no ID.key file in %s", dir)
		}
		id, err := NewKey(dir, time.Now())
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	k := &Keyring{aeads: map[string]cipher.AEAD{}, current: ids[len(ids)-1]}
	for _, id := range ids {
		secret, err := readKey(filepath.Join(dir, id+keyExt))
		if err != nil {
			return nil, err
		}
		block, err := aes.NewCipher(secret)
		if err != nil {
			return nil, err
		}
		if k.aeads[id], err = cipher.NewGCM(block); err != nil {
			return nil, err
		}
	}
	if k.link, err = readKey(filepath.Join(dir, "link"+keyExt)); err != nil {
		return nil, err
	}
	return k, nil
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
func (k *Keyring) Current() string { return k.current }

// Seal encrypts plaintext under the newest key. The context (the record id
// and category) is bound to the ciphertext, so a section cannot be moved to
// another record or category and still open.
func (k *Keyring) Seal(plaintext []byte, context string) (keyID string, sealed []byte, err error) {
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", nil, err
	}
	return k.current, aead.Seal(nonce, nonce, plaintext, []byte(context)), nil
}

// ErrUnknownKey is returned for a section sealed with a key not in the ring.
var ErrUnknownKey = errors.New("sealed with a key that is not in the keyring")

// Open decrypts a section sealed with keyID under the same context.
func (k *Keyring) Open(keyID string, sealed []byte, context string) ([]byte, error) {
	aead, ok := k.aeads[keyID]
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

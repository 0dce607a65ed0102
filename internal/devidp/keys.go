package devidp

import (
	"crypto"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	jose "github.com/go-jose/go-jose/v4"
)

// keyFile is the name of the signing key in the data folder.
const keyFile = "devidp-signing-key.pem"

// signingKey is the provider's one RSA key. RS256 because it is the one
// algorithm every verifier supports without configuration (go-oidc's default).
type signingKey struct {
	private *rsa.PrivateKey
	id      string   // the JWK thumbprint: the same key always has the same kid
	crypto  [32]byte // the op package's own encryption key, derived from the signing key
}

// loadOrCreateKey reads the signing key from dir, creating it on first use, so
// that tokens minted before a restart (or by `hub dev token`) still verify.
func loadOrCreateKey(dir string) (signingKey, error) {
	path := filepath.Join(dir, keyFile)
	der, err := readKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		der, err = createKey(dir, path)
	}
	if err != nil {
		return signingKey{}, err
	}
	return parseKey(der)
}

func readKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("devidp: %s is not a PEM private key", path)
	}
	return block.Bytes, nil
}

// createKey writes a new key beside its final name and links it into place,
// so that a server and a `hub dev token` starting together agree on one key
// and neither reads a half-written file.
func createKey(dir, path string) ([]byte, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("devidp: data folder: %w", err)
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, keyFile+".*")
	if err != nil {
		return nil, fmt.Errorf("devidp: write signing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return readKey(path)
	} else if err != nil {
		return nil, fmt.Errorf("devidp: write signing key: %w", err)
	}
	return der, nil
}

func parseKey(der []byte) (signingKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return signingKey{}, fmt.Errorf("devidp: signing key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return signingKey{}, errors.New("devidp: the signing key is not an RSA key")
	}
	thumb, err := (&jose.JSONWebKey{Key: &rk.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		return signingKey{}, err
	}
	sk := signingKey{private: rk, id: base64.RawURLEncoding.EncodeToString(thumb)}
	c, err := hkdf.Key(sha256.New, der, nil, "hub devidp op crypto key", len(sk.crypto))
	if err != nil {
		return signingKey{}, err
	}
	copy(sk.crypto[:], c)
	return sk, nil
}

package store

import (
	"fmt"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// freeText is a piece of free text as its columns hold it: sealed at rest,
// with the category it holds ("" for text written before free text carried
// one) and the agency that wrote it.
type freeText struct {
	keyID    string
	sealed   []byte
	category string
	author   string
}

// sealFree seals t at rest for writing under context.
func (db *DB) sealFree(t sealed.Text, context string) (freeText, error) {
	kid, ct, err := t.SealWith(db.keys, context)
	if err != nil {
		return freeText{}, err
	}
	f := freeText{keyID: kid, sealed: ct, author: t.Author()}
	if c, ok := t.Category(); ok {
		f.category = c.String()
	}
	return f, nil
}

// plainOf is the body of t, for a record the store builds around it (an
// order's sealed detail holds its conditions beside the court): the store
// holds the keys, so it opens what it has just sealed under context, as it
// opens every section it builds. Nothing outside the store can.
func (db *DB) plainOf(t sealed.Text, context string) (string, error) {
	kid, ct, err := t.SealWith(db.keys, context)
	if err != nil {
		return "", err
	}
	return db.openText(kid, ct, context)
}

// openFree opens columns written by sealFree into a sealed Text about the
// referral: the store decrypts it, but only package sharing can read it.
func (db *DB) openFree(referralID string, f freeText, context string) (sealed.Text, error) {
	body, err := db.openText(f.keyID, f.sealed, context)
	if err != nil {
		return sealed.Text{}, err
	}
	if f.category == "" {
		// Written before free text kept its kind, or no text at all:
		// still about the referral, so its writer and the force read it.
		return sealed.Unclassified(referralID, f.author, body), nil
	}
	c, err := category.Parse(f.category)
	if err != nil {
		return sealed.Text{}, fmt.Errorf("free text %s: %w", context, err)
	}
	return sealed.NewText(referralID, c, f.author, body), nil
}

// Package sealed carries personal data from the store to sharing.Release
// without letting anything else read it. A Section is one category of a
// referral; a Text is a piece of free text (research, a note, a message, a
// rationale) that names the category it holds. Both say which referral they
// belong to and which category they are, so that lists and audits can count
// them, but their content opens only with a capability.Token, which only
// packages under internal/sharing can obtain. A handler that tries to render
// sealed content without a View does not compile (see
// internal/web/sealed_guard_test.go).
package sealed

import (
	"errors"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/seal"
	"github.com/stalking-hub/hub/internal/sharing/internal/capability"
)

// Section is the content of one category of a referral, as JSON.
type Section struct {
	content []byte
}

// NewSection seals content read from the store. nil content is an empty
// section: the referral holds nothing of the category.
func NewSection(content []byte) Section { return Section{content: content} }

// Empty reports whether the referral holds nothing of the category.
func (s Section) Empty() bool { return len(s.content) == 0 }

// OpenSection returns the content. Only internal/sharing holds a token.
func OpenSection(s Section, t capability.Token) []byte {
	if !t.Valid() {
		return nil
	}
	return s.content
}

// Text is a piece of free text about a person, sealed with the category of
// information it holds and the agency that wrote it (police for the force).
// Text written before free text carried a category is unclassified: it is
// released only to the agency that wrote it and to the originating force.
type Text struct {
	referral   string
	cat        category.Category
	classified bool
	author     string
	body       string
}

// NewText seals body, written by agency author about referral referralID,
// as information of category cat.
func NewText(referralID string, cat category.Category, author, body string) Text {
	return Text{referral: referralID, cat: cat, classified: true, author: author, body: body}
}

// Unclassified seals body written before free text carried a category.
func Unclassified(referralID, author, body string) Text {
	return Text{referral: referralID, author: author, body: body}
}

// Referral is the id of the referral the text is about.
func (t Text) Referral() string { return t.referral }

// Category is the category the text holds, and false when it has none.
func (t Text) Category() (category.Category, bool) { return t.cat, t.classified }

// Author is the agency that wrote the text: police for the force.
func (t Text) Author() string { return t.author }

// Empty reports whether there is no text at all.
func (t Text) Empty() bool { return t.body == "" }

// OpenText returns the text. Only internal/sharing holds a token.
func OpenText(t Text, tok capability.Token) string {
	if !tok.Valid() {
		return ""
	}
	return t.body
}

// errSealed is what an encoder meets when it is handed sealed content.
var errSealed = errors.New("sealed personal data is shown only through sharing.Release")

// placeholder is what fmt and templates print for sealed content: never the content.
const placeholder = "[sealed]"

// String keeps fmt, logs and templates from printing the content.
func (Section) String() string { return placeholder }

// GoString keeps %#v from printing the content.
func (Section) GoString() string { return placeholder }

// MarshalJSON refuses: a section is encoded only from a View.
func (Section) MarshalJSON() ([]byte, error) { return nil, errSealed }

// String keeps fmt, logs and templates from printing the content.
func (Text) String() string { return placeholder }

// GoString keeps %#v from printing the content.
func (Text) GoString() string { return placeholder }

// MarshalJSON refuses: a text is encoded only once a View has released it.
func (Text) MarshalJSON() ([]byte, error) { return nil, errSealed }

// SealWith encrypts the text at rest with the keyring, for the store to
// write; empty text stays empty. It returns only ciphertext.
func (t Text) SealWith(k *seal.Keyring, context string) (keyID string, ciphertext []byte, err error) {
	if t.body == "" {
		return "", nil, nil
	}
	if k == nil {
		return "", nil, errors.New("no sealing keys")
	}
	return k.Seal([]byte(t.body), context)
}

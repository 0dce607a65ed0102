// Package capability holds the token that opens sealed personal data. It is
// internal to internal/sharing: Go refuses to build any package outside
// internal/sharing that imports it, so no handler, template or encoder can
// open a sealed section or text except through sharing.Release and its View.
package capability

// Token is proof that the caller is package sharing (or its sealed
// subpackage). Its unexported field keeps any other package from writing a
// value of it, even as an untyped struct literal.
type Token struct{ ok bool }

// Grant returns a token. Only packages under internal/sharing can call it.
func Grant() Token { return Token{ok: true} }

// Valid reports whether t was granted rather than zero.
func (t Token) Valid() bool { return t.ok }

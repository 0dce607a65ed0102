package audit

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Proof shows that one entry is in a signed tree: the entry's bytes, the
// hashes of the path from its leaf to the root (RFC 6962 audit path) and
// the signed tree. Anyone with the verifier key can check it without the
// database.
type Proof struct {
	Index int64
	Body  []byte
	Path  tlog.RecordProof
	Tree  []byte // a signed checkpoint or head
}

const proofTitle = "stalking-hub audit proof"

// String is the printable proof:
//
//	stalking-hub audit proof
//	index 57
//	entry {"index":57,...}
//	path BASE64
//	...
//	(blank line)
//	the signed tree note
func (p Proof) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nindex %d\nentry %s\n", proofTitle, p.Index, p.Body)
	for _, h := range p.Path {
		fmt.Fprintf(&b, "path %s\n", h)
	}
	b.WriteString("\n")
	b.Write(p.Tree)
	return b.String()
}

// ParseProof reads a proof printed by String.
func ParseProof(text []byte) (Proof, error) {
	bad := func(what string) (Proof, error) { return Proof{}, fmt.Errorf("audit proof: %s", what) }
	head, tree, ok := bytes.Cut(text, []byte("\n\n"))
	if !ok {
		return bad("no signed tree")
	}
	lines := strings.Split(string(head), "\n")
	if len(lines) < 3 || lines[0] != proofTitle {
		return bad("not an audit proof")
	}
	var p Proof
	idx, ok := strings.CutPrefix(lines[1], "index ")
	n, err := strconv.ParseInt(idx, 10, 64)
	if !ok || err != nil || n < 0 {
		return bad("bad index line")
	}
	p.Index = n
	body, ok := strings.CutPrefix(lines[2], "entry ")
	if !ok {
		return bad("bad entry line")
	}
	p.Body = []byte(body)
	for _, l := range lines[3:] {
		s, ok := strings.CutPrefix(l, "path ")
		h, err := tlog.ParseHash(s)
		if !ok || err != nil {
			return bad("bad path line")
		}
		p.Path = append(p.Path, h)
	}
	p.Tree = tree
	return p, nil
}

// Check verifies that the proof's entry is entry Index of its tree and that
// the tree is signed by v. It returns the entry and the tree.
func (p Proof) Check(v note.Verifier) (Entry, SignedTree, error) {
	st, err := OpenTree(p.Tree, v, Checkpoint)
	if err != nil {
		var errHead error
		if st, errHead = OpenTree(p.Tree, v, Head); errHead != nil {
			return Entry{}, SignedTree{}, err
		}
	}
	if claimed, ok := bodyIndex(p.Body); !ok || claimed != p.Index {
		return Entry{}, SignedTree{}, errors.New("audit proof: the entry does not name the index proved")
	}
	if p.Index >= st.Tree.N {
		return Entry{}, SignedTree{}, fmt.Errorf("audit proof: entry %d is outside the tree of size %d", p.Index, st.Tree.N)
	}
	if err := tlog.CheckRecord(p.Path, st.Tree.N, st.Tree.Hash, p.Index, LeafHash(p.Body)); err != nil {
		return Entry{}, SignedTree{}, fmt.Errorf("audit proof: entry %d is not in the signed tree of size %d: %w", p.Index, st.Tree.N, err)
	}
	e, err := Decode(p.Body)
	if err != nil {
		return Entry{}, SignedTree{}, err
	}
	return e, st, nil
}

// CheckProof parses a printed proof and checks it.
func CheckProof(text []byte, v note.Verifier) (Entry, SignedTree, error) {
	p, err := ParseProof(text)
	if err != nil {
		return Entry{}, SignedTree{}, err
	}
	return p.Check(v)
}

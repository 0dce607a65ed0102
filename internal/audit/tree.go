package audit

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// Frontier is the right edge of a log's Merkle tree: the roots of its
// complete subtrees, at most one per level. It is all that appending the
// next entry and computing the tree's root need, so neither the writer nor
// Verify keeps more than about 64 hashes in memory.
type Frontier struct {
	size  int64
	edges map[int64]tlog.Hash // stored hash index -> hash
}

// NewFrontier returns the frontier of the empty log.
func NewFrontier() *Frontier {
	return &Frontier{edges: map[int64]tlog.Hash{}}
}

// LoadFrontier reads the frontier of a log of size entries from its stored
// hashes, and returns it with the tree's root.
func LoadFrontier(size int64, r tlog.HashReader) (*Frontier, tlog.Hash, error) {
	f := NewFrontier()
	f.size = size
	// TreeHash asks for exactly the roots of the complete subtrees: keep them.
	root, err := tlog.TreeHash(size, tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		hs, err := r.ReadHashes(indexes)
		if err != nil {
			return nil, err
		}
		if len(hs) != len(indexes) {
			return nil, fmt.Errorf("audit: read %d stored hashes, want %d", len(hs), len(indexes))
		}
		for i, x := range indexes {
			f.edges[x] = hs[i]
		}
		return hs, nil
	}))
	if err != nil {
		return nil, tlog.Hash{}, err
	}
	return f, root, nil
}

// Size is the number of entries in the tree.
func (f *Frontier) Size() int64 { return f.size }

// ReadHashes serves the edge hashes to tlog.
func (f *Frontier) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	hs := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := f.edges[x]
		if !ok {
			return nil, fmt.Errorf("audit: stored hash %d is not on the frontier of a tree of size %d", x, f.size)
		}
		hs[i] = h
	}
	return hs, nil
}

// Append adds the entry with leaf hash leaf as entry Size() and returns the
// hashes to store for it, from stored hash index tlog.StoredHashIndex(0, Size()) on.
func (f *Frontier) Append(leaf tlog.Hash) []tlog.Hash {
	n := f.size
	hashes, err := tlog.StoredHashesForRecordHash(n, leaf, f)
	if err != nil {
		// The frontier holds every hash StoredHashesForRecordHash reads.
		panic(err)
	}
	// The new entry closes len(hashes)-1 subtrees: their left halves leave
	// the edge and the largest closed subtree joins it.
	top := len(hashes) - 1
	for level := range top {
		delete(f.edges, tlog.StoredHashIndex(level, n>>uint(level)-1))
	}
	f.edges[tlog.StoredHashIndex(top, n>>uint(top))] = hashes[top]
	f.size++
	return hashes
}

// Root is the hash of the whole tree.
func (f *Frontier) Root() tlog.Hash {
	h, err := tlog.TreeHash(f.size, f)
	if err != nil {
		panic(err)
	}
	return h
}

// Tree is the size and root of the tree.
func (f *Frontier) Tree() tlog.Tree { return tlog.Tree{N: f.size, Hash: f.Root()} }

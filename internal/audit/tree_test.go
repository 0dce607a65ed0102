package audit

import (
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// memHashes is a complete in-memory store of stored hashes, the way tlog's
// own tests keep them.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x >= int64(len(m)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = m[x]
	}
	return out, nil
}

func TestFrontierMatchesTlog(t *testing.T) {
	var all memHashes
	f := NewFrontier()
	for n := int64(0); n < 300; n++ {
		leaf := tlog.RecordHash(fmt.Appendf(nil, "entry %d", n))
		want, err := tlog.StoredHashesForRecordHash(n, leaf, all)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(all)) != tlog.StoredHashIndex(0, n) {
			t.Fatalf("entry %d: stored hashes start at %d, tlog says %d", n, len(all), tlog.StoredHashIndex(0, n))
		}
		got := f.Append(leaf)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("entry %d: stored hashes differ", n)
		}
		all = append(all, want...)
		root, err := tlog.TreeHash(n+1, all)
		if err != nil {
			t.Fatal(err)
		}
		if f.Root() != root || f.Size() != n+1 {
			t.Fatalf("size %d: root differs", n+1)
		}
		if len(f.edges) > 9 {
			t.Fatalf("size %d: frontier holds %d hashes", n+1, len(f.edges))
		}
	}
	// A frontier loaded from storage at any size carries on identically.
	for _, size := range []int64{0, 1, 2, 7, 64, 100, 255} {
		g, root, err := LoadFrontier(size, all)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := tlog.TreeHash(size, all)
		if root != want {
			t.Fatalf("LoadFrontier(%d): wrong root", size)
		}
		for n := size; n < 300; n++ {
			got := g.Append(tlog.RecordHash(fmt.Appendf(nil, "entry %d", n)))
			if got[0] != all[tlog.StoredHashIndex(0, n)] {
				t.Fatalf("loaded at %d: entry %d differs", size, n)
			}
		}
		if g.Root() != f.Root() {
			t.Fatalf("loaded at %d: final root differs", size)
		}
	}
}

package audit

import (
	"bytes"
	"fmt"
	"iter"
	"slices"
	"sort"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Stored is one entry as the log holds it.
type Stored struct {
	Index int64  // the position the store files it under
	Body  []byte // the canonical bytes
	// Hashes are the stored hashes written with the entry, the leaf hash
	// first (see Frontier.Append). Fewer than were written means some are
	// missing; nil skips the comparison.
	Hashes []tlog.Hash
	// Columns are the plain copies of some fields that the store keeps to
	// filter on; nil skips the comparison.
	Columns *Columns
}

// Log is everything Verify reads: the entries in index order, every
// checkpoint and the head, as signed notes.
type Log struct {
	Entries     iter.Seq2[Stored, error]
	Checkpoints [][]byte
	Head        []byte // nil when the store has none
}

// Reason says how a log is damaged.
type Reason string

// The ways a log can be damaged.
const (
	// Changed: the entry's bytes or stored hashes differ from those appended.
	Changed Reason = "changed"
	// Missing: the entry is gone and the ones after it kept their places.
	Missing Reason = "missing"
	// OutOfOrder: the place holds another entry's bytes (a swap or a move).
	OutOfOrder Reason = "out of order"
	// TailCut: the log ends before the size a signed tree gives it.
	TailCut Reason = "tail cut"
	// Unsigned: entries no signed tree covers, added behind the log's back
	// or left bare by a deleted head.
	Unsigned Reason = "unsigned"
	// BadSignature: a checkpoint or the head is forged, altered or malformed.
	BadSignature Reason = "bad signature"
)

// Failure is the first damage found.
type Failure struct {
	Reason Reason
	// Index is the first bad entry; when only a root disagreed, the bad
	// entry is one of Index..Last. Both are -1 when no entry is to blame.
	Index, Last int64
	Detail      string
}

// Report is the verdict on a whole log.
type Report struct {
	Entries     int64 // entries read and hashed
	Checkpoints int   // checkpoints whose signature and root matched
	Head        tlog.Tree
	Failure     *Failure // nil when the log is intact
}

// OK reports whether the log is intact.
func (r Report) OK() bool { return r.Failure == nil }

// String is a one-line verdict.
func (r Report) String() string {
	if r.OK() && r.Entries == 0 {
		return "audit log OK: empty"
	}
	if r.OK() {
		return fmt.Sprintf("audit log OK: %d entries, %d checkpoints and the head verified; root %s", r.Entries, r.Checkpoints, r.Head.Hash)
	}
	f := r.Failure
	switch {
	case f.Index < 0:
		return fmt.Sprintf("audit log DAMAGED: %s: %s", f.Reason, f.Detail)
	case f.Last > f.Index:
		return fmt.Sprintf("audit log DAMAGED: %s: an entry among %d..%d: %s", f.Reason, f.Index, f.Last, f.Detail)
	default:
		return fmt.Sprintf("audit log DAMAGED: %s: entry %d: %s", f.Reason, f.Index, f.Detail)
	}
}

// Verify rebuilds the tree from the entries' bytes alone and checks it
// against every checkpoint and the head, which must be signed by v. It stops
// at the first damage and names it. Entries are read once, in order, and
// never held: memory stays flat however long the log. The error is for a
// failure to read the log, not for damage to it.
//
// What it cannot see: a whole database put back to an older copy of itself
// is a consistent, older log. Keep checkpoints somewhere the database's
// keeper cannot rewrite (and the signing key off the database's disk) to
// catch that too.
func Verify(v note.Verifier, log Log) (Report, error) {
	var rep Report
	fail := func(r Reason, first, last int64, format string, args ...any) (Report, error) {
		rep.Failure = &Failure{Reason: r, Index: first, Last: last, Detail: fmt.Sprintf(format, args...)}
		return rep, nil
	}

	// A signed tree that does not open gives no size to trust, so it is
	// reported before any entry is read.
	var anchors []SignedTree
	for _, msg := range log.Checkpoints {
		st, err := OpenTree(msg, v, Checkpoint)
		if err != nil {
			return fail(BadSignature, -1, -1, "the checkpoint %s: %v", claimedSize(msg), err)
		}
		anchors = append(anchors, st)
	}
	if log.Head != nil {
		st, err := OpenTree(log.Head, v, Head)
		if err != nil {
			return fail(BadSignature, -1, -1, "the head %s: %v", claimedSize(log.Head), err)
		}
		rep.Head = st.Tree
		anchors = append(anchors, st)
	}
	// A head equal in size to a checkpoint is checked after it.
	sort.SliceStable(anchors, func(i, j int) bool { return anchors[i].Tree.N < anchors[j].Tree.N })
	signedSize := int64(0)
	if len(anchors) > 0 {
		signedSize = anchors[len(anchors)-1].Tree.N
	}

	f := NewFrontier()
	good := int64(0) // the size of the last tree that matched
	next := 0        // the next anchor to check
	check := func() *Failure {
		for ; next < len(anchors) && anchors[next].Tree.N == f.Size(); next++ {
			a := anchors[next]
			if root := f.Root(); root != a.Tree.Hash {
				return &Failure{Reason: Changed, Index: good, Last: f.Size() - 1,
					Detail: fmt.Sprintf("the entries and their stored hashes agree but not with the signed %s of size %d", a.Kind, a.Tree.N)}
			}
			good = f.Size()
			if a.Kind == Checkpoint {
				rep.Checkpoints++
			}
		}
		return nil
	}
	if fl := check(); fl != nil {
		rep.Failure = fl
		return rep, nil
	}
	for s, err := range log.Entries {
		if err != nil {
			return rep, err
		}
		n := f.Size()
		switch {
		case s.Index < n:
			return fail(OutOfOrder, s.Index, s.Index, "found again after entry %d", n-1)
		case s.Index > n:
			return fail(Missing, n, n, "the log goes from entry %d to entry %d", n-1, s.Index)
		case n >= signedSize:
			return fail(Unsigned, n, n, "no checkpoint or head covers entries from %d on", n)
		}
		claimed, ok := bodyIndex(s.Body)
		if ok && claimed != n {
			return fail(OutOfOrder, n, n, "its place holds the bytes of entry %d", claimed)
		}
		hashes := f.Append(LeafHash(s.Body))
		rep.Entries++
		if s.Hashes != nil {
			switch {
			case len(s.Hashes) == 0:
				return fail(Changed, n, n, "its stored leaf hash is missing")
			case s.Hashes[0] != hashes[0]:
				return fail(Changed, n, n, "its bytes do not match the leaf hash stored when it was appended")
			case len(s.Hashes) != len(hashes):
				return fail(Changed, n, n, "stored hashes of the subtrees it completes are missing")
			case !slices.Equal(s.Hashes, hashes):
				return fail(Changed, n, n, "a stored hash of a subtree it completes was changed")
			}
		}
		if !ok {
			return fail(Changed, n, n, "its bytes are not a canonical entry")
		}
		if s.Columns != nil {
			if col := changedColumn(s.Body, *s.Columns); col != "" {
				return fail(Changed, n, n, "its %s column no longer matches its bytes", col)
			}
		}
		if fl := check(); fl != nil {
			rep.Failure = fl
			return rep, nil
		}
	}
	if n := f.Size(); n < signedSize {
		return fail(TailCut, n, n, "signed trees give the log %d entries; it ends after %d", signedSize, n)
	}
	if log.Head == nil && f.Size() > 0 {
		return fail(Unsigned, -1, -1, "the signed head is missing")
	}
	return rep, nil
}

// claimedSize names the size an unverified signed tree claims, for a report.
func claimedSize(msg []byte) string {
	end := bytes.Index(msg, []byte("\n\n"))
	if t, err := tlog.ParseTree(msg[:end+1]); end >= 0 && err == nil {
		return fmt.Sprintf("claiming size %d", t.N)
	}
	return "(unreadable)"
}

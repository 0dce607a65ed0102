package audit

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// memLog is a log kept in memory the way the store keeps it: bodies,
// stored hashes, checkpoints and a head.
type memLog struct {
	columns     map[int64]Columns // filter columns to present with entries
	bodies      [][]byte
	hashes      memHashes
	checkpoints [][]byte
	head        []byte
}

func buildLog(t testing.TB, s note.Signer, size, every int) *memLog {
	t.Helper()
	l := &memLog{}
	f := NewFrontier()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i := range size {
		e := Entry{Index: int64(i), Time: at.Add(time.Duration(i) * time.Second), Actor: "idp|officer-1",
			Action: Release, Record: "ref-1", Agency: "housing", Shown: []string{"identity"}}
		b, err := e.Encode()
		if err != nil {
			t.Fatal(err)
		}
		l.bodies = append(l.bodies, b)
		l.hashes = append(l.hashes, f.Append(LeafHash(b))...)
		if (i+1)%every == 0 {
			cp, err := SignTree(s, Checkpoint, f.Tree(), at)
			if err != nil {
				t.Fatal(err)
			}
			l.checkpoints = append(l.checkpoints, cp.Note)
		}
	}
	head, err := SignTree(s, Head, f.Tree(), at)
	if err != nil {
		t.Fatal(err)
	}
	l.head = head.Note
	return l
}

// log presents the rows as a store would read them: rows in index order,
// each with the stored hashes filed from its leaf on.
func (l *memLog) log(indexes []int64) Log {
	return Log{
		Checkpoints: l.checkpoints,
		Head:        l.head,
		Entries: func(yield func(Stored, error) bool) {
			for _, i := range indexes {
				start := tlog.StoredHashIndex(0, i)
				end := tlog.StoredHashCount(i + 1)
				s := Stored{Index: i, Body: l.bodies[i], Hashes: l.hashes[start:end]}
				if c, ok := l.columns[i]; ok {
					s.Columns = &c
				}
				if !yield(s, nil) {
					return
				}
			}
		},
	}
}

func upTo(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i)
	}
	return out
}

func TestVerify(t *testing.T) {
	s, v := newKey(t, "hub-audit")
	_, otherV := newKey(t, "hub-audit")
	const size, every = 250, 40 // checkpoints at 40, 80, ..., 240; the head at 250

	cases := []struct {
		name    string
		tamper  func(l *memLog) []int64 // returns the indexes the store would list
		verify  note.Verifier
		reason  Reason
		first   int64
		last    int64
		message string
	}{
		{name: "intact", tamper: func(*memLog) []int64 { return upTo(size) }},
		{name: "changed body", reason: Changed, first: 77, last: 77, tamper: func(l *memLog) []int64 {
			l.bodies[77] = bytes.Replace(l.bodies[77], []byte("housing"), []byte("probation"), 1)
			return upTo(size)
		}},
		{name: "changed body with its hashes rewritten", reason: Changed, first: 40, last: 79, tamper: func(l *memLog) []int64 {
			l.bodies[77] = bytes.Replace(l.bodies[77], []byte("housing"), []byte("probation"), 1)
			l.rehash()
			return upTo(size)
		}},
		{name: "changed after the last checkpoint, hashes rewritten", reason: Changed, first: 240, last: 249, tamper: func(l *memLog) []int64 {
			l.bodies[245] = bytes.Replace(l.bodies[245], []byte("housing"), []byte("probation"), 1)
			l.rehash()
			return upTo(size)
		}},
		{name: "changed interior hash", reason: Changed, first: 63, last: 63, tamper: func(l *memLog) []int64 {
			l.hashes[tlog.StoredHashIndex(0, 63)+3][0] ^= 1
			return upTo(size)
		}},
		{name: "filter columns intact", tamper: func(l *memLog) []int64 {
			l.columns = map[int64]Columns{}
			for i, b := range l.bodies {
				e, _ := Decode(b)
				l.columns[int64(i)] = Columns{Time: e.Time, Actor: e.Actor, Action: e.Action, Record: e.Record, Agency: e.Agency}
			}
			return upTo(size)
		}},
		{name: "filter column changed", reason: Changed, first: 12, last: 12, message: "actor column", tamper: func(l *memLog) []int64 {
			e, _ := Decode(l.bodies[12])
			l.columns = map[int64]Columns{12: {Time: e.Time, Actor: "idp|someone-else", Action: e.Action, Record: e.Record, Agency: e.Agency}}
			return upTo(size)
		}},
		{name: "deleted", reason: Missing, first: 120, last: 120, tamper: func(*memLog) []int64 {
			return slices.Delete(upTo(size), 120, 121)
		}},
		{name: "swapped", reason: OutOfOrder, first: 30, last: 30, tamper: func(l *memLog) []int64 {
			l.bodies[30], l.bodies[200] = l.bodies[200], l.bodies[30]
			return upTo(size)
		}},
		{name: "swapped with their hashes", reason: OutOfOrder, first: 30, last: 30, tamper: func(l *memLog) []int64 {
			l.bodies[30], l.bodies[200] = l.bodies[200], l.bodies[30]
			l.rehash()
			return upTo(size)
		}},
		{name: "deleted and renumbered", reason: OutOfOrder, first: 120, last: 120, tamper: func(l *memLog) []int64 {
			l.bodies = slices.Delete(l.bodies, 120, 121)
			return upTo(size - 1)
		}},
		{name: "tail cut after the last checkpoint", reason: TailCut, first: 240, last: 240, tamper: func(*memLog) []int64 {
			return upTo(240)
		}},
		{name: "tail cut with its checkpoints", reason: TailCut, first: 100, last: 100, tamper: func(l *memLog) []int64 {
			l.checkpoints = l.checkpoints[:2]
			return upTo(100)
		}},
		{name: "entries added behind the log's back", reason: Unsigned, first: 250, last: 250, tamper: func(l *memLog) []int64 {
			f := NewFrontier()
			for _, b := range l.bodies {
				f.Append(LeafHash(b))
			}
			e := Entry{Index: 250, Time: time.Now(), Actor: "x", Action: SignIn}
			b, _ := e.Encode()
			l.bodies = append(l.bodies, b)
			l.hashes = append(l.hashes, f.Append(LeafHash(b))...)
			return upTo(size + 1)
		}},
		{name: "head deleted", reason: Unsigned, first: 240, last: 240, tamper: func(l *memLog) []int64 {
			l.head = nil
			return upTo(size)
		}},
		{name: "head replaced by a checkpoint", reason: BadSignature, first: -1, last: -1, message: "not an audit head", tamper: func(l *memLog) []int64 {
			l.head = l.checkpoints[len(l.checkpoints)-1]
			return upTo(240)
		}},
		{name: "checkpoint signature changed", reason: BadSignature, first: -1, last: -1, message: "checkpoint claiming size 120: checkpoint signature: invalid signature", tamper: func(l *memLog) []int64 {
			cp := l.checkpoints[2]
			i := bytes.LastIndexByte(cp, ' ') + 20 // inside the signature, past the key hash
			cp[i] = map[bool]byte{true: 'B', false: 'A'}[cp[i] == 'A']
			return upTo(size)
		}},
		{name: "another key", verify: otherV, reason: BadSignature, first: -1, last: -1, tamper: func(*memLog) []int64 { return upTo(size) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := buildLog(t, s, size, every)
			indexes := c.tamper(l)
			ver := v
			if c.verify != nil {
				ver = c.verify
			}
			rep, err := Verify(ver, l.log(indexes))
			if err != nil {
				t.Fatal(err)
			}
			if c.reason == "" {
				if !rep.OK() || rep.Entries != size || rep.Checkpoints != size/every || rep.Head.N != size {
					t.Fatalf("intact log: %s (%+v)", rep, rep)
				}
				if !strings.HasPrefix(rep.String(), "audit log OK: 250 entries, 6 checkpoints") {
					t.Fatalf("verdict %q", rep)
				}
				return
			}
			if rep.OK() {
				t.Fatalf("tampering not found: %s", rep)
			}
			f := rep.Failure
			if f.Reason != c.reason || f.Index != c.first || f.Last != c.last || !strings.Contains(f.Detail, c.message) {
				t.Fatalf("got %s (%+v); want %s at %d..%d", rep, *f, c.reason, c.first, c.last)
			}
			if !strings.Contains(rep.String(), "DAMAGED") {
				t.Fatalf("verdict %q", rep)
			}
		})
	}
}

// rehash rewrites every stored hash from the bodies, as a careful forger would.
func (l *memLog) rehash() {
	f := NewFrontier()
	l.hashes = nil
	for _, b := range l.bodies {
		l.hashes = append(l.hashes, f.Append(LeafHash(b))...)
	}
}

func TestVerifyEmptyLog(t *testing.T) {
	_, v := newKey(t, "hub-audit")
	rep, err := Verify(v, Log{Entries: func(func(Stored, error) bool) {}})
	if err != nil || !rep.OK() || rep.Entries != 0 || rep.String() != "audit log OK: empty" {
		t.Fatalf("empty log: %s, %v", rep, err)
	}
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/pgtest"
)

// auditClock is a test clock that moves a millisecond each time it is read.
type auditClock struct{ t atomic.Int64 }

func (c *auditClock) now() time.Time {
	return time.UnixMilli(c.t.Add(1)).UTC()
}

// openAuditDB opens a migrated database in dir with a fresh audit key.
// openAuditDB opens the log's database of dir on the suite's backend: the
// file in dir on SQLite, on PostgreSQL a database of dir's own, the same
// each time dir is opened again (as a second process would).
func openAuditDB(t testing.TB, dir string, every int) (*DB, note.Verifier) {
	t.Helper()
	var db *DB
	var err error
	if onPostgres(t) {
		db, err = OpenPostgres(auditDatabase(t, dir), 2)
	} else {
		db, err = Open(filepath.Join(dir, "hub.db"), 2)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &auditClock{}
	clock.t.Store(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC).UnixMilli())
	db.Now = clock.now
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	s, v, err := audit.LoadOrCreateKey(filepath.Join(dir, "audit.key"), "hub-test-audit")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetAuditSigner(s, v, every, time.Hour); err != nil {
		t.Fatal(err)
	}
	return db, v
}

// auditDatabases are the PostgreSQL databases of the folders openAuditDB
// was given.
var auditDatabases sync.Map

// auditDatabase is the URL of dir's PostgreSQL database, made migrated on
// first use.
func auditDatabase(t testing.TB, dir string) string {
	t.Helper()
	if u, ok := auditDatabases.Load(dir); ok {
		return u.(string)
	}
	u := pgtest.Clone(t, testPrefix(), "hub_tmpl_"+PostgresSchema(), buildTemplate)
	auditDatabases.Store(dir, u)
	t.Cleanup(func() { auditDatabases.Delete(dir) })
	return u
}

func releaseEntry(actor string, n int) audit.Entry {
	return audit.Entry{
		Actor: actor, ActorAgency: "housing", Action: audit.Release,
		Record: "ref-" + strconv.Itoa(n%7), Agency: "housing", Purpose: "referral",
		Shown: []string{"identity", "safe_contact"}, Withheld: []string{"health"},
		Rules: []string{"isa.housing.referral"}, Basis: "consent", Detail: "read " + strconv.Itoa(n),
	}
}

// rawSQL runs statements on the database file behind the hub's back, as
// someone with the file could; the append-only triggers go first.
func rawSQL(t *testing.T, path string, stmts ...string) {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, tr := range []string{"entries", "hashes", "checkpoints"} {
		for _, op := range []string{"update", "delete"} {
			stmts = append([]string{fmt.Sprintf("DROP TRIGGER IF EXISTS audit_%s_append_only_%s", tr, op)}, stmts...)
		}
	}
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// replaceInEntry changes the text old to new in entry idx's body behind the
// hub's back, as someone with the database could: on SQLite through the
// file, on PostgreSQL with the append-only trigger switched off meanwhile.
func replaceInEntry(t *testing.T, db *DB, idx int64, old, new string) {
	t.Helper()
	if !db.Postgres() {
		rawSQL(t, db.Path(), fmt.Sprintf(`UPDATE audit_entries SET body = CAST(replace(CAST(body AS TEXT), '%s', '%s') AS BLOB) WHERE idx = %d`, old, new, idx))
		return
	}
	if _, err := db.w.Exec(fmt.Sprintf(`ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only_update;
		UPDATE audit_entries SET body = convert_to(replace(convert_from(body, 'UTF8'), '%s', '%s'), 'UTF8') WHERE idx = %d;
		ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only_update`, old, new, idx)); err != nil {
		t.Fatal(err)
	}
}

func TestAuditVerifyNamesTampering(t *testing.T) {
	sqliteOnly(t) // rewrites the file behind the hub's back
	ctx := context.Background()
	dir := t.TempDir()
	db, v := openAuditDB(t, dir, 50)
	// 31 batches of 10: checkpoints at 50, 100, ..., 300; the head at 310.
	for b := range 31 {
		batch := make([]audit.Entry, 10)
		for i := range batch {
			batch[i] = releaseEntry("idp|housing-1", b*10+i)
		}
		if err := db.Audit(ctx, batch...); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := db.VerifyAudit(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Entries != 310 || rep.Checkpoints != 6 || rep.Head.N != 310 {
		t.Fatalf("untouched log: %s", rep)
	}

	cases := []struct {
		name   string
		stmts  []string
		reason audit.Reason
		index  int64
	}{
		{"untouched", nil, "", 0},
		{"changed entry", []string{`UPDATE audit_entries SET body = CAST(replace(CAST(body AS TEXT), '"read 123"', '"read 124"') AS BLOB) WHERE idx = 123`}, audit.Changed, 123},
		{"record column changed, hiding the entry from its record's history", []string{`UPDATE audit_entries SET record = 'ref-elsewhere' WHERE idx = 99`}, audit.Changed, 99},
		{"deleted entry", []string{`DELETE FROM audit_entries WHERE idx = 77`}, audit.Missing, 77},
		{"swapped entries", []string{
			`CREATE TEMP TABLE pair AS SELECT idx, body FROM audit_entries WHERE idx IN (30, 200)`,
			`UPDATE audit_entries SET body = (SELECT body FROM pair WHERE pair.idx = 230 - audit_entries.idx) WHERE idx IN (30, 200)`,
		}, audit.OutOfOrder, 30},
		{"tail cut after the last checkpoint", []string{`DELETE FROM audit_entries WHERE idx >= 300`}, audit.TailCut, 300},
		{"tail cut with the head put back to the last checkpoint", []string{
			`DELETE FROM audit_entries WHERE idx >= 300`,
			`UPDATE audit_head SET size = 300, note = (SELECT note FROM audit_checkpoints WHERE size = 300)`,
		}, audit.BadSignature, -1},
		{"checkpoint signature", []string{
			`UPDATE audit_checkpoints SET note = replace(note, char(10) || '150' || char(10), char(10) || '151' || char(10)) WHERE size = 150`,
		}, audit.BadSignature, -1},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			copyPath := filepath.Join(dir, fmt.Sprintf("case%d.db", i))
			rawSQL(t, db.Path(), "VACUUM INTO '"+copyPath+"'")
			rawSQL(t, copyPath, c.stmts...)
			tampered, err := Open(copyPath, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer tampered.Close()
			if err := tampered.SetAuditSigner(nil, v, 50, time.Hour); err != nil {
				t.Fatal(err)
			}
			rep, err := tampered.VerifyAudit(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.reason == "" {
				if !rep.OK() || rep.Entries != 310 {
					t.Fatalf("want OK, got %s", rep)
				}
				return
			}
			if rep.OK() || rep.Failure.Reason != c.reason || rep.Failure.Index != c.index {
				t.Fatalf("want %s at entry %d, got %s", c.reason, c.index, rep)
			}
			t.Log(rep)
		})
	}
}

// TestAuditVerifyLongLog crosses the batches VerifyAudit reads in, and
// stops early both in the first batch and in a later one.
func TestAuditVerifyLongLog(t *testing.T) {
	ctx := context.Background()
	db, _ := openAuditDB(t, t.TempDir(), 500)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for b := range 25 {
			batch := make([]audit.Entry, 100)
			for i := range batch {
				batch[i] = releaseEntry("idp|a", b*100+i)
			}
			if err := db.appendAudit(ctx, tx, batch...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var calls []int64
	rep, err := db.VerifyAudit(ctx, func(done, total int64) {
		if total != 2500 {
			t.Errorf("progress total %d", total)
		}
		calls = append(calls, done)
	})
	if err != nil || !rep.OK() || rep.Entries != 2500 || rep.Checkpoints != 5 {
		t.Fatalf("verify: %s, %v", rep, err)
	}
	if len(calls) == 0 || calls[len(calls)-1] != 2500 {
		t.Fatalf("progress %v", calls)
	}
	for _, idx := range []int64{2100, 5} {
		replaceInEntry(t, db, idx, "housing", "probation")
		rep, err := db.VerifyAudit(ctx, nil)
		if err != nil || rep.OK() || rep.Failure.Reason != audit.Changed || rep.Failure.Index != idx {
			t.Fatalf("entry %d changed: %s, %v", idx, rep, err)
		}
	}
}

func TestAuditGroupCommit(t *testing.T) {
	ctx := context.Background()
	db, _ := openAuditDB(t, t.TempDir(), 100)
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for g := range 50 {
		wg.Go(func() {
			for i := range 20 {
				errs <- db.Audit(ctx, releaseEntry(fmt.Sprintf("idp|user-%d", g), i))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	next := int64(0)
	for {
		page, err := db.AuditEntries(ctx, AuditFilter{Cursor: next, Limit: 300})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if e.Index != next {
				t.Fatalf("entry %d where %d was due", e.Index, next)
			}
			key := e.Actor + "/" + e.Detail
			if seen[key] {
				t.Fatalf("%s recorded twice", key)
			}
			seen[key] = true
			next++
		}
		next = page[len(page)-1].Index + 1
	}
	if len(seen) != 1000 {
		t.Fatalf("%d entries, want 1000", len(seen))
	}
	var progressed int64
	rep, err := db.VerifyAudit(ctx, func(done, total int64) { progressed = done })
	if err != nil || !rep.OK() || rep.Entries != 1000 || progressed != 1000 {
		t.Fatalf("verify: %s, %v, progress %d", rep, err, progressed)
	}
	// Checkpoints come at least every 100 entries apart, and none is owed.
	rows, err := db.r.Query(`SELECT size FROM audit_checkpoints ORDER BY size`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var sizes []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		if len(sizes) > 0 && n-sizes[len(sizes)-1] < 100 || len(sizes) == 0 && n < 100 {
			t.Fatalf("checkpoint at %d after %v", n, sizes)
		}
		sizes = append(sizes, n)
	}
	if len(sizes) != rep.Checkpoints || 1000-sizes[len(sizes)-1] >= 100 {
		t.Fatalf("checkpoints at %v; verify counted %d", sizes, rep.Checkpoints)
	}
}

func TestAuditFailsClosed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var db *DB
	var err error
	if onPostgres(t) {
		db, err = OpenPostgres(pgtest.Clone(t, testPrefix(), "hub_tmpl_"+PostgresSchema(), buildTemplate), 1)
	} else {
		db, err = Open(filepath.Join(dir, "hub.db"), 1)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		t.Helper()
		if err := db.r.QueryRow(`SELECT (SELECT COUNT(*) FROM audit_entries) + (SELECT COUNT(*) FROM audit_hashes) + (SELECT COUNT(*) FROM audit_head)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := db.Audit(ctx, releaseEntry("idp|a", 1)); !errors.Is(err, errNoAuditSigner) {
		t.Fatalf("Audit with no key: %v", err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error { return db.appendAudit(ctx, tx, releaseEntry("idp|a", 1)) })
	if !errors.Is(err, errNoAuditSigner) {
		t.Fatalf("appendAudit with no key: %v", err)
	}
	// A verifier alone lets one read the log, not add to it.
	_, v, err := audit.LoadOrCreateKey(filepath.Join(dir, "audit.key"), "hub-test-audit")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetAuditSigner(nil, v, 10, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := db.Audit(ctx, releaseEntry("idp|a", 1)); !errors.Is(err, errNoAuditSigner) {
		t.Fatalf("Audit with a verifier only: %v", err)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d audit rows written without a key", n)
	}
	// A signer whose verifier is another key's is refused outright.
	other, _, err := audit.LoadOrCreateKey(filepath.Join(dir, "other.key"), "hub-test-audit")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetAuditSigner(other, v, 10, time.Minute); err == nil {
		t.Fatal("mismatched keys accepted")
	}
	// An invalid entry fails its caller and writes nothing.
	if err := db.Audit(ctx, audit.Entry{Actor: "idp|a", Action: "peek"}); err == nil {
		t.Fatal("an entry with an unknown action was accepted")
	}
	if n := count(); n != 0 {
		t.Fatalf("%d audit rows written", n)
	}
	db.Close()
	if err := db.Audit(ctx, releaseEntry("idp|a", 1)); err == nil {
		t.Fatal("Audit after Close succeeded")
	}
}

func TestAuditAppendFollowsItsTransaction(t *testing.T) {
	ctx := context.Background()
	db, _ := openAuditDB(t, t.TempDir(), 1000)
	if err := db.Audit(ctx, releaseEntry("idp|a", 1), releaseEntry("idp|a", 2)); err != nil {
		t.Fatal(err)
	}
	// The change the entries record fails: the entries go with it.
	boom := errors.New("the recorded change failed")
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.appendAudit(ctx, tx, releaseEntry("idp|b", 3), releaseEntry("idp|b", 4), releaseEntry("idp|b", 5)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	// The next appends start where the committed log ends, in and out of other transactions.
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		return db.appendAudit(ctx, tx, audit.Entry{Actor: "idp|admin", Action: audit.MembershipGranted, Detail: "role auditor"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Audit(ctx, releaseEntry("idp|c", 6)); err != nil {
		t.Fatal(err)
	}
	es, err := db.AuditEntries(ctx, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%d:%s", e.Index, e.Actor))
	}
	if want := "0:idp|a 1:idp|a 2:idp|admin 3:idp|c"; strings.Join(got, " ") != want {
		t.Fatalf("log holds %v, want %s", got, want)
	}
	rep, err := db.VerifyAudit(ctx, nil)
	if err != nil || !rep.OK() || rep.Entries != 4 {
		t.Fatalf("verify: %s %v", rep, err)
	}
}

// TestAuditTwoProcesses appends from two handles on one file, as `hub
// serve` and an operator's `hub users` do: each must see the other's appends.
func TestAuditTwoProcesses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	serve, v := openAuditDB(t, dir, 1000)
	cli, _ := openAuditDB(t, dir, 1000)
	for i, db := range []*DB{serve, cli, serve, cli, cli, serve} {
		if err := db.Audit(ctx, releaseEntry("idp|a", i)); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	rep, err := serve.VerifyAudit(ctx, nil)
	if err != nil || !rep.OK() || rep.Entries != 6 {
		t.Fatalf("verify: %s %v", rep, err)
	}
	text, err := cli.ProveAudit(ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	if e, _, err := audit.CheckProof([]byte(text), v); err != nil || e.Detail != "read 4" {
		t.Fatalf("proof: %+v %v", e, err)
	}
}

func TestAuditProveAndCheckpoint(t *testing.T) {
	ctx := context.Background()
	db, v := openAuditDB(t, t.TempDir(), 40)
	for i := range 100 {
		if err := db.Audit(ctx, releaseEntry("idp|a", i)); err != nil {
			t.Fatal(err)
		}
	}
	// Checkpoints at 40 and 80; entry 57 is proved in the one of size 80.
	text, err := db.ProveAudit(ctx, 57)
	if err != nil {
		t.Fatal(err)
	}
	e, tree, err := audit.CheckProof([]byte(text), v)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if e.Index != 57 || e.Detail != "read 57" || tree.Kind != audit.Checkpoint || tree.Tree.N != 80 {
		t.Fatalf("proof of %+v in %s %d", e, tree.Kind, tree.Tree.N)
	}
	// Entry 90 is past the last checkpoint: the head proves it until a checkpoint is forced.
	text, err = db.ProveAudit(ctx, 90)
	if err != nil {
		t.Fatal(err)
	}
	if _, tree, err = audit.CheckProof([]byte(text), v); err != nil || tree.Kind != audit.Head || tree.Tree.N != 100 {
		t.Fatalf("proof of 90: %s %d, %v", tree.Kind, tree.Tree.N, err)
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	text, err = db.ProveAudit(ctx, 90)
	if err != nil {
		t.Fatal(err)
	}
	if _, tree, err = audit.CheckProof([]byte(text), v); err != nil || tree.Kind != audit.Checkpoint || tree.Tree.N != 100 {
		t.Fatalf("proof of 90 after Checkpoint: %s %d, %v", tree.Kind, tree.Tree.N, err)
	}
	if _, err := db.ProveAudit(ctx, 100); err == nil {
		t.Fatal("a proof of an entry that does not exist")
	}
	rep, err := db.VerifyAudit(ctx, nil)
	if err != nil || !rep.OK() || rep.Checkpoints != 3 {
		t.Fatalf("verify: %s %v", rep, err)
	}
}

func TestAuditEntriesFilter(t *testing.T) {
	ctx := context.Background()
	db, _ := openAuditDB(t, t.TempDir(), 1000)
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 30 {
		e := releaseEntry(fmt.Sprintf("idp|user-%d", i%3), i)
		e.Time = t0.Add(time.Duration(i) * time.Hour)
		if err := db.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		f    AuditFilter
		want string // indexes
	}{
		{"record", AuditFilter{Record: "ref-3"}, "3 10 17 24"},
		{"actor", AuditFilter{Actor: "idp|user-1", Limit: 4}, "1 4 7 10"},
		{"actor, next page", AuditFilter{Actor: "idp|user-1", Limit: 4, Cursor: 11}, "13 16 19 22"},
		{"record and actor", AuditFilter{Record: "ref-3", Actor: "idp|user-1"}, "10"},
		{"from and to", AuditFilter{From: t0.Add(5 * time.Hour), To: t0.Add(9 * time.Hour)}, "5 6 7 8"},
		{"action", AuditFilter{Action: audit.SignIn}, ""},
		{"agency", AuditFilter{Agency: "housing", Limit: 2}, "0 1"},
	}
	for _, c := range cases {
		es, err := db.AuditEntries(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, strconv.FormatInt(e.Index, 10))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: got %v, want %s", c.name, got, c.want)
		}
	}
}

// BenchmarkAudit measures standalone appends through the group commit from
// many goroutines, as concurrent releases make them.
func BenchmarkAudit(b *testing.B) {
	ctx := context.Background()
	db, _ := openAuditDB(b, b.TempDir(), 1000)
	db.Now = time.Now
	b.SetParallelism(32)
	var n atomic.Int64
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := db.Audit(ctx, releaseEntry("idp|bench", int(n.Add(1)))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "entries/s")
}

// BenchmarkVerifyAudit builds a log of HUB_AUDIT_BENCH_SIZE entries
// (1,000,000 when unset) and times VerifyAudit over it. Run it alone:
//
//	go test ./internal/store -run '^$' -bench VerifyAudit -benchtime 1x
func BenchmarkVerifyAudit(b *testing.B) {
	size := 1_000_000
	if s := os.Getenv("HUB_AUDIT_BENCH_SIZE"); s != "" {
		var err error
		if size, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	db, _ := openAuditDB(b, b.TempDir(), 10000)
	// A large page cache keeps the build's big transactions from spilling.
	if _, err := db.w.Exec(`PRAGMA cache_size = -262144`); err != nil {
		b.Fatal(err)
	}
	built := time.Now()
	const perTx, perCall = 50000, 1000
	for done := 0; done < size; {
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			for end := min(done+perTx, size); done < end; {
				batch := make([]audit.Entry, min(perCall, end-done))
				for i := range batch {
					batch[i] = releaseEntry("idp|housing-"+strconv.Itoa(done%50), done+i)
				}
				if err := db.appendAudit(ctx, tx, batch...); err != nil {
					return err
				}
				done += len(batch)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("built %d entries in %v", size, time.Since(built).Round(time.Millisecond))
	b.ResetTimer()
	for b.Loop() {
		rep, err := db.VerifyAudit(ctx, nil)
		if err != nil || !rep.OK() || rep.Entries != int64(size) {
			b.Fatalf("%s %v", rep, err)
		}
	}
}

// VerifyAudit reads the entries in chunks of their own transactions: a log
// over two chunks verifies whole, and a change past the first chunk's end
// is found at its index.
func TestAuditVerifyAcrossChunks(t *testing.T) {
	ctx := context.Background()
	db, _ := openAuditDB(t, t.TempDir(), 5000)
	size := 2*verifyChunk + 700
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for done := 0; done < size; {
			batch := make([]audit.Entry, min(1000, size-done))
			for i := range batch {
				batch[i] = releaseEntry("idp|a", done+i)
			}
			if err := db.appendAudit(ctx, tx, batch...); err != nil {
				return err
			}
			done += len(batch)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := db.VerifyAudit(ctx, nil)
	if err != nil || !rep.OK() || rep.Entries != int64(size) {
		t.Fatalf("verify: %s, %v", rep, err)
	}
	for _, idx := range []int64{verifyChunk + 3, 2 * verifyChunk} {
		replaceInEntry(t, db, idx, "housing", "probation")
		rep, err := db.VerifyAudit(ctx, nil)
		if err != nil || rep.OK() || rep.Failure.Reason != audit.Changed || rep.Failure.Index != idx {
			t.Fatalf("entry %d changed: %s, %v", idx, rep, err)
		}
		replaceInEntry(t, db, idx, "probation", "housing")
	}
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/problem"
)

// auditLog is the DB's side of the audit log: the key that signs it, the
// frontier of its tree as of the last append, and the group commit that
// writes standalone entries.
type auditLog struct {
	mu       sync.Mutex // guards the fields up to life; held through each append
	signer   note.Signer
	verifier note.Verifier
	policy   audit.Policy
	// frontier is the tree as of the signed head note head. It is trusted
	// only while the database's head is that very note: a transaction that
	// rolls back leaves the old head, and the next append reloads.
	frontier *audit.Frontier
	head     string

	life    sync.Mutex // guards the group commit's lifecycle below
	closed  bool
	queue   chan *auditRequest
	stop    chan struct{}
	stopped chan struct{}
}

// auditRequest is one caller's entries waiting for the group commit.
type auditRequest struct {
	entries []audit.Entry
	done    chan error
}

// maxAuditBatch is how many callers one group commit answers at most.
const maxAuditBatch = 256

var (
	errNoAuditSigner = errors.New("audit log: no signing key is set, so nothing can be recorded")
	errAuditClosed   = errors.New("audit log: the database is closing")
)

// SetAuditSigner gives the database the key that signs the audit log's head
// and checkpoints, and how often to checkpoint: every so many entries, or
// after interval when entries have arrived since the last one. With a nil
// signer the log can be verified and read but every append fails: no key,
// no record, no release.
func (db *DB) SetAuditSigner(s note.Signer, v note.Verifier, every int, interval time.Duration) error {
	if v == nil {
		return errors.New("audit log: a verifier key is required")
	}
	if every < 1 || interval <= 0 {
		return errors.New("audit log: checkpoints need a positive entry count and interval")
	}
	if s != nil {
		probe, err := audit.SignTree(s, audit.Head, tlog.Tree{}, time.Unix(0, 0))
		if err != nil {
			return err
		}
		if _, err := audit.OpenTree(probe.Note, v, audit.Head); err != nil {
			return fmt.Errorf("audit log: the verifier key does not match the signing key: %w", err)
		}
	}
	l := &db.audit
	l.mu.Lock()
	defer l.mu.Unlock()
	l.signer, l.verifier = s, v
	l.policy = audit.Policy{Every: int64(every), Interval: interval}
	return nil
}

// appendAudit appends entries to the audit log inside tx, the transaction of
// the change they record, so that both commit or neither does. It gives
// each entry its index (and the time now when it has none), writes the
// entries and their stored hashes, re-signs the head and, when due, signs a
// checkpoint.
func (db *DB) appendAudit(ctx context.Context, tx *sql.Tx, entries ...audit.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	l := &db.audit
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.signer == nil {
		return errNoAuditSigner
	}
	f, err := db.auditFrontier(ctx, tx)
	if err != nil {
		return err
	}
	// f is about to move past the stored head; until this append succeeds
	// nothing may trust it.
	l.frontier = nil

	now := db.Now()
	rows := make([]any, 0, 7*len(entries))
	var hashes []any
	for _, e := range entries {
		e.Index = f.Size()
		if e.Time.IsZero() {
			e.Time = now
		}
		body, err := e.Encode()
		if err != nil {
			return err
		}
		first := tlog.StoredHashIndex(0, e.Index)
		for i, h := range f.Append(audit.LeafHash(body)) {
			hashes = append(hashes, first+int64(i), h[:])
		}
		rows = append(rows, e.Index, timeText(e.Time), e.Actor, string(e.Action), e.Record, e.Agency, body)
	}
	if err := db.insertRows(ctx, tx, insertAuditEntry, 7, rows); err != nil {
		return err
	}
	if err := db.insertRows(ctx, tx, insertAuditHash, 2, hashes); err != nil {
		return err
	}

	tree := f.Tree()
	head, err := audit.SignTree(l.signer, audit.Head, tree, now)
	if err != nil {
		return err
	}
	if _, err := db.exec(ctx, tx, upsertAuditHead, tree.N, string(head.Note)); err != nil {
		return err
	}
	last, since, err := db.lastCheckpoint(ctx, tx)
	if err != nil {
		return err
	}
	if l.policy.Due(tree.N, last, since, now) {
		if err := insertCheckpoint(ctx, tx, l.signer, tree, now); err != nil {
			return err
		}
	}
	l.frontier, l.head = f, string(head.Note)
	return nil
}

// auditFrontier returns the frontier of the log as tx sees it: the cached
// one when the stored head is the one it was made for, else one read from
// the stored hashes and checked against the signed head.
func (db *DB) auditFrontier(ctx context.Context, tx *sql.Tx) (*audit.Frontier, error) {
	l := &db.audit
	var size int64
	var head string
	err := db.queryRow(ctx, tx, selectAuditHead).Scan(&size, &head)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if l.frontier != nil && head == l.head {
		return l.frontier, nil
	}
	// Appending to a log whose end is in doubt would sign over the doubt.
	var entries int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_entries`).Scan(&entries); err != nil {
		return nil, err
	}
	if entries != size {
		return nil, fmt.Errorf("audit log: the signed head says %d entries but the log has %d; run hub audit verify", size, entries)
	}
	if head == "" {
		return audit.NewFrontier(), nil
	}
	st, err := audit.OpenTree([]byte(head), l.verifier, audit.Head)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w; run hub audit verify", err)
	}
	f, root, err := audit.LoadFrontier(size, storedHashes{ctx, tx})
	if err != nil {
		return nil, err
	}
	if st.Tree.N != size || st.Tree.Hash != root {
		return nil, errors.New("audit log: the stored hashes do not match the signed head; run hub audit verify")
	}
	return f, nil
}

// Audit appends standalone entries, such as a release decision recorded
// before the response is written, and returns once they are committed.
// Concurrent calls share one transaction (group commit), so a busy hub pays
// for one commit per batch, not per read. Any failure fails every caller in
// the batch: an entry is never reported written when it was not. An entry
// whose caller gave up (ctx done) may still be committed; it then records
// an action that did not complete, which errs on the side of recording.
func (db *DB) Audit(ctx context.Context, entries ...audit.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	// Check before queueing, so that one caller's bad entry does not fail
	// the batch it would have joined.
	entries = slices.Clone(entries)
	now := db.Now()
	for i := range entries {
		if entries[i].Time.IsZero() {
			entries[i].Time = now
		}
		if err := entries[i].Validate(); err != nil {
			return err
		}
	}
	db.audit.mu.Lock()
	signed := db.audit.signer != nil
	db.audit.mu.Unlock()
	if !signed {
		return errNoAuditSigner
	}
	queue, stopped, err := db.startAudit()
	if err != nil {
		return err
	}
	r := &auditRequest{entries: entries, done: make(chan error, 1)}
	select {
	case queue <- r:
	case <-stopped:
		return errAuditClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// startAudit starts the group commit on first use.
func (db *DB) startAudit() (chan<- *auditRequest, <-chan struct{}, error) {
	l := &db.audit
	l.life.Lock()
	defer l.life.Unlock()
	if l.closed {
		return nil, nil, errAuditClosed
	}
	if l.queue == nil {
		l.queue, l.stop, l.stopped = make(chan *auditRequest), make(chan struct{}), make(chan struct{})
		go db.groupCommit(l.queue, l.stop, l.stopped)
	}
	return l.queue, l.stopped, nil
}

// stopAudit stops the group commit after the batch in hand; later calls
// to Audit fail.
func (db *DB) stopAudit() {
	l := &db.audit
	l.life.Lock()
	wasClosed := l.closed
	l.closed = true
	l.life.Unlock()
	if !wasClosed && l.stop != nil {
		close(l.stop)
		<-l.stopped
	}
}

// groupCommit appends the queued callers' entries, as many callers as are
// waiting (up to maxAuditBatch) in one transaction, and answers each.
func (db *DB) groupCommit(queue <-chan *auditRequest, stop <-chan struct{}, stopped chan<- struct{}) {
	defer close(stopped)
	for {
		var batch []*auditRequest
		select {
		case r := <-queue:
			batch = append(batch, r)
		case <-stop:
			return
		}
	more:
		for len(batch) < maxAuditBatch {
			select {
			case r := <-queue:
				batch = append(batch, r)
			default:
				break more
			}
		}
		var entries []audit.Entry
		for _, r := range batch {
			entries = append(entries, r.entries...)
		}
		// Not a caller's context: the batch is many callers' work.
		ctx := context.Background()
		err := db.inTx(ctx, func(tx *sql.Tx) error { return db.appendAudit(ctx, tx, entries...) })
		if err == nil && db.hooks.AuditBatch != nil {
			db.hooks.AuditBatch(len(entries))
		}
		for _, r := range batch {
			r.done <- err
		}
	}
}

// Checkpoint signs a checkpoint of the log as it stands now, unless the
// last checkpoint already covers every entry. Shutdown calls it so that the
// log's end is in a checkpoint, not only in the head.
func (db *DB) Checkpoint(ctx context.Context) error {
	// Not held through the transaction: appends take the writer first and
	// the lock second, and so must everyone.
	l := &db.audit
	l.mu.Lock()
	signer, verifier := l.signer, l.verifier
	l.mu.Unlock()
	if signer == nil {
		return errNoAuditSigner
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var head string
		err := tx.QueryRowContext(ctx, `SELECT note FROM audit_head WHERE id = 1`).Scan(&head)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		st, err := audit.OpenTree([]byte(head), verifier, audit.Head)
		if err != nil {
			return fmt.Errorf("audit log: %w; run hub audit verify", err)
		}
		last, _, err := db.lastCheckpoint(ctx, tx)
		if err != nil || last >= st.Tree.N {
			return err
		}
		return insertCheckpoint(ctx, tx, signer, st.Tree, db.Now())
	})
}

// lastCheckpoint returns the size of the last checkpoint and its time, or
// 0 and the time of the first entry when there is none, which is when the
// first checkpoint's interval starts.
func (db *DB) lastCheckpoint(ctx context.Context, tx *sql.Tx) (size int64, since time.Time, err error) {
	var text string
	err = db.queryRow(ctx, tx, selectLastCheckpoint).Scan(&size, &text)
	if errors.Is(err, sql.ErrNoRows) {
		size = 0
		err = tx.QueryRowContext(ctx, `SELECT at FROM audit_entries WHERE idx = 0`).Scan(&text)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	return size, parseTime(text), err
}

func insertCheckpoint(ctx context.Context, tx *sql.Tx, s note.Signer, tree tlog.Tree, now time.Time) error {
	cp, err := audit.SignTree(s, audit.Checkpoint, tree, now)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (size, note, at) VALUES (?, ?, ?)`, tree.N, string(cp.Note), timeText(now))
	return err
}

// The statements of every audit append, prepared on the writer connection
// with createStatements: parsing them took about a tenth of a partner's
// read (the group commit runs them once a batch).
const (
	selectAuditHead      = `SELECT size, note FROM audit_head WHERE id = 1`
	upsertAuditHead      = `INSERT INTO audit_head (id, size, note) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size, note = excluded.note`
	selectLastCheckpoint = `SELECT size, at FROM audit_checkpoints ORDER BY size DESC LIMIT 1`
	insertAuditEntry     = `INSERT INTO audit_entries (idx, at, actor, action, record, agency, body) VALUES (?, ?, ?, ?, ?, ?, ?)`
	insertAuditHash      = `INSERT INTO audit_hashes (id, hash) VALUES (?, ?)`
)

// insertRows inserts rows of cols values each with insert, a prepared
// statement of one row run once a row; unprepared, many rows to a
// statement.
func (db *DB) insertRows(ctx context.Context, tx *sql.Tx, insert string, cols int, args []any) error {
	if s := db.writeStmt(ctx, tx, insert); s != nil {
		for ; len(args) > 0; args = args[cols:] {
			if _, err := s.ExecContext(ctx, args[:cols]...); err != nil {
				return err
			}
		}
		return nil
	}
	const perStatement = 400 // well under SQLite's limit on bound values
	insert, _, _ = strings.Cut(insert, " VALUES ")
	row := "(" + strings.Repeat("?, ", cols-1) + "?)"
	for len(args) > 0 {
		n := min(len(args)/cols, perStatement)
		q := insert + " VALUES " + strings.Repeat(row+", ", n-1) + row
		if _, err := tx.ExecContext(ctx, q, args[:n*cols]...); err != nil {
			return err
		}
		args = args[n*cols:]
	}
	return nil
}

// queryer is what both a transaction and a connection pool offer.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// storedHashes reads the tree's stored hashes for tlog.
type storedHashes struct {
	ctx context.Context
	q   queryer
}

func (r storedHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	args := make([]any, len(indexes))
	for i, x := range indexes {
		args[i] = x
	}
	rows, err := r.q.QueryContext(r.ctx, `SELECT id, hash FROM audit_hashes WHERE id IN (?`+strings.Repeat(", ?", len(indexes)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := make(map[int64]tlog.Hash, len(indexes))
	for rows.Next() {
		var id int64
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return nil, err
		}
		if len(b) != tlog.HashSize {
			return nil, fmt.Errorf("audit log: stored hash %d is malformed", id)
		}
		found[id] = tlog.Hash(b)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := found[x]
		if !ok {
			return nil, fmt.Errorf("audit log: stored hash %d is missing", x)
		}
		out[i] = h
	}
	return out, nil
}

// VerifyAudit checks the whole audit log against its signed checkpoints and
// head: the head and checkpoints as of one moment, then the entries up to
// that moment's end in chunks (readEntries), a row at a time. progress, when
// not nil, hears how many entries are done of about how many.
func (db *DB) VerifyAudit(ctx context.Context, progress func(done, total int64)) (audit.Report, error) {
	db.audit.mu.Lock()
	v := db.audit.verifier
	db.audit.mu.Unlock()
	if v == nil {
		return audit.Report{}, errors.New("audit log: no verifier key is set")
	}
	// The head, the checkpoints and the log's end come from the same
	// moment, however many appends happen meanwhile.
	tx, err := db.r.BeginTx(ctx, nil)
	if err != nil {
		return audit.Report{}, err
	}
	defer tx.Rollback()

	var log audit.Log
	var head []byte
	err = tx.QueryRowContext(ctx, `SELECT note FROM audit_head WHERE id = 1`).Scan(&head)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return audit.Report{}, err
	}
	log.Head = head
	rows, err := tx.QueryContext(ctx, `SELECT note FROM audit_checkpoints ORDER BY size`)
	if err != nil {
		return audit.Report{}, err
	}
	for rows.Next() {
		var n []byte
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return audit.Report{}, err
		}
		log.Checkpoints = append(log.Checkpoints, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return audit.Report{}, err
	}
	var total int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_entries`).Scan(&total); err != nil {
		return audit.Report{}, err
	}
	// The entries are read in chunks, each in a transaction of its own.
	tx.Rollback()
	log.Entries = db.storedEntries(ctx, total, progress)
	return audit.Verify(v, log)
}

// CheckAuditKey reports whether v is the key of the audit log's signed
// head (a log with no head yet passes): a quick check that a key belongs to
// the log, before anything relies on it and before the whole log is
// verified.
func (db *DB) CheckAuditKey(ctx context.Context, v note.Verifier) error {
	var head []byte
	err := db.r.QueryRowContext(ctx, `SELECT note FROM audit_head WHERE id = 1`).Scan(&head)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = audit.OpenTree(head, v, audit.Head)
	return err
}

// storedEntries streams the log's entries in order, each with the stored
// hashes written with it. The rows are read on a goroutine of their own, a
// batch ahead of the caller, so that reading and hashing use two cores.
func (db *DB) storedEntries(ctx context.Context, total int64, progress func(done, total int64)) iter.Seq2[audit.Stored, error] {
	return func(yield func(audit.Stored, error) bool) {
		// Two batches: one being read while the caller checks the other.
		full := make(chan *entryBatch, 1)
		free := make(chan *entryBatch, 2)
		free <- newEntryBatch()
		free <- newEntryBatch()
		quit := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			defer close(full)
			db.readEntries(ctx, total, full, free, quit)
		})
		defer wg.Wait()
		defer close(quit)

		const every = 10000
		var done int64
		for b := range full {
			for _, s := range b.stored {
				if !yield(s, nil) {
					return
				}
				if done++; progress != nil && done%every == 0 {
					progress(done, total)
				}
			}
			if b.err != nil {
				yield(audit.Stored{}, b.err)
				return
			}
			free <- b
		}
		if progress != nil {
			progress(done, total)
		}
	}
}

// entryBatch is a batch of stored entries with the memory they point into.
type entryBatch struct {
	stored  []audit.Stored
	columns []audit.Columns
	bodies  []byte
	hashes  []tlog.Hash
	err     error // after the entries in stored
}

const entryBatchSize = 1024

func newEntryBatch() *entryBatch {
	// hashes is never nil, so no entry's Hashes is nil: nil would tell
	// Verify not to compare them.
	return &entryBatch{columns: make([]audit.Columns, entryBatchSize), hashes: make([]tlog.Hash, 0, 2*entryBatchSize)}
}

// verifyChunk is how many entries one read transaction of VerifyAudit
// reads. Short transactions let checkpoints through, so a verify of a long
// log does not pin the WAL; the log is append-only, so its first total
// entries read the same in any later transaction.
const verifyChunk = 16 * entryBatchSize

// readEntries fills free batches from two cursors walked side by side,
// entries and hashes, chunk by chunk, each chunk in a read transaction of
// its own, and passes them on full until the first total entries are read,
// a read fails, or quit closes.
func (db *DB) readEntries(ctx context.Context, total int64, full chan<- *entryBatch, free <-chan *entryBatch, quit <-chan struct{}) {
	send := func(b *entryBatch) bool {
		select {
		case full <- b:
			return true
		case <-quit:
			return false
		}
	}
	type span struct{ body, hashes [2]int }
	var b *entryBatch
	spans := make([]span, 0, entryBatchSize)
	// flush points each entry into the batch's arenas and passes it on.
	flush := func() bool {
		for i, sp := range spans {
			b.stored[i].Body = b.bodies[sp.body[0]:sp.body[1]]
			b.stored[i].Hashes = b.hashes[sp.hashes[0]:sp.hashes[1]:sp.hashes[1]]
		}
		ok := send(b)
		b = nil
		return ok
	}
	fail := func(err error) {
		if b == nil {
			b = &entryBatch{}
		}
		b.stored, spans = b.stored[:0], spans[:0]
		b.err = err
		flush()
	}
	for lo := int64(0); lo < total; lo += verifyChunk {
		hi := min(lo+verifyChunk, total)
		err := db.readChunk(ctx, lo, hi, func(entries *sql.Rows, hashes *hashCursor) error {
			var body sql.RawBytes
			var at, action string
			for entries.Next() {
				if b == nil {
					select {
					case b = <-free:
					case <-quit:
						return errAuditClosed
					}
					b.stored, b.bodies, b.hashes, b.err, spans = b.stored[:0], b.bodies[:0], b.hashes[:0], nil, spans[:0]
				}
				c := &b.columns[len(b.stored)]
				var s audit.Stored
				if err := entries.Scan(&s.Index, &at, &c.Actor, &action, &c.Record, &c.Agency, &body); err != nil {
					return err
				}
				c.Time, c.Action = parseTime(at), audit.Action(action)
				sp := span{body: [2]int{len(b.bodies), len(b.bodies) + len(body)}}
				b.bodies = append(b.bodies, body...)
				sp.hashes[0] = len(b.hashes)
				var err error
				if b.hashes, err = hashes.take(b.hashes, tlog.StoredHashIndex(0, s.Index), tlog.StoredHashCount(s.Index+1)); err != nil {
					return err
				}
				sp.hashes[1] = len(b.hashes)
				s.Columns = c
				b.stored = append(b.stored, s)
				spans = append(spans, sp)
				if len(b.stored) == entryBatchSize && !flush() {
					return errAuditClosed
				}
			}
			return entries.Err()
		})
		if errors.Is(err, errAuditClosed) {
			return
		}
		if err != nil {
			fail(err)
			return
		}
	}
	if b != nil {
		flush()
	}
}

// readChunk reads the entries lo..hi-1 and their stored hashes in one read
// transaction.
func (db *DB) readChunk(ctx context.Context, lo, hi int64, read func(*sql.Rows, *hashCursor) error) error {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	hashRows, err := tx.QueryContext(ctx, `SELECT id, hash FROM audit_hashes WHERE id >= ? AND id < ? ORDER BY id`,
		tlog.StoredHashIndex(0, lo), tlog.StoredHashCount(hi))
	if err != nil {
		return err
	}
	defer hashRows.Close()
	hashes := &hashCursor{rows: hashRows}
	if db.pg {
		// PostgreSQL answers one query at a time on a connection: the
		// chunk's hashes (about 1 MB) are read whole before its entries.
		if err := hashes.buffer(); err != nil {
			return err
		}
	}
	entries, err := tx.QueryContext(ctx, `SELECT idx, at, actor, action, record, agency, body FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx`, lo, hi)
	if err != nil {
		return err
	}
	defer entries.Close()
	return read(entries, hashes)
}

// hashCursor walks audit_hashes in id order, one row of look-ahead.
type hashCursor struct {
	rows *sql.Rows
	// buffered, once buffer ran, holds the rows instead of rows.
	buffered []storedHash
	raw      sql.RawBytes
	id       int64
	hash     tlog.Hash
	good     bool // hash is well formed
	pending  bool // id and hash hold a row not yet taken
	end      bool
}

// storedHash is one row of audit_hashes.
type storedHash struct {
	id  int64
	raw []byte
}

// buffer reads the rest of the rows into memory and closes them.
func (c *hashCursor) buffer() error {
	for c.rows.Next() {
		var h storedHash
		if err := c.rows.Scan(&h.id, &h.raw); err != nil {
			return err
		}
		c.buffered = append(c.buffered, h)
	}
	if err := c.rows.Err(); err != nil {
		return err
	}
	c.rows.Close()
	c.rows = nil
	return nil
}

// next moves to the next row; false at the end.
func (c *hashCursor) next() (bool, error) {
	if c.rows == nil {
		if len(c.buffered) == 0 {
			return false, nil
		}
		c.id, c.raw, c.buffered = c.buffered[0].id, c.buffered[0].raw, c.buffered[1:]
		return true, nil
	}
	if !c.rows.Next() {
		return false, c.rows.Err()
	}
	return true, c.rows.Scan(&c.id, &c.raw)
}

// take appends to dst the hashes with ids from..to-1, stopping at the first
// one missing or malformed, which Verify then reports.
func (c *hashCursor) take(dst []tlog.Hash, from, to int64) ([]tlog.Hash, error) {
	for id := from; id < to; id++ {
		for !c.end && (!c.pending || c.id < id) {
			more, err := c.next()
			if err != nil {
				return nil, err
			}
			if !more {
				c.end = true
				break
			}
			c.good = len(c.raw) == tlog.HashSize
			copy(c.hash[:], c.raw)
			c.pending = true
		}
		if c.end || c.id != id || !c.good {
			return dst, nil
		}
		dst = append(dst, c.hash)
		c.pending = false
	}
	return dst, nil
}

// ProveAudit returns the printed proof that entry index is in the latest
// checkpoint, or in the head when no checkpoint covers it yet.
func (db *DB) ProveAudit(ctx context.Context, index int64) (string, error) {
	db.audit.mu.Lock()
	v := db.audit.verifier
	db.audit.mu.Unlock()
	if v == nil {
		return "", errors.New("audit log: no verifier key is set")
	}
	tx, err := db.r.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	var size int64
	var tree []byte
	err = tx.QueryRowContext(ctx, `SELECT size, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&size, &tree)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if index >= size {
		err = tx.QueryRowContext(ctx, `SELECT size, note FROM audit_head WHERE id = 1`).Scan(&size, &tree)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
	}
	if index < 0 || index >= size {
		return "", problem.New(problem.NotFound, "there is no audit entry %d", index)
	}
	p := audit.Proof{Index: index, Tree: tree}
	if err := tx.QueryRowContext(ctx, `SELECT body FROM audit_entries WHERE idx = ?`, index).Scan(&p.Body); err != nil {
		return "", fmt.Errorf("audit log: read entry %d: %w", index, err)
	}
	p.Path, err = tlog.ProveRecord(size, index, storedHashes{ctx, tx})
	if err != nil {
		return "", err
	}
	// A proof that does not check is a damaged log, not an answer.
	if _, _, err := p.Check(v); err != nil {
		return "", fmt.Errorf("%w; run hub audit verify", err)
	}
	return p.String(), nil
}

// AuditFilter picks entries from the audit log. Zero fields do not filter.
type AuditFilter struct {
	Record string
	Actor  string
	Agency string
	Action audit.Action
	From   time.Time // entries at or after
	To     time.Time // entries before
	// Cursor is the first index to return: to read the next page, pass the
	// last entry's Index + 1.
	Cursor int64
	Limit  int // at most this many; 100 when zero, never more than 1000
}

// AuditEntries returns the entries that f picks, in log order.
func (db *DB) AuditEntries(ctx context.Context, f AuditFilter) ([]audit.Entry, error) {
	where := []string{"idx >= ?"}
	args := []any{f.Cursor}
	for _, c := range []struct {
		col, v string
	}{{"record", f.Record}, {"actor", f.Actor}, {"agency", f.Agency}, {"action", string(f.Action)}} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	if !f.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, timeText(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, timeText(f.To))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	args = append(args, min(limit, 1000))
	rows, err := db.r.QueryContext(ctx, `SELECT body FROM audit_entries WHERE `+strings.Join(where, " AND ")+` ORDER BY idx LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		e, err := audit.Decode(body)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Command floor is what the hub's API would cost with nothing of the hub in
// it: the same Echo, the same SQLite file and the same rows read, with one
// durable insert per request standing in for the audit entry, and no
// sign-in, release decision, sealing or rendering. bench/run.sh runs it
// beside the hub in the same run so that the hub's figures can be read as a
// share of it on a machine whose speed moves with what else runs.
//
//	floor -db DATA/hub.db -listen 127.0.0.1:18171 -agency victim-support
//
// It serves the routes bench/load drives:
//
//	GET  /api/v1/referrals/{id}   the referral's rows (sections still sealed), then one group-committed insert
//	GET  /api/v1/referrals        the agency's inbox page of 50 (two queries, as the hub's store)
//	POST /api/v1/referrals        the body inserted in one durable transaction
//
// Its inserts go to two tables of its own (bench_floor_*), created at start
// and dropped at exit; the hub's tables are only read. Run it while the hub
// is stopped: both write to the one file.
//
// Only SQLite exists as a backend today; when the PostgreSQL backend
// arrives, a -postgres DSN here opens a second store with the same queries
// (see bench/README.md).
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	_ "modernc.org/sqlite"
)

func main() {
	var (
		path    = flag.String("db", "", "the hub's database file (the hub stopped)")
		listen  = flag.String("listen", "127.0.0.1:18171", "loopback address to serve on")
		agency  = flag.String("agency", "victim-support", "the agency whose referrals and inbox are served")
		readers = flag.Int("readers", 4, "reader connections (the hub's server.readers)")
	)
	flag.Parse()
	if err := run(*path, *listen, *agency, *readers); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(path, listen, agency string, readers int) error {
	if path == "" {
		return errors.New("-db is required")
	}
	if !strings.HasPrefix(listen, "127.0.0.1:") && !strings.HasPrefix(listen, "localhost:") {
		return errors.New("-listen must be on loopback")
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("-db: %w", err)
	}
	f, err := open(path, readers)
	if err != nil {
		return err
	}
	defer f.close()
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/readyz", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	e.GET("/api/v1/referrals/:id", func(c echo.Context) error { return f.get(c, agency) })
	e.GET("/api/v1/referrals", func(c echo.Context) error { return f.inbox(c, agency) })
	e.POST("/api/v1/referrals", f.create)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Shutdown(shut)
	}()
	if err := e.Start(listen); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// floor is the SQLite file opened as the hub opens it: one writer
// connection with synchronous=FULL, a pool of query-only readers.
type floor struct {
	w, r    *sql.DB
	reads   map[string]*sql.Stmt
	entries chan entry
	done    chan struct{}
}

// entry is one insert waiting for the group commit.
type entry struct {
	referralID string
	result     chan error
}

// referralReads are the statements the hub's store runs to load one
// referral (store.loadReferral), in its order.
var referralReads = []string{
	`SELECT reference, state, officer, officer_name, offence, risk_level, risk_tool, risk_score, incidents, first_incident, last_incident,
		domestic_abuse, hate_crime_strand, honour_based_abuse, fear_of_violence, technology_enabled, marac_concern, created_at, sent_at, updated_at, version
		FROM referrals WHERE id = ?`,
	`SELECT category, key_id, sealed FROM referral_sections WHERE referral_id = ?`,
	`SELECT * FROM orders WHERE referral_id = ? ORDER BY starts_on, id`,
	`SELECT id, referral_id, agency, request_key, request, status, reason_key, reason, outcome_key, outcome, decline_code, outcome_code, risk_level, sent_at, due_at, viewed_at, answered_at, accepted_at, closed_at, version
		FROM shares WHERE referral_id = ? ORDER BY agency`,
	`SELECT id, decision, reason_key, reason, agencies, categories, method, obtained_on, review_on, recorded_by, recorded_at
		FROM consents WHERE referral_id = ? ORDER BY seq`,
	`SELECT id, referral_id, basis, rationale_key, rationale, rationale_category, agencies, categories, until, requested_by, requested_at, status, decided_by, decided_at, note_key, note
		FROM overrides WHERE referral_id = ? ORDER BY requested_at`,
	`SELECT m.meeting_date, (SELECT COUNT(*) FROM marac_actions a WHERE a.case_id = c.id AND a.status = 'open')
		FROM marac_cases c JOIN marac_meetings m ON m.id = c.meeting_id WHERE c.referral_id = ?`,
	`SELECT restricted FROM referral_restrictions WHERE referral_id = ?`,
	`SELECT officer FROM referral_named_officers WHERE referral_id = ? ORDER BY officer`,
}

const (
	inboxIDs = `SELECT r.id, s.risk_rank, s.sent_at, s.id FROM shares s JOIN referrals r ON r.id = s.referral_id
		WHERE s.agency = ? AND r.state = 'sent' ORDER BY s.risk_rank DESC, s.sent_at, s.id LIMIT ? OFFSET ?`
	inboxRows = `SELECT id, reference, officer, officer_name, state, offence, risk_level, created_at, sent_at, incidents,
		domestic_abuse, hate_crime_strand, honour_based_abuse, fear_of_violence, technology_enabled FROM referrals WHERE id IN (SELECT value FROM json_each(?))`
	inboxShares = `SELECT referral_id, id, agency, status, decline_code, outcome_code, risk_level, sent_at, due_at, viewed_at, answered_at, accepted_at, closed_at, version
		FROM shares WHERE referral_id IN (SELECT value FROM json_each(?)) AND agency = ? ORDER BY agency`
)

func open(path string, readers int) (*floor, error) {
	file := "file:" + (&url.URL{Path: path}).EscapedPath()
	w, err := sql.Open("sqlite", file+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", file+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	f := &floor{w: w, r: r, reads: map[string]*sql.Stmt{}, entries: make(chan entry, 1024), done: make(chan struct{})}
	if _, err := w.Exec(`CREATE TABLE IF NOT EXISTS bench_floor_entries (id INTEGER PRIMARY KEY, referral_id TEXT NOT NULL, at TEXT NOT NULL, body BLOB NOT NULL);
		CREATE TABLE IF NOT EXISTS bench_floor_referrals (id INTEGER PRIMARY KEY, at TEXT NOT NULL, body BLOB NOT NULL)`); err != nil {
		f.close()
		return nil, fmt.Errorf("create the floor's tables: %w", err)
	}
	for _, q := range append(referralReads, inboxIDs, inboxRows, inboxShares) {
		s, err := r.Prepare(q)
		if err != nil {
			f.close()
			return nil, fmt.Errorf("prepare %.40q: %w", q, err)
		}
		f.reads[q] = s
	}
	go f.groupCommit()
	return f, nil
}

func (f *floor) close() {
	close(f.entries)
	<-f.done
	f.w.Exec(`DROP TABLE IF EXISTS bench_floor_entries; DROP TABLE IF EXISTS bench_floor_referrals`)
	f.r.Close()
	f.w.Close()
}

// groupCommit writes the waiting entries in one transaction, as the hub's
// audit log does: one sync of the WAL for the batch.
func (f *floor) groupCommit() {
	defer close(f.done)
	// An audit entry's stored size: its columns and its leaf hash.
	body := make([]byte, 320)
	for first := range f.entries {
		batch := []entry{first}
	more:
		for len(batch) < 256 {
			select {
			case e, ok := <-f.entries:
				if !ok {
					break more
				}
				batch = append(batch, e)
			default:
				break more
			}
		}
		err := f.insertBatch(batch, body)
		for _, e := range batch {
			e.result <- err
		}
	}
}

func (f *floor) insertBatch(batch []entry, body []byte) error {
	tx, err := f.w.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	s, err := tx.Prepare(`INSERT INTO bench_floor_entries (referral_id, at, body) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	at := time.Now().UTC().Format(time.RFC3339Nano)
	for _, e := range batch {
		if _, err := s.Exec(e.referralID, at, body); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// get reads the referral's rows as the hub's store does, and answers once
// its entry is committed.
func (f *floor) get(c echo.Context, agency string) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	if c.Request().Header.Get("Authorization") == "" {
		return c.NoContent(http.StatusUnauthorized)
	}
	tx, err := f.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var rows, size int
	for _, q := range referralReads {
		n, b, err := readAll(ctx, tx.StmtContext(ctx, f.reads[q]), id)
		if err != nil {
			return err
		}
		if q == referralReads[0] && n == 0 {
			return c.NoContent(http.StatusNotFound)
		}
		rows, size = rows+n, size+b
	}
	tx.Rollback()
	done := make(chan error, 1)
	f.entries <- entry{referralID: id, result: done}
	if err := <-done; err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": id, "agency": agency, "rows": rows, "bytes": size})
}

// inbox reads a page of the agency's shares in the hub's order (cursor: how
// many rows come before the page) and the referrals and shares of the page,
// in two queries as the hub does.
func (f *floor) inbox(c echo.Context, agency string) error {
	ctx := c.Request().Context()
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	tx, err := f.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	offset, _ := strconv.Atoi(c.QueryParam("cursor"))
	rs, err := tx.StmtContext(ctx, f.reads[inboxIDs]).QueryContext(ctx, agency, limit, offset)
	if err != nil {
		return err
	}
	type item struct {
		ID string `json:"id"`
	}
	var page []item
	for rs.Next() {
		var id, sent, share string
		var rank int
		if err := rs.Scan(&id, &rank, &sent, &share); err != nil {
			rs.Close()
			return err
		}
		page = append(page, item{id})
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return err
	}
	ids := make([]string, len(page))
	for i, p := range page {
		ids[i] = strconv.Quote(p.ID)
	}
	list := "[" + strings.Join(ids, ",") + "]"
	if _, _, err := readAll(ctx, tx.StmtContext(ctx, f.reads[inboxRows]), list); err != nil {
		return err
	}
	if _, _, err := readAll(ctx, tx.StmtContext(ctx, f.reads[inboxShares]), list, agency); err != nil {
		return err
	}
	next := ""
	if len(page) == limit {
		next = strconv.Itoa(offset + limit)
	}
	return c.JSON(http.StatusOK, map[string]any{"referrals": page, "next_cursor": next})
}

// create stores the request's body in one durable transaction of its own.
func (f *floor) create(c echo.Context) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, 1<<20))
	if err != nil {
		return err
	}
	if _, err := f.w.ExecContext(c.Request().Context(), `INSERT INTO bench_floor_referrals (at, body) VALUES (?, ?)`,
		time.Now().UTC().Format(time.RFC3339Nano), body); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"bytes": len(body)})
}

// readAll runs s and reads every column of every row, counting rows and bytes.
func readAll(ctx context.Context, s *sql.Stmt, args ...any) (rows, size int, err error) {
	rs, err := s.QueryContext(ctx, args...)
	if err != nil {
		return 0, 0, err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return 0, 0, err
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return 0, 0, err
		}
		rows++
		for _, v := range vals {
			size += len(v)
		}
	}
	return rows, size, rs.Err()
}

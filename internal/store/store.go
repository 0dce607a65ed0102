// Package store is the only package that speaks SQL: the SQLite database,
// its embedded migrations, backups, and every query the hub runs.
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"modernc.org/sqlite" // the database/sql driver "sqlite", and its backup API

	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/seal"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// pgMigrationFiles are PostgreSQL's migrations: from 0035_schema.sql, the
// schema SQLite has after 0001..0035, then every later one with the same
// number and effect as SQLite's.
//
//go:embed migrations_postgres
var pgMigrationFiles embed.FS

// DB is the hub's database: one writer connection and a pool of readers over
// one SQLite file in WAL mode.
type DB struct {
	w    *sql.DB
	r    *sql.DB
	path string
	// pg is set on PostgreSQL (OpenPostgres).
	pg bool
	// schema holds the migrations, *.sql, of the database's dialect.
	schema fs.FS
	keys   *seal.Keyring
	// notices, when set, says where notifications of changes go.
	notices *Notices

	// Now is the clock every stored time comes from; tests set it.
	Now func() time.Time

	audit auditLog

	readStmts stmtCache
	// writerReads are the read paths' statements prepared on the writer,
	// for reads inside a write's transaction (writerTx).
	writerReads stmtCache
	writeStmts  atomic.Pointer[map[string]*sql.Stmt] // createStatements, once prepared

	// batch, while Batch runs, is the one transaction every write joins.
	batch atomic.Pointer[sql.Tx]
	// hooks tell monitoring what the store sees (SetHooks).
	hooks Hooks
	// unwritable is set while the last write failed for want of the
	// machine (ErrCannotWrite) and cleared by the next that succeeds.
	unwritable atomic.Bool
	// writerTx, while a write reads through the read paths, is its
	// transaction (readQuery, readRow).
	writerTx atomic.Pointer[sql.Tx]
}

// Open opens (creating if needed) the database file at path with n readers.
// It does not migrate; call Migrate.
func Open(path string, readers int) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create the data folder: %w", err)
	}
	// busy_timeout first so that the WAL switch itself waits for a lock.
	// synchronous(FULL): in WAL mode NORMAL lets a power cut or an OS crash
	// roll back a commit the hub has answered; FULL syncs the WAL at every
	// commit, and group commit (audit entries) shares that sync among the
	// batch. bench/README.md has the cost.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_pragma=journal_size_limit(%d)&_txlock=immediate"
	// journal_size_limit: each time the WAL starts over it is cut back to
	// this size, so a burst of writes under a long read does not leave a
	// large file for ever.
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + fmt.Sprintf(pragmas, walSizeLimit)
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	return &DB{w: w, r: r, path: path, schema: mustSub(migrationFiles, "migrations"), Now: time.Now}, nil
}

// mustSub is the folder dir of an embedded file system.
func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// walSizeLimit is the size the WAL is cut back to when it starts over.
const walSizeLimit = 16 << 20

// Close stops the audit log's group commit and closes every connection.
func (db *DB) Close() error {
	db.stopAudit()
	return errors.Join(db.r.Close(), db.w.Close())
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// migration is one embedded schema step.
type migration struct {
	version  int
	name     string
	sql      string
	checksum string // hex SHA-256 of the file
}

// migrations are SQLite's embedded migrations.
func migrations() ([]migration, error) { return readMigrations(mustSub(migrationFiles, "migrations")) }

// migrations are the migrations of the database's dialect.
func (db *DB) migrations() ([]migration, error) { return readMigrations(db.schema) }

// readMigrations reads the *.sql files of fsys, in order of version.
func readMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", e.Name())
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b), checksum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// LatestVersion is the newest schema version this binary knows for the
// database's dialect.
func (db *DB) LatestVersion() int {
	ms, err := db.migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// Version is the schema version of the database file.
func (db *DB) Version(ctx context.Context) (int, error) {
	// On PostgreSQL the table has its checksum from the start; SQLite's
	// gains it in migration 0009.
	create := `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`
	if db.pg {
		create = `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT COLLATE "C" NOT NULL, applied_at TEXT COLLATE "C" NOT NULL, checksum TEXT COLLATE "C" NOT NULL DEFAULT '')`
	}
	if err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, create)
		return err
	}); err != nil {
		return 0, err
	}
	var v sql.NullInt64
	if err := db.w.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, err
	}
	return int(v.Int64), nil
}

// ErrSchemaNewer is returned when the database was migrated by a newer binary.
var ErrSchemaNewer = errors.New("the database schema is newer than this binary knows; run a newer hub")

// ErrMigrationChanged is returned when a migration the database has applied
// is not, byte for byte and by name, the one this binary embeds.
var ErrMigrationChanged = errors.New("an applied migration has been changed")

// appliedMigration is one row of schema_migrations.
type appliedMigration struct {
	version  int
	name     string
	checksum string // "" when applied before checksums were recorded
}

// applied reads schema_migrations; checksums are "" before migration 0009.
func (db *DB) applied(ctx context.Context) (map[int]appliedMigration, error) {
	q := db.w
	cols := `version, name, ''`
	var n int
	hasChecksum := `SELECT COUNT(*) FROM pragma_table_info('schema_migrations') WHERE name = 'checksum'`
	if db.pg {
		hasChecksum = `SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'schema_migrations' AND column_name = 'checksum'`
	}
	if err := q.QueryRowContext(ctx, hasChecksum).Scan(&n); err != nil {
		return nil, err
	}
	if n == 1 {
		cols = `version, name, checksum`
	}
	rows, err := q.QueryContext(ctx, `SELECT `+cols+` FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]appliedMigration{}
	for rows.Next() {
		var a appliedMigration
		if err := rows.Scan(&a.version, &a.name, &a.checksum); err != nil {
			return nil, err
		}
		out[a.version] = a
	}
	return out, rows.Err()
}

// checkHistory holds the applied migrations to the embedded ones: every
// applied version must be embedded under the same name and, once its
// checksum is recorded, with the same bytes.
func checkHistory(done map[int]appliedMigration, ms []migration) error {
	byVersion := map[int]migration{}
	latest := 0
	for _, m := range ms {
		byVersion[m.version] = m
		latest = max(latest, m.version)
	}
	versions := make([]int, 0, len(done))
	for v := range done {
		versions = append(versions, v)
	}
	sort.Ints(versions)
	for _, v := range versions {
		a := done[v]
		m, ok := byVersion[v]
		switch {
		case !ok && v > latest:
			return fmt.Errorf("%w (database %d, binary %d)", ErrSchemaNewer, v, latest)
		case !ok:
			return fmt.Errorf("%w: the database has applied %s, which this binary does not have; run the hub that applied it", ErrMigrationChanged, a.name)
		case a.name != m.name:
			return fmt.Errorf("%w: the database applied version %d as %s, this binary has %s; migrations are never renamed", ErrMigrationChanged, v, a.name, m.name)
		case a.checksum != "" && a.checksum != m.checksum:
			return fmt.Errorf("%w: %s differs from the file the database applied (sha256 %s, now %s); restore the released file and add a new migration instead", ErrMigrationChanged, m.name, a.checksum, m.checksum)
		}
	}
	return nil
}

// Migrate applies every migration the database has not had, in order of
// version, each in its own transaction, and returns how many it applied.
// It refuses a newer schema and a database whose applied migrations differ
// from the embedded files; it records the checksum of each migration it
// applies, and of each applied before checksums were kept.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	ms, err := db.migrations()
	if err != nil {
		return 0, err
	}
	if _, err := db.Version(ctx); err != nil {
		return 0, err
	}
	done, err := db.applied(ctx)
	if err != nil {
		return 0, err
	}
	if err := checkHistory(done, ms); err != nil {
		return 0, err
	}
	n := 0
	for _, m := range ms {
		if _, ok := done[m.version]; ok {
			continue
		}
		applies := false
		if err := db.inTx(ctx, func(tx *sql.Tx) error {
			// Another replica may have applied it since: the write lock
			// is held from here.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil || n > 0 {
				return err
			}
			applies = true
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if fill := db.migrationFills()[m.version]; fill != nil {
				if err := fill(ctx, tx); err != nil {
					return fmt.Errorf("migration %s: %w", m.name, err)
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, timeText(db.Now()))
			return err
		}); err != nil {
			return n, err
		}
		if applies {
			n++
		}
	}
	// Checksums: of the migrations just applied, and of the released ones a
	// database applied before it kept them, which are the embedded files.
	if err := db.inTx(ctx, func(tx *sql.Tx) error {
		for _, m := range ms {
			if _, err := tx.ExecContext(ctx, `UPDATE schema_migrations SET checksum = ? WHERE version = ? AND checksum = ''`, m.checksum, m.version); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return n, err
	}
	db.prepareWrites(ctx)
	return n, nil
}

// migrationFills are the migrations whose data is worked out in Go, after
// their SQL and in its transaction, so that both databases get it alike.
func (db *DB) migrationFills() map[int]func(context.Context, *sql.Tx) error {
	return map[int]func(context.Context, *sql.Tx) error{36: db.fillReportCounts, 39: db.fillReportCounts}
}

// Ready reports whether the database answers, its schema is current and it
// takes writes.
func (db *DB) Ready(ctx context.Context) error {
	var v sql.NullInt64
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT MAX(version), COUNT(*) FROM schema_migrations`).Scan(&v, &n); err != nil {
		return problem.New(problem.Unavailable, "database not reachable")
	}
	if ms, _ := db.migrations(); int(v.Int64) != db.LatestVersion() || n != len(ms) {
		return problem.New(problem.Unavailable, "database schema is at version %d with %d migrations, want %d with %d", v.Int64, n, db.LatestVersion(), len(ms))
	}
	if err := db.writable(ctx); err != nil {
		return problem.New(problem.Unavailable, "the database cannot take writes")
	}
	return nil
}

// Snapshot writes a consistent copy of the database to dest, a new file
// private to the owner (0600) from its first byte, while the hub runs. The
// copy is a complete database file that `hub serve` can start from.
//
// It copies pages through SQLite's online backup API in steps, each a short
// read of its own, so that checkpoints carry on between them and the WAL
// is not held for the whole copy. A write between two steps starts the
// copy over; after snapshotRestarts such restarts the rest is copied in
// one step from one snapshot, so a busy hub is still backed up.
func (db *DB) Snapshot(ctx context.Context, dest string) error {
	if db.pg {
		return ErrNotSQLite
	}
	// Made here, the file is never readable by others, not even while a
	// killed backup leaves it half written.
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	// A connection of its own: readers are query-only, the writer is busy.
	src, err := sql.Open("sqlite", "file:"+(&url.URL{Path: db.path}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer src.Close()
	conn, err := src.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		b, err := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		}).NewBackup(dest)
		if err != nil {
			return err
		}
		if err := copyPages(ctx, b); err != nil {
			b.Finish()
			return err
		}
		return b.Finish()
	})
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	if f, err = os.OpenFile(dest, os.O_RDWR, 0); err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// ErrNotSQLite is returned by the operations of a SQLite file (Snapshot)
// on PostgreSQL, whose backups are pg_dump's or the platform's.
var ErrNotSQLite = errors.New("the database is PostgreSQL: back it up with pg_dump or the platform's backups")

// snapshotStep is how many pages (4 KiB each) one step of a backup copies,
// and snapshotRestarts how often a backup starts over before it copies the
// rest in one step.
const (
	snapshotStep     = 2048
	snapshotRestarts = 3
)

// copyPages drives a backup to its end, in steps while writes let it.
func copyPages(ctx context.Context, b *sqlite.Backup) error {
	restarts, copied := 0, 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		step := int32(snapshotStep)
		if restarts >= snapshotRestarts {
			step = -1
		}
		more, err := b.Step(step)
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
		// A step that leaves no more pages copied than before started over:
		// a write came between it and the last.
		now := b.PageCount() - b.Remaining()
		if now <= copied {
			restarts++
		}
		copied = now
	}
}

// IntegrityCheck runs SQLite's integrity check over the whole database.
// On PostgreSQL, whose server keeps its own pages, it checks that the
// database answers.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	if db.pg {
		return db.r.PingContext(ctx)
	}
	rows, err := db.r.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("the database failed its integrity check: %s", strings.Join(problems, "; "))
	}
	return nil
}

// inTx runs fn in one write transaction; during Batch, in the batch's. A
// failure of the machine to take the write is marked ErrCannotWrite.
func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if tx := db.batch.Load(); tx != nil {
		return fn(tx)
	}
	return db.noteWrite(db.writeTx(ctx, fn))
}

// writeTx runs fn in a transaction of the writer.
func (db *DB) writeTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	return commitIf(tx, fn)
}

// commitIf runs fn in tx and commits tx when fn succeeds, else rolls it
// back.
func commitIf(tx *sql.Tx, fn func(*sql.Tx) error) error {
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func timeText(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	if s == "" { // a time not yet reached (viewed_at, answered_at...): no failed parse to pay for
		return time.Time{}
	}
	t, _ := time.Parse(timeLayout, s)
	return t
}

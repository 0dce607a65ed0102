package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"
)

// The PostgreSQL schema (migrations_postgres) is written apart from the
// SQLite one (migrations) and must stay its equal: these tests migrate one
// database of each and compare what each says of itself, and run the
// business rules that the schemas' SQL computes through both.

// postgresAdminURL is the server the tests use, as pg-design.md §7 gives it;
// HUB_TEST_POSTGRES_URL points them at another (a role with CREATEDB).
const postgresAdminURL = "postgres://hub_test:hub_test@127.0.0.1:5432/postgres?sslmode=disable"

// postgresSchema returns a fresh database on the test server with every
// migrations_postgres file applied in order, each in its own transaction;
// the database is dropped when the test ends. Without a server the test is
// skipped, or fails under CI=true.
func postgresSchema(t *testing.T) *sql.DB {
	t.Helper()
	admin := os.Getenv("HUB_TEST_POSTGRES_URL")
	if admin == "" {
		admin = postgresAdminURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.PingContext(ctx); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL: %v", err)
		}
		t.Skipf("PostgreSQL not available: %v", err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "hub_i15s_schema_" + hex.EncodeToString(b[:])
	if _, err := a.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", admin)
		if err != nil {
			t.Error(err)
			return
		}
		defer a.Close()
		if _, err := a.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(2)
	t.Cleanup(func() { db.Close() })
	files, err := filepath.Glob(filepath.Join("migrations_postgres", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no PostgreSQL migrations (%v)", err)
	}
	slices.Sort(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, string(b)); err != nil {
			tx.Rollback()
			t.Fatalf("%s: %v", f, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	return db
}

// sqliteSchema returns the writer of a SQLite store with every migration applied.
func sqliteSchema(t *testing.T) *sql.DB {
	t.Helper()
	db := openSQLite(t)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db.w
}

// A schema is described as lines, one per table, column, key, foreign key,
// check, index and trigger, in words both databases can be brought to:
// types by class (INTEGER, TEXT, BLOB, REAL), NOT NULL, constant defaults,
// index columns with their order and a partial index's predicate. The
// migrator's own table, schema_migrations, is left out.

// typeClass maps a PostgreSQL column type to the SQLite type it stands for.
var typeClass = map[string]string{"bigint": "INTEGER", "text": "TEXT", "bytea": "BLOB", "double precision": "REAL"}

// pgCasts drops the casts and collations PostgreSQL writes into defaults, checks and predicates.
var pgCasts = regexp.MustCompile(`::[a-z ]+|\s+COLLATE\s+"?\w+"?`)

// sqlText normalises an expression for comparison: no casts, no
// parentheses, single spaces, lower case.
func sqlText(s string) string {
	s = pgCasts.ReplaceAllString(s, "")
	s = strings.NewReplacer("(", " ", ")", " ").Replace(s)
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// plainColumn is an index column that is a plain column, not an expression.
var plainColumn = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

func queryStrings(t *testing.T, db *sql.DB, q string, args ...any) [][]string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func columnLine(table, name, class string, notNull bool, dflt string) string {
	line := fmt.Sprintf("column %s.%s %s", table, name, class)
	if notNull {
		line += " NOT NULL"
	}
	if dflt != "" {
		line += " DEFAULT " + dflt
	}
	return line
}

// describeSQLite describes the schema of a SQLite database.
func describeSQLite(t *testing.T, db *sql.DB) []string {
	t.Helper()
	var out []string
	for _, tbl := range queryStrings(t, db, `SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`) {
		table, ddl := tbl[0], tbl[1]
		out = append(out, "table "+table)
		var pk []string
		for _, c := range queryStrings(t, db, `SELECT name, upper(type), "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY pk, cid`, table) {
			// A key column is NOT NULL on PostgreSQL; SQLite only says so
			// of an INTEGER PRIMARY KEY, but the hub never writes a NULL key.
			out = append(out, columnLine(table, c[0], c[1], c[2] == "1" || c[4] != "0", c[3]))
			if c[4] != "0" {
				pk = append(pk, c[0])
			}
		}
		if len(pk) > 0 {
			out = append(out, fmt.Sprintf("key %s PRIMARY KEY (%s)", table, strings.Join(pk, ", ")))
		}
		for _, ix := range queryStrings(t, db, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, table) {
			var cols []string
			for _, c := range queryStrings(t, db, `SELECT COALESCE(name, 'expr'), "desc" FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`, ix[0]) {
				if c[1] == "1" {
					c[0] += " DESC"
				}
				cols = append(cols, c[0])
			}
			switch ix[2] {
			case "u":
				out = append(out, fmt.Sprintf("key %s UNIQUE (%s)", table, strings.Join(cols, ", ")))
			case "c":
				line := fmt.Sprintf("index %s.%s (%s)", table, ix[0], strings.Join(cols, ", "))
				if ix[1] == "1" {
					line = "unique " + line
				}
				if ix[3] == "1" {
					var ddl string
					if err := db.QueryRow(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`, ix[0]).Scan(&ddl); err != nil {
						t.Fatal(err)
					}
					i := strings.LastIndex(strings.ToUpper(ddl), " WHERE ")
					line += " WHERE " + sqlText(ddl[i+len(" WHERE "):])
				}
				out = append(out, line)
			}
		}
		fks := map[string]*[4]string{} // id -> from columns, table, to columns, actions
		var ids []string
		for _, fk := range queryStrings(t, db, `SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, table) {
			f, ok := fks[fk[0]]
			if !ok {
				f = &[4]string{"", fk[1], "", "ON UPDATE " + fk[4] + " ON DELETE " + fk[5]}
				fks[fk[0]] = f
				ids = append(ids, fk[0])
			}
			f[0] = strings.TrimPrefix(f[0]+", "+fk[2], ", ")
			f[2] = strings.TrimPrefix(f[2]+", "+fk[3], ", ")
		}
		for _, id := range ids {
			f := fks[id]
			out = append(out, fmt.Sprintf("foreign key %s (%s) REFERENCES %s (%s) %s", table, f[0], f[1], f[2], f[3]))
		}
		for _, check := range checkExprs(ddl) {
			out = append(out, fmt.Sprintf("check %s %s", table, sqlText(check)))
		}
	}
	for _, tr := range queryStrings(t, db, `SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = 'trigger'`) {
		var when string
		if m := sqliteWhen.FindStringSubmatch(tr[2]); m != nil {
			when = m[1]
		}
		out = append(out, triggerLine(tr[1], tr[0], tr[2], when))
	}
	slices.Sort(out)
	return out
}

// checkKeyword starts a CHECK constraint (not a name such as audit_checkpoints).
var checkKeyword = regexp.MustCompile(`(?i)\bCHECK\s*\(`)

// checkExprs returns the expressions of the CHECK constraints in a CREATE TABLE statement.
func checkExprs(ddl string) []string {
	var out []string
	for _, m := range checkKeyword.FindAllStringIndex(ddl, -1) {
		open, depth := m[1]-1, 0
		for j := open; j < len(ddl); j++ {
			if ddl[j] == '(' {
				depth++
			} else if ddl[j] == ')' {
				if depth--; depth == 0 {
					out = append(out, ddl[open+1:j])
					break
				}
			}
		}
	}
	return out
}

// describePostgres describes the schema of a PostgreSQL database (schema public).
func describePostgres(t *testing.T, db *sql.DB) []string {
	t.Helper()
	var out []string
	for _, tbl := range queryStrings(t, db, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'`) {
		out = append(out, "table "+tbl[0])
	}
	for _, c := range queryStrings(t, db, `SELECT table_name, column_name, data_type, is_nullable, COALESCE(column_default, '') FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`) {
		class, ok := typeClass[c[2]]
		if !ok {
			class = c[2]
		}
		out = append(out, columnLine(c[0], c[1], class, c[3] == "NO", pgCasts.ReplaceAllString(c[4], "")))
	}
	const constraints = `SELECT t.relname, c.contype, pg_get_constraintdef(c.oid),
		array_to_string(ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o), ', '),
		COALESCE(f.relname, ''),
		array_to_string(ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o), ', '),
		c.confupdtype, c.confdeltype
		FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace LEFT JOIN pg_class f ON f.oid = c.confrelid
		WHERE ns.nspname = 'public' AND t.relname <> 'schema_migrations'`
	actions := map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
	for _, c := range queryStrings(t, db, constraints) {
		switch c[1] {
		case "p":
			out = append(out, fmt.Sprintf("key %s PRIMARY KEY (%s)", c[0], c[3]))
		case "u":
			out = append(out, fmt.Sprintf("key %s UNIQUE (%s)", c[0], c[3]))
		case "f":
			out = append(out, fmt.Sprintf("foreign key %s (%s) REFERENCES %s (%s) ON UPDATE %s ON DELETE %s", c[0], c[3], c[4], c[5], actions[c[6]], actions[c[7]]))
		case "c":
			out = append(out, fmt.Sprintf("check %s %s", c[0], sqlText(strings.TrimPrefix(c[2], "CHECK "))))
		default:
			out = append(out, fmt.Sprintf("constraint %s %s", c[0], c[2]))
		}
	}
	const indexes = `SELECT t.relname, i.relname, ix.indisunique, COALESCE(pg_get_expr(ix.indpred, ix.indrelid), ''),
		array_to_string(ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k, true) || CASE WHEN ix.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END
			FROM generate_series(1, ix.indnkeyatts) k ORDER BY k), '|')
		FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace
		WHERE ns.nspname = 'public' AND t.relname <> 'schema_migrations'
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype IN ('p', 'u', 'x'))`
	for _, ix := range queryStrings(t, db, indexes) {
		cols := strings.Split(ix[4], "|")
		for i, c := range cols {
			if name, _ := strings.CutSuffix(c, " DESC"); !plainColumn.MatchString(name) {
				cols[i] = strings.Replace(c, name, "expr", 1)
			}
		}
		line := fmt.Sprintf("index %s.%s (%s)", ix[0], ix[1], strings.Join(cols, ", "))
		if ix[2] == "true" {
			line = "unique " + line
		}
		if ix[3] != "" {
			line += " WHERE " + sqlText(ix[3])
		}
		out = append(out, line)
	}
	for _, tr := range queryStrings(t, db, `SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = 'public' AND NOT t.tgisinternal`) {
		var when string
		if m := postgresWhen.FindStringSubmatch(tr[2]); m != nil {
			when = m[1]
		}
		out = append(out, triggerLine(tr[0], tr[1], tr[2], when))
	}
	slices.Sort(out)
	return out
}

// A trigger is compared by its name, the event it fires on (and the columns
// of an UPDATE OF) and its WHEN condition. Whether it runs before or after
// the row is written may differ: each dialect keeps the same columns its own
// way (schema_rules_test.go holds the effects).
var (
	triggerEvent = regexp.MustCompile(`(?is)\bTRIGGER\s+\S+\s+(?:BEFORE|AFTER|INSTEAD\s+OF)?\s*(INSERT|DELETE|UPDATE)(?:\s+OF\s+(.+?))?\s+ON\s`)
	sqliteWhen   = regexp.MustCompile(`(?is)^.*?\sON\s+\S+\s+(?:FOR\s+EACH\s+ROW\s+)?WHEN\s+(.*?)\s+BEGIN\b`)
	postgresWhen = regexp.MustCompile(`(?is)\sWHEN\s+(.*?)\s+EXECUTE\s+(?:FUNCTION|PROCEDURE)\s`)
)

func triggerLine(table, name, ddl, when string) string {
	line := fmt.Sprintf("trigger %s.%s", table, name)
	m := triggerEvent.FindStringSubmatch(ddl)
	if m == nil {
		return line + " (event not understood)"
	}
	line += " ON " + strings.ToUpper(m[1])
	if m[2] != "" {
		cols := strings.Split(sqlText(m[2]), ",")
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		slices.Sort(cols)
		line += " OF " + strings.Join(cols, ", ")
	}
	if when != "" {
		line += " WHEN " + sqlText(when)
	}
	return line
}

// linesOnlyIn returns the lines of a that are not in b.
func linesOnlyIn(a, b []string) []string {
	var out []string
	for _, l := range a {
		if _, found := slices.BinarySearch(b, l); !found {
			out = append(out, l)
		}
	}
	return out
}

// The two migration folders leave the same schema: the same tables, each
// with the same columns (names, type class, NOT NULL, constant defaults),
// keys, foreign keys and checks, the same named indexes over the same
// columns (and the same predicate when partial), and the same triggers.
// A migration written for one database only fails here.
func TestPostgresSchemaEqualsSQLite(t *testing.T) {
	pg := postgresSchema(t)
	lite := describeSQLite(t, sqliteSchema(t))
	post := describePostgres(t, pg)
	for _, want := range []string{
		"table referrals",
		"column referrals.shared_with TEXT NOT NULL DEFAULT ','",
		"key shares UNIQUE (referral_id, agency)",
		"foreign key webhook_deliveries (event_id) REFERENCES partner_events (id) ON UPDATE NO ACTION ON DELETE NO ACTION",
		"check audit_head id = 1",
		"index shares.shares_inbox (agency, risk_rank DESC, sent_at, id)",
		"index referrals.referrals_victim_raised (victim_fp, created_at) WHERE victim_fp <> ''",
		"trigger referrals.referrals_repeat_victim ON INSERT WHEN new.state = 'sent' and new.victim_fp <> ''",
		"trigger shares.shares_clock_seconds_update ON UPDATE OF accepted_at, answered_at, sent_at",
	} {
		if _, found := slices.BinarySearch(lite, want); !found {
			t.Errorf("SQLite's schema described without %q: the description misses what it should compare", want)
		}
	}
	if missing := linesOnlyIn(lite, post); len(missing) > 0 {
		t.Errorf("in SQLite's schema, not in PostgreSQL's (migrations_postgres):\n%s", strings.Join(missing, "\n"))
	}
	if extra := linesOnlyIn(post, lite); len(extra) > 0 {
		t.Errorf("in PostgreSQL's schema, not in SQLite's (migrations):\n%s", strings.Join(extra, "\n"))
	}

	// Every text column compares and sorts in byte order, as SQLite's
	// BINARY collation does, whatever the database's own collation.
	for _, c := range queryStrings(t, pg, `SELECT table_name, column_name, COALESCE(collation_name, '') FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type = 'text' AND COALESCE(collation_name, '') <> 'C'`) {
		t.Errorf("column %s.%s has collation %q, want \"C\"", c[0], c[1], c[2])
	}

	// The description tells a changed default, nullability, index or
	// trigger from the original.
	for _, change := range []string{
		`ALTER TABLE referrals ALTER COLUMN shared_with SET DEFAULT ''`,
		`ALTER TABLE shares ALTER COLUMN request DROP NOT NULL; ALTER TABLE shares ALTER COLUMN due_at DROP NOT NULL`,
		`DROP INDEX referrals_victim_raised; CREATE INDEX referrals_victim_raised ON referrals (victim_fp, created_at)`,
		`DROP TRIGGER consents_latest ON consents`,
		`DROP TRIGGER shares_shared_with ON shares; CREATE TRIGGER shares_shared_with AFTER UPDATE ON shares FOR EACH ROW EXECUTE FUNCTION shares_shared_with()`,
		`DROP TRIGGER referrals_repeat_victim ON referrals; CREATE TRIGGER referrals_repeat_victim AFTER INSERT ON referrals
			FOR EACH ROW WHEN (NEW.victim_fp <> '') EXECUTE FUNCTION referrals_repeat_victim()`,
	} {
		if _, err := pg.Exec(change); err != nil {
			t.Fatalf("%s: %v", change, err)
		}
		changed := describePostgres(t, pg)
		if len(linesOnlyIn(changed, post)) == 0 && len(linesOnlyIn(post, changed)) == 0 {
			t.Errorf("after %s the description is the same", change)
		}
		post = changed
	}
}

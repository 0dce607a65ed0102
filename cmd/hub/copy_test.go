package main

import (
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/pgtest"
)

// `hub copy-from-sqlite` moves a SQLite hub onto PostgreSQL: every row of
// every table arrives as it was, the copy opens with the data folder's keys
// and its audit log verifies, the hub serves it (a search finds what the
// SQLite hub held), new writes continue its references and identities, and
// a second copy into the same database is refused.
func TestCopyFromSQLiteIntoPostgres(t *testing.T) {
	env := newEnv(t)
	mustHub(t, env, "demo", "seed", "--referrals", "40")
	s := startServe(t, env)
	officer := strings.TrimSpace(mustHub(t, env, "dev", "token", "officer"))
	var made struct{ ID, Reference string }
	if status := call(t, "POST", s.url+"/api/v1/referrals", officer, referralBody("Cordelia Copyhill"), &made); status != http.StatusCreated {
		t.Fatalf("create on SQLite: %d", status)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(env["HUB_DATA_DIR"], "hub.db")

	if _, _, err := hub(t, env, "copy-from-sqlite", file); err == nil || !strings.Contains(err.Error(), "database.url") {
		t.Fatalf("a copy with the hub configured for SQLite: %v, want an error naming database.url", err)
	}
	pg := env.with("HUB_DATABASE_URL", pgtest.Database(t, dbPrefix()+"_cmd"))

	// Keys that are not the SQLite hub's are refused before anything is
	// copied (the same database takes the copy afterwards): no keys folder,
	// then the keys but no audit key, then another audit key.
	elsewhere := pg.with("HUB_DATA_DIR", t.TempDir())
	refused := func(want string) {
		t.Helper()
		if _, _, err := hub(t, elsewhere, "copy-from-sqlite", file); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("a copy with the wrong keys: %v, want an error saying %q", err, want)
		}
	}
	refused("sealing.keys_dir")
	copyKeys(t, filepath.Join(env["HUB_DATA_DIR"], "keys"), filepath.Join(elsewhere["HUB_DATA_DIR"], "keys"))
	refused("audit.signing_key_file")
	if _, _, err := audit.LoadOrCreateKey(filepath.Join(elsewhere["HUB_DATA_DIR"], "audit-signing.key"), "hub-audit"); err != nil {
		t.Fatal(err)
	}
	refused("did not sign the SQLite database's audit log")

	out := mustHub(t, pg, "copy-from-sqlite", file)
	if !strings.Contains(out, "a key for every sealed value; audit log OK") {
		t.Fatalf("copy said %q", out)
	}
	// The only table whose contents may differ is the migrations' own.
	lite, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	post, err := sql.Open("pgx", pg["HUB_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer post.Close()
	tables := column(t, post, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY 1`)
	if len(tables) < 40 {
		t.Fatalf("PostgreSQL has %d tables: %v", len(tables), tables)
	}
	nonEmpty := 0
	for _, table := range tables {
		cols := column(t, post, `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '`+table+`' ORDER BY ordinal_position`)
		q := `SELECT "` + strings.Join(cols, `", "`) + `" FROM "` + table + `"`
		want, got := rowsOf(t, lite, q), rowsOf(t, post, q)
		if !slices.Equal(want, got) {
			t.Errorf("table %s: %d rows on SQLite, %d on PostgreSQL, or their values differ", table, len(want), len(got))
		}
		if len(want) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < 20 {
		t.Errorf("only %d tables held rows: the copy proves little", nonEmpty)
	}

	if _, _, err := hub(t, pg, "copy-from-sqlite", file); err == nil || !strings.Contains(err.Error(), "already holds data") {
		t.Fatalf("a second copy: %v, want a refusal", err)
	}

	s = startServe(t, pg)
	officer = strings.TrimSpace(mustHub(t, pg, "dev", "token", "officer"))
	var found struct {
		Referrals []struct{ ID, Reference string }
	}
	if status := call(t, "GET", s.url+"/api/v1/referrals?q="+url.QueryEscape("Cordelia Copyhill"), officer, nil, &found); status != http.StatusOK ||
		len(found.Referrals) != 1 || found.Referrals[0].Reference != made.Reference {
		t.Fatalf("search on the copy: %d %+v, want %s", status, found.Referrals, made.Reference)
	}
	var next struct{ ID, Reference string }
	if status := call(t, "POST", s.url+"/api/v1/referrals", officer, referralBody("Ottoline Onwards"), &next); status != http.StatusCreated {
		t.Fatalf("create on the copy: %d", status)
	}
	if next.Reference <= made.Reference {
		t.Errorf("the copy's next reference %s does not follow %s", next.Reference, made.Reference)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	var references, distinct int
	if err := post.QueryRow(`SELECT COUNT(reference), COUNT(DISTINCT reference) FROM referrals`).Scan(&references, &distinct); err != nil || references != 42 || distinct != references {
		t.Fatalf("references on the copy: %d, %d distinct (%v); want 42", references, distinct, err)
	}
	if out := mustHub(t, pg, "audit", "verify"); !strings.HasPrefix(out, "audit log OK") {
		t.Fatalf("verify after new writes on the copy: %q", out)
	}
}

// copyKeys copies the sealing keys folder from to a new folder to, private
// as the hub keeps it.
func copyKeys(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(to, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// column is the first column, text, of every row q returns.
func column(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// rowsOf is every row q returns, each written out the same way whichever
// database gave it, sorted.
func rowsOf(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				parts[i] = "NULL"
			case []byte:
				parts[i] = "x" + hex.EncodeToString(x)
			case string:
				parts[i] = "x" + hex.EncodeToString([]byte(x))
			default:
				parts[i] = fmt.Sprint(x)
			}
		}
		out = append(out, strings.Join(parts, "\x1f"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

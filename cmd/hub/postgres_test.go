package main

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to change the database behind the hub's back

	backupdir "github.com/stalking-hub/hub/internal/backup"
	"github.com/stalking-hub/hub/internal/pgtest"
	"github.com/stalking-hub/hub/internal/store/storetest"
)

// dbPrefix starts the names of the databases these tests make, as
// storetest's do: HUB_TEST_DB_PREFIX, or hub_test.
func dbPrefix() string {
	if p := os.Getenv(storetest.EnvPrefix); p != "" {
		return p
	}
	return "hub_test"
}

// pgEnv is a test's environment with a fresh PostgreSQL database of its own.
func pgEnv(t *testing.T) environment {
	t.Helper()
	return newEnv(t).with("HUB_DATABASE_URL", pgtest.Database(t, dbPrefix()+"_cmd"))
}

// On PostgreSQL `hub migrate` creates the schema, `hub serve` takes no lock
// on the data folder, so a second serve on the same folder and database is
// a replica that sees what the first wrote, and nothing of SQLite is made.
func TestPostgresMigrateServeReplicas(t *testing.T) {
	env := pgEnv(t)
	first := mustHub(t, env, "migrate")
	if !strings.HasPrefix(first, "applied ") || strings.HasPrefix(first, "applied 0 ") {
		t.Fatalf("first migrate: %q", first)
	}
	if again := mustHub(t, env, "migrate"); !strings.HasPrefix(again, "applied 0 migration(s)") {
		t.Fatalf("second migrate: %q", again)
	}
	a := startServe(t, env)
	b := startServe(t, env.with("HUB_LISTEN", freeAddress(t)))
	for _, name := range []string{"hub.db", "hub.lock"} {
		if _, err := os.Stat(filepath.Join(env["HUB_DATA_DIR"], name)); !os.IsNotExist(err) {
			t.Errorf("%s in the data folder of a PostgreSQL hub: %v", name, err)
		}
	}
	officer := strings.TrimSpace(mustHub(t, env, "dev", "token", "officer"))
	var made struct{ ID, Reference string }
	if status := call(t, "POST", a.url+"/api/v1/referrals", officer, referralBody("Philippa Postgres"), &made); status != http.StatusCreated {
		t.Fatalf("create on the first replica: %d", status)
	}
	// The development issuer follows the listen address: the second
	// replica's officer is another subject, so a supervisor reads.
	supervisor := strings.TrimSpace(mustHub(t, env.with("HUB_LISTEN", strings.TrimPrefix(b.url, "http://")), "dev", "token", "supervisor"))
	var got struct {
		Reference string
		Sections  map[string]json.RawMessage
	}
	if status := call(t, "GET", b.url+"/api/v1/referrals/"+made.ID, supervisor, nil, &got); status != http.StatusOK {
		t.Fatalf("read on the second replica: %d", status)
	}
	if got.Reference != made.Reference || !strings.Contains(string(got.Sections["identity"]), "Philippa Postgres") {
		t.Fatalf("the second replica read %q %s", got.Reference, got.Sections["identity"])
	}
	for _, s := range []*server{a, b} {
		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
	}
}

// `hub audit verify` and `hub audit prove` work against PostgreSQL, and
// verify names an entry changed behind the hub's back.
func TestPostgresAuditVerifyAndProve(t *testing.T) {
	env := pgEnv(t)
	for i := range 5 {
		mustHub(t, env, "users", "grant", "person"+string(rune('a'+i))+"@police.example.gov.uk", "officer")
	}
	if out := mustHub(t, env, "audit", "verify"); !strings.HasPrefix(out, "audit log OK: 5 entries") {
		t.Fatalf("verify: %q", out)
	}
	proof := mustHub(t, env, "audit", "prove", "2")
	if !strings.Contains(proof, "\nindex 2\nentry {") || !strings.Contains(proof, `"action":"membership_granted"`) {
		t.Fatalf("proof of entry 2:\n%s", proof)
	}
	raw, err := sql.Open("pgx", env["HUB_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, stmt := range []string{
		`DROP TRIGGER IF EXISTS audit_entries_append_only_update ON audit_entries`,
		`UPDATE audit_entries SET body = convert_to(replace(convert_from(body, 'UTF8'), 'membership_granted', 'membership_revoked'), 'UTF8') WHERE idx = 3`,
	} {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	out, _, err := hub(t, env, "audit", "verify")
	if err == nil || !strings.Contains(out, "DAMAGED") || !strings.Contains(out, "entry 3") {
		t.Fatalf("verify after tampering: %q %v, want an error naming entry 3", out, err)
	}
}

// With PostgreSQL `hub backup` writes the keys and the manifest only and
// says how to back up the database; `hub restore` puts the keys back, says
// so, and checks them against the database as it is. A backup of the other
// kind is refused.
func TestPostgresBackupRestoreKeys(t *testing.T) {
	env := pgEnv(t)
	s := startServe(t, env)
	officer := strings.TrimSpace(mustHub(t, env, "dev", "token", "officer"))
	var made struct{ ID string }
	if status := call(t, "POST", s.url+"/api/v1/referrals", officer, referralBody("Kerensa Keysonly"), &made); status != http.StatusCreated {
		t.Fatalf("create: %d", status)
	}
	dir := filepath.Join(t.TempDir(), "backup")
	out := mustHub(t, env, "backup", dir)
	if !strings.Contains(out, "NOT the database") || !strings.Contains(out, "pg_dump") {
		t.Errorf("backup said %q", out)
	}
	privateTree(t, dir)
	m, err := backupdir.Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Database || m.Files["hub.db"] != "" || m.Files["audit-signing.key"] == "" || len(m.Files) < 3 {
		t.Fatalf("manifest %+v, want the keys and no database", m)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	// Onto a new machine: an empty data folder, the same database.
	moved := env.with("HUB_DATA_DIR", filepath.Join(t.TempDir(), "data")).with("HUB_LISTEN", freeAddress(t))
	out = mustHub(t, moved, "restore", dir)
	if !strings.Contains(out, "keys only") || !strings.Contains(out, "audit log OK") {
		t.Errorf("restore said %q", out)
	}
	r := startServe(t, moved)
	supervisor := strings.TrimSpace(mustHub(t, moved, "dev", "token", "supervisor"))
	var got struct{ Sections map[string]json.RawMessage }
	if status := call(t, "GET", r.url+"/api/v1/referrals/"+made.ID, supervisor, nil, &got); status != http.StatusOK {
		t.Fatalf("read with the restored keys: %d", status)
	}
	if !strings.Contains(string(got.Sections["identity"]), "Kerensa Keysonly") {
		t.Fatalf("the restored keys do not open the referral: %s", got.Sections["identity"])
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}

	// A keys-only backup into a SQLite hub, and a SQLite backup into a
	// PostgreSQL one, are refused before anything is touched.
	sqliteEnv := newEnv(t)
	if _, _, err := hub(t, sqliteEnv, "restore", dir); err == nil || !strings.Contains(err.Error(), "key database.url") {
		t.Errorf("a PostgreSQL hub's keys restored into a SQLite hub: %v", err)
	}
	mustHub(t, sqliteEnv, "users", "list") // a SQLite hub with its keys
	sqliteBackup := filepath.Join(t.TempDir(), "sqlite-backup")
	mustHub(t, sqliteEnv, "backup", sqliteBackup)
	if _, _, err := hub(t, moved, "restore", sqliteBackup); err == nil || !strings.Contains(err.Error(), "key database.url") {
		t.Errorf("a SQLite backup restored into a PostgreSQL hub: %v", err)
	}
}

// /readyz tells the truth about writes on PostgreSQL: when the database
// turns read-only a create answers 503 and /readyz answers 503 until a
// write succeeds again, without a restart.
func TestPostgresReadyzWhenTheDatabaseCannotWrite(t *testing.T) {
	env := pgEnv(t)
	s := startServe(t, env)
	officer := strings.TrimSpace(mustHub(t, env, "dev", "token", "officer"))
	raw, err := sql.Open("pgx", env["HUB_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	name := env["HUB_DATABASE_URL"][strings.LastIndex(env["HUB_DATABASE_URL"], "/")+1:]
	if i := strings.Index(name, "?"); i >= 0 {
		name = name[:i]
	}
	// New sessions are read-only; the hub's present ones are ended, so
	// that it connects again into read-only sessions.
	readOnly := func(on bool) {
		t.Helper()
		stmt := `ALTER DATABASE "` + name + `" SET default_transaction_read_only = on`
		if !on {
			stmt = `ALTER DATABASE "` + name + `" RESET default_transaction_read_only`
		}
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, name); err != nil {
			t.Fatal(err)
		}
	}
	ready := func() int {
		res, err := http.Get(s.url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	readOnly(true)
	status := 0
	for range 5 { // the first may meet the ended session
		if status = call(t, "POST", s.url+"/api/v1/referrals", officer, referralBody("Rhoda Readonly"), nil); status == http.StatusServiceUnavailable {
			break
		}
	}
	if status != http.StatusServiceUnavailable {
		t.Fatalf("a create on a read-only database: %d, want 503", status)
	}
	if got := ready(); got != http.StatusServiceUnavailable {
		t.Fatalf("/readyz while the database cannot write: %d", got)
	}
	readOnly(false)
	deadline := time.Now().Add(15 * time.Second)
	for ready() != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not recover once the database could write again")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status := call(t, "POST", s.url+"/api/v1/referrals", officer, referralBody("Rhoda Readonly"), nil); status != http.StatusCreated {
		t.Fatalf("a create once the database writes again: %d", status)
	}
}

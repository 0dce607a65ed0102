// Package pgtest gives tests a PostgreSQL server: the one running on this
// machine, started when it is down, and a fresh database per caller.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DefaultURL is the administrative role tests use on the machine's server:
// hub_test, with CREATEDB.
const DefaultURL = "postgres://hub_test:hub_test@127.0.0.1:5432/postgres?sslmode=disable"

// EnvURL names the environment variable that, when set, points the tests at
// another server (an admin URL with CREATEDB).
const EnvURL = "HUB_TEST_POSTGRES_URL"

var (
	once     sync.Once
	adminURL string
	startErr error
)

// URL returns an admin URL (a role with CREATEDB) of a running PostgreSQL
// 15+ server, starting one when none answers: as root the machine's cluster
// (pg_ctlcluster 15 main start) with the role hub_test created; as another
// user a private cluster under the temporary folder on a free port. When no
// server can be had the test fails under CI=true and is skipped otherwise.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { adminURL, startErr = find() })
	if startErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL: %v", startErr)
		}
		t.Skipf("PostgreSQL not available: %v", startErr)
	}
	return adminURL
}

// Database creates a database named prefix plus a random suffix and returns
// its URL; the database is dropped when the test ends.
func Database(t testing.TB, prefix string) string {
	t.Helper()
	admin := URL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	return create(t, conn, admin, prefix, "")
}

// create makes the database prefix_<random> (with the options given, such
// as a template), drops it when the test ends, and returns its URL.
func create(t testing.TB, conn *pgx.Conn, admin, prefix, options string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	name := strings.ToLower(prefix) + "_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var err error
	for range 100 {
		// 55006: a session of the template's builder still ending.
		var pe *pgconn.PgError
		if _, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+options); !errors.As(err, &pe) || pe.Code != "55006" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		// Without FORCE first: the server ends an autovacuum worker on the
		// database itself, which FORCE would need a superuser for; a
		// connection of the test's own still closing gets a moment.
		drop := "DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize()
		for range 20 {
			if _, err = conn.Exec(ctx, drop); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		if _, err := conn.Exec(ctx, drop+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Clone creates a database named prefix plus a random suffix as a copy of
// the database template, building template first with build (given its
// URL) when it does not exist yet, and returns the copy's URL; the copy is
// dropped when the test ends. Copying a built schema is much cheaper than
// building it for every test. The template stays on the server for the
// next run: name it after what it holds (a digest of the migrations).
func Clone(t testing.TB, prefix, template string, build func(url string) error) string {
	t.Helper()
	admin := URL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	// One builder at a time across test processes; a template appears
	// under its name only once built (renamed from a working name).
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtext($1))", template); err != nil {
		t.Fatal(err)
	}
	var n int
	err = conn.QueryRow(ctx, "SELECT COUNT(*) FROM pg_database WHERE datname = $1", template).Scan(&n)
	if err == nil && n == 0 {
		err = buildTemplate(ctx, conn, admin, template, build)
	}
	if _, uerr := conn.Exec(ctx, "SELECT pg_advisory_unlock(hashtext($1))", template); err == nil {
		err = uerr
	}
	if err != nil {
		t.Fatalf("template database %s: %v", template, err)
	}
	return create(t, conn, admin, prefix, " TEMPLATE "+pgx.Identifier{template}.Sanitize())
}

// buildTemplate builds template under a working name and renames it.
func buildTemplate(ctx context.Context, conn *pgx.Conn, admin, template string, build func(string) error) error {
	work := template + "_work"
	id := pgx.Identifier{work}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+id); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+id); err != nil {
		return err
	}
	u, err := url.Parse(admin)
	if err != nil {
		return err
	}
	u.Path = "/" + work
	if err := build(u.String()); err != nil {
		conn.Exec(ctx, "DROP DATABASE IF EXISTS "+id)
		return err
	}
	for range 100 {
		_, err = conn.Exec(ctx, "ALTER DATABASE "+id+" RENAME TO "+pgx.Identifier{template}.Sanitize())
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "55006" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// find returns the URL of a server that answers, starting one if need be.
func find() (string, error) {
	if u := os.Getenv(EnvURL); u != "" {
		return u, ping(u)
	}
	if ping(DefaultURL) == nil {
		return DefaultURL, nil
	}
	if os.Geteuid() == 0 {
		return DefaultURL, startCluster()
	}
	return startPrivate()
}

// ping connects to u and asks the server's version, which must be 15 or newer.
func ping(u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var v int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&v); err != nil {
		return err
	}
	if v < 150000 {
		return fmt.Errorf("server version %d, want 15 or newer", v)
	}
	return nil
}

// startCluster starts the machine's cluster (as root) and makes the test role.
func startCluster() error {
	if out, err := exec.Command("pg_ctlcluster", "15", "main", "start").CombinedOutput(); err != nil && !strings.Contains(string(out), "already running") {
		return fmt.Errorf("pg_ctlcluster 15 main start: %v: %s", err, out)
	}
	role := `DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hub_test') THEN
    CREATE ROLE hub_test LOGIN CREATEDB PASSWORD 'hub_test';
  END IF;
END $$;`
	var err error
	for range 30 {
		var out []byte
		out, err = exec.Command("su", "postgres", "-c", "psql -q -v ON_ERROR_STOP=1 -c \"$0\"", role).CombinedOutput()
		if err == nil {
			break
		}
		err = fmt.Errorf("create role hub_test: %v: %s", err, out)
		time.Sleep(time.Second)
	}
	if err != nil {
		return err
	}
	return waitFor(DefaultURL)
}

// startPrivate initdbs (once) a cluster of this user's under the temporary
// folder and starts it on a free port; it stays up for the next package.
func startPrivate() (string, error) {
	bin, err := binDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("hub-pgtest-%d", os.Geteuid()))
	data := filepath.Join(dir, "data")
	portFile := filepath.Join(dir, "port")
	if b, err := os.ReadFile(portFile); err == nil {
		u := privateURL(strings.TrimSpace(string(b)))
		if ping(u) == nil {
			return u, nil
		}
	}
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", err
		}
		pw := filepath.Join(dir, "pw")
		if err := os.WriteFile(pw, []byte("hub_test\n"), 0o600); err != nil {
			return "", err
		}
		if out, err := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "hub_test", "--pwfile", pw, "-A", "scram-sha-256", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
			return "", fmt.Errorf("initdb: %v: %s", err, out)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	opts := fmt.Sprintf("-p %s -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100", port, dir)
	if out, err := exec.Command(filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "start").CombinedOutput(); err != nil {
		return "", fmt.Errorf("pg_ctl start: %v: %s", err, out)
	}
	if err := os.WriteFile(portFile, []byte(port), 0o600); err != nil {
		return "", err
	}
	u := privateURL(port)
	return u, waitFor(u)
}

func privateURL(port string) string {
	return "postgres://hub_test:hub_test@127.0.0.1:" + port + "/postgres?sslmode=disable"
}

// binDir finds PostgreSQL's server programs (initdb, pg_ctl).
func binDir() (string, error) {
	for _, v := range []string{"17", "16", "15"} {
		d := "/usr/lib/postgresql/" + v + "/bin"
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL 15 is not installed (apt-get install postgresql-15)")
}

// waitFor waits until u answers, for up to half a minute.
func waitFor(u string) error {
	var err error
	for range 60 {
		if err = ping(u); err == nil {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return err
}

package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/jackc/pgx/v5"
)

// A database made for a test takes writes, and is gone when the test ends.
func TestDatabase(t *testing.T) {
	ctx := context.Background()
	var name string
	t.Run("create", func(t *testing.T) {
		u := Database(t, "hub_i15_pgtest")
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "CREATE TABLE t (x BIGINT); INSERT INTO t VALUES (1)"); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
	})
	conn, err := pgx.Connect(ctx, URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT COUNT(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if name == "" || n != 0 {
		t.Fatalf("database %q left behind (%d)", name, n)
	}
}

// A clone holds what the template was built with; the template is built
// once and kept.
func TestClone(t *testing.T) {
	ctx := context.Background()
	var b [4]byte
	rand.Read(b[:])
	template := "hub_i15_pgtest_tmpl_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, URL(t))
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+template); err != nil {
			t.Error(err)
		}
	})
	builds := 0
	build := func(u string) error {
		builds++
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "CREATE TABLE t (x BIGINT); INSERT INTO t VALUES (7)")
		return err
	}
	for range 2 {
		conn, err := pgx.Connect(ctx, Clone(t, "hub_i15_pgtest", template, build))
		if err != nil {
			t.Fatal(err)
		}
		var x int
		err = conn.QueryRow(ctx, "SELECT x FROM t").Scan(&x)
		conn.Close(ctx)
		if err != nil || x != 7 {
			t.Fatalf("clone holds %d, %v", x, err)
		}
	}
	if builds != 1 {
		t.Fatalf("template built %d times, want once", builds)
	}
}

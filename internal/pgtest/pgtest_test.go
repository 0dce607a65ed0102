package pgtest

import (
	"context"
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

package main

import (
	"context"
	"strings"
	"testing"
)

// A database URL the hub cannot use stops every command, naming the key.
func TestDatabaseURLStopsTheStart(t *testing.T) {
	env := newEnv(t).with("HUB_DATABASE_URL", "mysql://hub:s3cret@db.internal/hub")
	for _, args := range [][]string{{"serve"}, {"migrate"}, {"audit", "verify"}} {
		_, _, err := hub(t, env, args...)
		if err == nil || !strings.Contains(err.Error(), "key database.url") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("hub %s: %v", strings.Join(args, " "), err)
		}
	}
	// A server that does not answer: the start fails, the password unsaid.
	env = newEnv(t).with("HUB_DATABASE_URL", "postgres://hub:s3cret@127.0.0.1:1/hub?sslmode=disable&connect_timeout=2")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	err := run(ctx, []string{"serve"}, &out, &out, env.getenv)
	if err == nil || strings.Contains(err.Error(), "s3cret") || strings.Contains(out.String(), "s3cret") {
		t.Fatalf("serve on a database that does not answer: %v\n%s", err, out.String())
	}
}

// `hub config check` names the database it would open, without its password.
func TestConfigCheckNamesTheDatabase(t *testing.T) {
	env := newEnv(t)
	if out := mustHub(t, env, "config", "check"); !strings.Contains(out, "database "+env["HUB_DATA_DIR"]+"/hub.db") {
		t.Errorf("config check with SQLite: %q", out)
	}
	env = env.with("HUB_DATABASE_URL", "postgres://hub:s3cret@db.internal:5432/hub?sslmode=verify-full")
	if out := mustHub(t, env, "config", "check"); !strings.Contains(out, "database postgres://hub:xxxxx@db.internal:5432/hub,") || strings.Contains(out, "s3cret") {
		t.Errorf("config check with PostgreSQL: %q", out)
	}
}

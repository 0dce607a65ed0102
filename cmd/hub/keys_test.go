package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/app"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/store"
)

// runIn runs a command line against a data folder, as an operator would.
func runIn(t *testing.T, dataDir string, args ...string) (string, error) {
	t.Helper()
	env := map[string]string{"HUB_DATA_DIR": dataDir, "HUB_LISTEN": "127.0.0.1:18999", "HUB_SERVER_AGENCIES": "../../agencies"}
	var out, errs bytes.Buffer
	err := run(context.Background(), args, &out, &errs, func(k string) string { return env[k] })
	return out.String(), err
}

// A demo database is seeded, its keys rotated, the old key deleted, and
// every referral still opens.
func TestSeedRotateAndDropTheOldKey(t *testing.T) {
	dir := t.TempDir()
	if out, err := runIn(t, dir, "demo", "seed", "--referrals", "25"); err != nil || !strings.Contains(out, "seeded 25 synthetic referrals") {
		t.Fatalf("seed: %v %s", err, out)
	}
	keysDir := filepath.Join(dir, "keys")
	before, _ := filepath.Glob(filepath.Join(keysDir, "2*.key"))
	if len(before) != 1 {
		t.Fatalf("keys before: %v", before)
	}
	out, err := runIn(t, dir, "keys", "rotate", "--batch", "7")
	if err != nil || !strings.Contains(out, "every sealed value is now under key") || !strings.Contains(out, filepath.Base(before[0])) {
		t.Fatalf("rotate: %v\n%s", err, out)
	}
	if err := os.Remove(before[0]); err != nil {
		t.Fatal(err)
	}
	status, err := runIn(t, dir, "keys", "status")
	if err != nil || strings.Count(status, "\n") != 1 || !strings.Contains(status, "(current)") {
		t.Fatalf("status after dropping the old key: %v\n%s", err, status)
	}

	cfg, err := config.Load("", func(k string) string {
		return map[string]string{"HUB_DATA_DIR": dir, "HUB_SERVER_AGENCIES": "../../agencies"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := app.OpenStore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	page, err := db.Referrals(context.Background(), store.ListFilter{Limit: 100})
	if err != nil || len(page.Referrals) != 25 {
		t.Fatalf("list: %d %v", len(page.Referrals), err)
	}
	for _, r := range page.Referrals {
		if _, err := db.Referral(context.Background(), r.ID); err != nil {
			t.Fatalf("referral %s no longer opens: %v", r.ID, err)
		}
	}
}

func TestDemoSeedRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"demo", "seed"}, {"demo", "seed", "--referrals"}, {"demo", "seed", "--referrals", "-3"}, {"demo", "seed", "--referrals=many"}} {
		if _, err := runIn(t, dir, args...); err == nil {
			t.Errorf("%v was accepted", args)
		}
	}
	env := func(k string) string {
		return map[string]string{"HUB_DATA_DIR": dir, "HUB_DEVIDP_ENABLED": "false", "HUB_SERVER_AGENCIES": "../../agencies",
			"HUB_SIGNIN_ISSUER": "https://login.example.org", "HUB_SIGNIN_CLIENT_ID": "hub"}[k]
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo", "seed", "--referrals", "3"}, &out, &out, env); err == nil || !strings.Contains(err.Error(), "only for development") {
		t.Errorf("seeding a hub without development sign-in: %v", err)
	}
}

// With a configuration file the hub does not make keys as it goes; the first
// start makes the keys folder (0700) with its first keys, and `hub keys
// init` does the same by hand and never overwrites.
func TestKeysOnFirstStartAndInit(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(file, []byte("[devidp]\nenabled = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := runIn(t, dir, "--config", file, "users", "list"); err != nil {
		t.Fatalf("first start with a config file: %v %s", err, out)
	}
	fi, err := os.Stat(filepath.Join(dir, "keys"))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("keys folder: %v %v, want 0700", fi, err)
	}
	if _, err := runIn(t, dir, "--config", file, "keys", "init"); err == nil || !strings.Contains(err.Error(), "already holds keys") {
		t.Fatalf("keys init over existing keys: %v, want a refusal", err)
	}
	other := t.TempDir()
	out, err := runIn(t, other, "--config", file, "keys", "init")
	if err != nil || !strings.Contains(out, "sealing keys created") {
		t.Fatalf("keys init: %v %s", err, out)
	}
	if keys, _ := filepath.Glob(filepath.Join(other, "keys", "*.key")); len(keys) != 2 {
		t.Fatalf("keys init wrote %v, want a sealing key and the fingerprint key", keys)
	}
}

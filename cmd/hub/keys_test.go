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

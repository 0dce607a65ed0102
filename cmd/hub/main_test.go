package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/app"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/store"
)

// root is the repository's root, from this package's folder.
var root = filepath.Join("..", "..")

// environment is a test's HUB_* variables: its own data folder and port,
// and the repository's agencies.
type environment map[string]string

func newEnv(t *testing.T) environment {
	t.Helper()
	agencies, err := filepath.Abs(filepath.Join(root, "agencies"))
	if err != nil {
		t.Fatal(err)
	}
	return environment{"HUB_DATA_DIR": t.TempDir(), "HUB_LISTEN": freeAddress(t), "HUB_SERVER_AGENCIES": agencies, "HUB_DEVIDP_SEED_REFERRALS": "0"}
}

func (e environment) getenv(k string) string { return e[k] }

func (e environment) with(k, v string) environment {
	out := environment{k: v}
	for key, val := range e {
		if key != k {
			out[key] = val
		}
	}
	return out
}

// freeAddress is a loopback address nothing listens on at the moment.
func freeAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// hub runs one command line as `hub` would and returns what it printed.
func hub(t *testing.T, env environment, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut, env.getenv)
	return out.String(), errOut.String(), err
}

// mustHub runs a command line that must succeed.
func mustHub(t *testing.T, env environment, args ...string) string {
	t.Helper()
	out, errOut, err := hub(t, env, args...)
	if err != nil {
		t.Fatalf("hub %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// syncBuffer is a writer the server goroutine and the test can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is `hub serve` running in the test.
type server struct {
	url    string
	stdout *syncBuffer
	stop   func() error // ends the context and returns what serve returned
}

// startServe starts `hub serve` and waits until /readyz answers 200.
func startServe(t *testing.T, env environment) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, out, io.Discard, env.getenv) }()
	s := &server{url: "http://" + env["HUB_LISTEN"], stdout: out}
	var once sync.Once
	var result error
	s.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(30 * time.Second):
				result = errors.New("serve did not stop within 30s")
			}
		})
		return result
	}
	t.Cleanup(func() { s.stop() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("serve ended before it was ready: %v", err)
		default:
		}
		if res, err := http.Get(s.url + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("serve was not ready within 30s")
	return nil
}

// call sends an API request with a bearer token and decodes the JSON answer into v.
func call(t *testing.T, method, url, token string, body, v any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if v != nil && json.Unmarshal(b, v) != nil {
		t.Fatalf("%s %s: not JSON (%d): %s", method, url, res.StatusCode, b)
	}
	return res.StatusCode
}

// referralBody is a small valid referral for victim.
func referralBody(victim string) map[string]any {
	return map[string]any{
		"offence": "stalking", "summary": "Followed to work repeatedly.",
		"risk":     map[string]any{"level": "medium"},
		"victim":   map[string]any{"name": victim, "safe_contact": map[string]any{"method": "phone"}},
		"agencies": []any{map[string]any{"agency": "housing"}},
		"consent":  map[string]any{"decision": "refused", "obtained_on": "2026-01-05"},
	}
}

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigCheck(t *testing.T) {
	env := newEnv(t)
	if out := mustHub(t, env, "config", "check"); !strings.Contains(out, "configuration OK (built-in development defaults)") || !strings.Contains(out, env["HUB_DATA_DIR"]) {
		t.Errorf("defaults: %q", out)
	}
	dir := t.TempDir()
	good := writeFile(t, filepath.Join(dir, "good.toml"), "[devidp]\nenabled = true\n\n[session]\nidle_timeout = \"20m\"\n")
	if out := mustHub(t, env, "config", "check", "--config", good); !strings.Contains(out, "configuration OK ("+good+")") {
		t.Errorf("a good file: %q", out)
	}
	for _, c := range []struct{ name, text, key string }{
		{"not a duration", "[devidp]\nenabled = true\n[session]\nidle_timeout = \"soon\"\n", "idle_timeout"},
		{"not TOML", "[devidp]\nenabled = true\n[server]\nlisten = \n", "listen"},
		{"unknown key", "[devidp]\nenabled = true\n[session]\nidle = \"20m\"\n", "session.idle"},
		{"bad value", "[devidp]\nenabled = true\n[server]\nreaders = 0\n", "server.readers"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(dir, "bad.toml"), c.text)
			_, _, err := hub(t, env, "config", "check", "--config", path)
			if err == nil || !strings.Contains(err.Error(), c.key) || !strings.Contains(err.Error(), path) {
				t.Fatalf("got %v, want an error naming %s and the file", err, c.key)
			}
		})
	}
}

func TestAgenciesCheck(t *testing.T) {
	env := newEnv(t)
	out := mustHub(t, env, "agencies", "check")
	if !strings.Contains(out, "8 agencies OK") || !strings.Contains(out, "Northshire Council Housing Options") {
		t.Errorf("the demo agencies: %q", out)
	}
	dir := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(env["HUB_SERVER_AGENCIES"], "*.toml"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "housing.toml" {
			b = bytes.Replace(b, []byte(`"identity", "contact"`), []byte(`"identity", "bank_details", "contact"`), 1)
		}
		writeFile(t, filepath.Join(dir, filepath.Base(f)), string(b))
	}
	_, _, err := hub(t, env.with("HUB_SERVER_AGENCIES", dir), "agencies", "check")
	if err == nil || !strings.Contains(err.Error(), "housing.toml") || !strings.Contains(err.Error(), "agreement.referral.categories") || !strings.Contains(err.Error(), "bank_details") {
		t.Fatalf("a bad category: %v, want the file, the key and the value named", err)
	}
}

func TestMigrateTwice(t *testing.T) {
	env := newEnv(t)
	first := mustHub(t, env, "migrate")
	if !strings.HasPrefix(first, "applied ") || strings.HasPrefix(first, "applied 0 ") {
		t.Fatalf("first migrate: %q", first)
	}
	if again := mustHub(t, env, "migrate"); !strings.HasPrefix(again, "applied 0 migration(s)") {
		t.Fatalf("second migrate: %q", again)
	}
}

// A token from `hub dev token` is accepted by a hub serving the same data
// folder; the hub stops cleanly when its context ends.
func TestDevTokenAndServe(t *testing.T) {
	env := newEnv(t)
	token := strings.TrimSpace(mustHub(t, env, "dev", "token", "housing"))
	if strings.Count(token, ".") != 2 || strings.ContainsAny(token, " \n") {
		t.Fatalf("not a JWT alone on stdout: %q", token)
	}
	s := startServe(t, env)
	if !strings.Contains(s.stdout.String(), "The hub is running at "+s.url+"/") {
		t.Errorf("serve said %q", s.stdout.String())
	}
	var me struct {
		Roles  []string
		Agency *string
	}
	if status := call(t, "GET", s.url+"/api/v1/me", token, nil, &me); status != http.StatusOK {
		t.Fatalf("/api/v1/me: %d", status)
	}
	if len(me.Roles) != 1 || me.Roles[0] != "agency_staff" || me.Agency == nil || *me.Agency != "housing" {
		t.Fatalf("me: roles %v agency %v", me.Roles, me.Agency)
	}
	if status := call(t, "GET", s.url+"/api/v1/me", token+"x", nil, nil); status != http.StatusUnauthorized {
		t.Errorf("a tampered token: %d", status)
	}
	start := time.Now()
	if err := s.stop(); err != nil {
		t.Fatalf("serve after its context ended: %v", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("shutting down took %v", d)
	}
	if _, err := http.Get(s.url + "/healthz"); err == nil {
		t.Error("still answering after shutdown")
	}
}

func TestDevTokenRefusedWithoutDevIDP(t *testing.T) {
	env := newEnv(t)
	cfg := writeFile(t, filepath.Join(t.TempDir(), "prod.toml"), `[signin]
issuer = "https://login.example.gov.uk"
client_id = "hub"
`)
	out, _, err := hub(t, env, "dev", "token", "officer", "--config", cfg)
	if err == nil || !strings.Contains(err.Error(), "devidp.enabled") || out != "" {
		t.Fatalf("dev token without the development provider: %q %v", out, err)
	}
	if _, _, err := hub(t, env, "dev", "token", "nobody-at-all"); err == nil {
		t.Fatal("a token for a persona that does not exist")
	}
}

func TestUsers(t *testing.T) {
	env := newEnv(t)
	mustHub(t, env, "users", "grant", "pat@police.example.gov.uk", "supervisor")
	mustHub(t, env, "users", "grant", "lee@housing.example.gov.uk", "agency_staff", "housing")
	list := mustHub(t, env, "users", "list")
	for _, want := range []string{"pat@police.example.gov.uk\tsupervisor\t", "lee@housing.example.gov.uk\tagency_staff\thousing"} {
		if !strings.Contains(list, want) {
			t.Errorf("list lacks %q:\n%s", want, list)
		}
	}
	// The command line grants without a second administrator, for the first
	// one on the host, and every grant is in the audit log.
	cfg, err := config.Load("", env.getenv)
	if err != nil {
		t.Fatal(err)
	}
	db, err := app.OpenStore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	granted, err := db.AuditEntries(context.Background(), store.AuditFilter{Action: audit.MembershipGranted})
	db.Close()
	if err != nil || len(granted) != 2 || granted[0].Record != "pat@police.example.gov.uk" || !strings.HasPrefix(granted[0].Actor, "cli|") || granted[0].Detail != "supervisor" {
		t.Fatalf("audit of the grants: %+v %v", granted, err)
	}
	mustHub(t, env, "users", "revoke", "pat@police.example.gov.uk", "supervisor")
	if list := mustHub(t, env, "users", "list"); strings.Contains(list, "pat@") || !strings.Contains(list, "lee@") {
		t.Errorf("after revoking: %q", list)
	}
	for _, args := range [][]string{
		{"users", "grant", "x@example.gov.uk", "overlord"},
		{"users", "grant", "x@example.gov.uk", "agency_staff", "mi5"},
		{"users", "grant", "x@example.gov.uk"},
	} {
		if _, _, err := hub(t, env, args...); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}

// A backup taken while the hub writes, restored into a new data folder,
// opens as a working hub: ready, with a referral made before the backup
// readable in full, since the backup carries the sealing and audit keys.
func TestBackupWhileServing(t *testing.T) {
	env := newEnv(t)
	s := startServe(t, env)
	officer := strings.TrimSpace(mustHub(t, env, "dev", "token", "officer"))
	var before struct{ ID string }
	if status := call(t, "POST", s.url+"/api/v1/referrals", officer, referralBody("Bernadette Beforebackup"), &before); status != http.StatusCreated {
		t.Fatalf("create: %d", status)
	}

	var written atomic.Int64
	stop := make(chan struct{})
	writing := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				writing <- nil
				return
			default:
			}
			req, _ := http.NewRequest("POST", s.url+"/api/v1/referrals", strings.NewReader(mustJSON(referralBody(fmt.Sprintf("Writer %d", i)))))
			req.Header.Set("Authorization", "Bearer "+officer)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				writing <- err
				return
			}
			res.Body.Close()
			if res.StatusCode != http.StatusCreated {
				writing <- fmt.Errorf("create %d: %d", i, res.StatusCode)
				return
			}
			written.Add(1)
		}
	}()
	for written.Load() < 5 {
		time.Sleep(10 * time.Millisecond)
	}
	copyDir := t.TempDir()
	beforeBackup := written.Load()
	backupDir := filepath.Join(copyDir, "backup")
	out := mustHub(t, env, "backup", backupDir)
	duringBackup := written.Load()
	for written.Load() < duringBackup+5 {
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	if err := <-writing; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "backup written to") {
		t.Errorf("backup said %q", out)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	privateTree(t, backupDir)
	if _, _, err := hub(t, env, "backup", backupDir); err == nil {
		t.Error("a second backup into the same folder")
	}

	restored := env.with("HUB_DATA_DIR", filepath.Join(copyDir, "data")).with("HUB_LISTEN", freeAddress(t))
	if out := mustHub(t, restored, "restore", backupDir); !strings.Contains(out, "audit log OK") {
		t.Errorf("restore said %q", out)
	}
	if out := mustHub(t, restored, "audit", "verify"); !strings.HasPrefix(out, "audit log OK") {
		t.Errorf("the copy's audit log: %q", out)
	}
	r := startServe(t, restored)
	token := strings.TrimSpace(mustHub(t, restored, "dev", "token", "officer"))
	var got struct {
		Reference string
		Sections  map[string]json.RawMessage
	}
	if status := call(t, "GET", r.url+"/api/v1/referrals/"+before.ID, token, nil, &got); status != http.StatusOK {
		t.Fatalf("the referral made before the backup: %d", status)
	}
	if !strings.Contains(string(got.Sections["identity"]), "Bernadette Beforebackup") {
		t.Fatalf("the restored referral's identity: %s", got.Sections["identity"])
	}
	// A supervisor lists them all (an officer's list is their own, and the
	// development issuer, so the subject, follows the port).
	supervisor := strings.TrimSpace(mustHub(t, restored, "dev", "token", "supervisor"))
	var list struct{ Referrals []struct{ ID string } }
	call(t, "GET", r.url+"/api/v1/referrals?limit=200", supervisor, nil, &list)
	// Everything written before the backup began is in it; nothing written
	// after it ended is (one more may have been committed but not yet counted).
	if n := int64(len(list.Referrals)); n < beforeBackup+1 || n > duringBackup+2 {
		t.Errorf("the copy holds %d referrals; %d were written before the backup began and %d by its end", n, beforeBackup+1, duringBackup+1)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestAuditVerifyAndProve(t *testing.T) {
	env := newEnv(t)
	for i := range 5 {
		mustHub(t, env, "users", "grant", fmt.Sprintf("person%d@police.example.gov.uk", i), "officer")
	}
	out := mustHub(t, env, "audit", "verify")
	if !strings.HasPrefix(out, "audit log OK: 5 entries") {
		t.Fatalf("verify: %q", out)
	}
	proof := mustHub(t, env, "audit", "prove", "0")
	if !strings.Contains(proof, "\nindex 0\nentry {") || !strings.Contains(proof, `"action":"membership_granted"`) || !strings.Contains(proof, "\n\n") {
		t.Fatalf("proof of entry 0:\n%s", proof)
	}
	if _, _, err := hub(t, env, "audit", "prove", "99"); err == nil {
		t.Error("a proof of an entry that does not exist")
	}

	// Someone with the file changes entry 3 behind the hub's back.
	raw, err := sql.Open("sqlite", filepath.Join(env["HUB_DATA_DIR"], "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, stmt := range []string{
		`DROP TRIGGER IF EXISTS audit_entries_append_only_update`,
		`UPDATE audit_entries SET body = CAST(replace(CAST(body AS TEXT), 'membership_granted', 'membership_revoked') AS BLOB) WHERE idx = 3`,
	} {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	raw.Close()
	out, _, err = hub(t, env, "audit", "verify")
	if err == nil || !strings.Contains(out, "DAMAGED") || !strings.Contains(out, "entry 3") {
		t.Fatalf("verify after tampering: %q %v, want an error naming entry 3", out, err)
	}
}

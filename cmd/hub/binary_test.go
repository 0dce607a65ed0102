package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The hub binary, built once for the tests that run it as operators do.
var (
	built    sync.Once
	builtBin string
	buildErr error
)

// TestMain removes the built binary after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// hubBinary builds cmd/hub into a temporary folder, once per test run.
func hubBinary(t *testing.T) string {
	t.Helper()
	built.Do(func() {
		dir, err := os.MkdirTemp("", "hub-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "hub")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// process is `hub serve` running as a process of its own.
type process struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
	done   chan error
}

// environ is env as a process environment.
func (e environment) environ() []string {
	out := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}

// startProcess runs `hub serve` and waits until /readyz answers 200.
func startProcess(t *testing.T, env environment) *process {
	t.Helper()
	hubBinary(t)
	p := launch(t, env)
	if p == nil {
		t.FailNow()
	}
	waitReady(t, p)
	return p
}

// launch starts `hub serve` from the binary hubBinary built, without
// waiting for it; it reports a failure to start with t.Error and gives nil,
// so that it may run in a goroutine (replicas started together).
func launch(t *testing.T, env environment) *process {
	p := &process{cmd: exec.Command(builtBin, "serve"), url: "http://" + env["HUB_LISTEN"], stderr: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd.Env = env.environ()
	p.cmd.Stdout, p.cmd.Stderr = io.Discard, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Error(err)
		return nil
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// waitReady waits until the process's /readyz answers 200.
func waitReady(t *testing.T, p *process) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			t.Fatalf("serve ended before it was ready: %v\n%s", err, p.stderr)
		default:
		}
		if res, err := http.Get(p.url + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("serve was not ready within 60s\n%s", p.stderr)
}

// kill ends the process with SIGKILL: no shutdown, no checkpoint.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

// terminate sends SIGTERM and returns the exit code.
func (p *process) terminate(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop within 60s of SIGTERM")
	}
	return p.cmd.ProcessState.ExitCode()
}

// runBinary runs one command line of the built hub.
func runBinary(t *testing.T, env environment, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(hubBinary(t), args...)
	cmd.Env = env.environ()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// loader writes referrals from several goroutines and keeps the id of
// every referral the hub acknowledged (201).
type loader struct {
	mu   sync.Mutex
	ids  []string
	stop chan struct{}
	wg   sync.WaitGroup
}

// startLoad starts writers writing referrals to url as token's officer.
func startLoad(url, token string, writers int) *loader {
	l := &loader{stop: make(chan struct{})}
	client := &http.Client{Timeout: 30 * time.Second}
	for w := range writers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				body, _ := json.Marshal(referralBody(fmt.Sprintf("Writer %d-%d", w, i)))
				req, _ := http.NewRequest("POST", url+"/api/v1/referrals", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					// The hub is gone; what it did not answer was not acknowledged.
					time.Sleep(10 * time.Millisecond)
					continue
				}
				var r struct{ ID string }
				json.NewDecoder(res.Body).Decode(&r)
				res.Body.Close()
				if res.StatusCode == http.StatusCreated {
					l.mu.Lock()
					l.ids = append(l.ids, r.ID)
					l.mu.Unlock()
				}
			}
		}()
	}
	return l
}

// count is how many referrals have been acknowledged so far.
func (l *loader) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.ids)
}

// finish stops the writers and returns every acknowledged id.
func (l *loader) finish() []string {
	close(l.stop)
	l.wg.Wait()
	return l.ids
}

// killUnderLoad writes to the hub until n referrals are acknowledged, kills
// it with SIGKILL while the writers still write, and returns their ids.
func killUnderLoad(t *testing.T, p *process, token string, n int) []string {
	t.Helper()
	l := startLoad(p.url, token, 6)
	deadline := time.Now().Add(60 * time.Second)
	for l.count() < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	p.kill(t)
	return l.finish()
}

// privateTree fails the test when a folder under dir is not 0700 or a
// file not 0600.
func privateTree(t *testing.T, dir string) {
	t.Helper()
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o600)
		if info.IsDir() {
			want = 0o700
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", path, info.Mode().Perm(), want)
		}
		return nil
	})
}

// Killed under load, backed up, killed again after more writes, restored
// into the same folder (over a stale WAL) and into a new one: every
// referral acknowledged before the backup is readable and the audit log
// verifies, in both.
func TestBackupRestoreAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the hub binary")
	}
	env := newEnv(t)
	p := startProcess(t, env)
	officer, err := runBinary(t, env, "dev", "token", "officer")
	if err != nil {
		t.Fatal(officer, err)
	}
	officer = strings.TrimSpace(officer)
	before := killUnderLoad(t, p, officer, 40)
	if len(before) < 40 {
		t.Fatalf("only %d referrals acknowledged before the kill", len(before))
	}

	backupDir := filepath.Join(t.TempDir(), "backup")
	if out, err := runBinary(t, env, "backup", backupDir); err != nil || !strings.Contains(out, "backup written to") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	privateTree(t, backupDir)

	// More writes after the backup, and another kill: the data folder now
	// holds a WAL that is newer than the backup.
	p = startProcess(t, env)
	if after := killUnderLoad(t, p, officer, 20); len(after) < 20 {
		t.Fatalf("only %d referrals acknowledged after the backup", len(after))
	}
	if _, err := os.Stat(filepath.Join(env["HUB_DATA_DIR"], "hub.db-wal")); err != nil {
		t.Fatalf("no WAL left by the kill: %v", err)
	}

	check := func(env environment) {
		t.Helper()
		out, err := runBinary(t, env, "audit", "verify")
		if err != nil || !strings.HasPrefix(out, "audit log OK") {
			t.Fatalf("audit verify after restore: %v %s", err, out)
		}
		p := startProcess(t, env)
		token, err := runBinary(t, env, "dev", "token", "officer")
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range before {
			var got struct{ ID string }
			if status := call(t, "GET", p.url+"/api/v1/referrals/"+id, strings.TrimSpace(token), nil, &got); status != http.StatusOK || got.ID != id {
				t.Fatalf("referral %s acknowledged before the backup: %d after restore", id, status)
			}
		}
		if code := p.terminate(t); code != 0 {
			t.Errorf("serve exited %d", code)
		}
	}

	// Into the same folder, over the stale WAL.
	out, err := runBinary(t, env, "restore", backupDir)
	if err != nil || !strings.Contains(out, "audit log OK") {
		t.Fatalf("restore into the same folder: %v\n%s", err, out)
	}
	check(env)

	// Into a new folder, as when the machine is lost.
	fresh := env.with("HUB_DATA_DIR", t.TempDir())
	if out, err := runBinary(t, fresh, "restore", backupDir); err != nil || !strings.Contains(out, "audit log OK") {
		t.Fatalf("restore into a new folder: %v\n%s", err, out)
	}
	check(fresh)

	// Never under a running hub.
	p = startProcess(t, fresh)
	if out, err := runBinary(t, fresh, "restore", backupDir); err == nil || !strings.Contains(out, "stop it first") {
		t.Errorf("restore under a running hub: %v\n%s", err, out)
	}
	p.terminate(t)
}

// SIGTERM with a request that outlives the grace period: the hub cuts it,
// logs what it cut (by route, never by path) and exits 0.
func TestShutdownCutsAfterGrace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the hub binary")
	}
	env := newEnv(t).with("HUB_SERVER_SHUTDOWN_GRACE", "1s")
	p := startProcess(t, env)
	token, err := runBinary(t, env, "dev", "token", "officer")
	if err != nil {
		t.Fatal(token, err)
	}
	token = strings.TrimSpace(token)
	// The hub fetches its provider's keys on the first token it checks.
	if status := call(t, "GET", p.url+"/api/v1/me", token, nil, nil); status != http.StatusOK {
		t.Fatalf("/api/v1/me: %d", status)
	}
	// A request whose body never finishes arriving stays in flight.
	conn, err := net.Dial("tcp", env["HUB_LISTEN"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/referrals HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"offence\":",
		env["HUB_LISTEN"], token)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(scrapeMetrics(t, p.url), "hub_http_requests_in_flight 2") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	start := time.Now()
	if code := p.terminate(t); code != 0 {
		t.Fatalf("serve exited %d, want 0\n%s", code, p.stderr)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("shutdown took %v with a grace of 1s", took)
	}
	log := p.stderr.String()
	if !strings.Contains(log, "shutdown grace over") || !strings.Contains(log, "POST /api/v1/referrals (request ") {
		t.Errorf("the log does not say what was cut:\n%s", log)
	}
}

// scrapeMetrics reads /metrics (the test is a loopback caller).
func scrapeMetrics(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url + "/metrics")
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// A database whose applied migration was changed stops `hub migrate` and
// `hub serve`, naming the file.
func TestChangedMigrationStopsTheStart(t *testing.T) {
	env := newEnv(t)
	mustHub(t, env, "migrate")
	raw, err := sql.Open("sqlite", filepath.Join(env["HUB_DATA_DIR"], "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE schema_migrations SET checksum = 'edited' WHERE version = 5`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	for _, args := range [][]string{{"migrate"}, {"serve"}} {
		_, _, err := hub(t, env, args...)
		if err == nil || !strings.Contains(err.Error(), "0005_marac.sql") {
			t.Errorf("hub %s on a changed migration: %v, want an error naming 0005_marac.sql", args[0], err)
		}
	}
}

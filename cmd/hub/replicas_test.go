package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to read what the replicas wrote

	"github.com/stalking-hub/hub/internal/pgtest"
)

// balancer stands in for the load balancer in front of the replicas: it
// passes each request to the next replica that answers. The replicas'
// base URL is its address, so the development provider's discovery and
// keys are reached through it, as they would be in production.
type balancer struct {
	next     atomic.Uint64
	backends []string
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	for range b.backends {
		backend := b.backends[b.next.Add(1)%uint64(len(b.backends))]
		req, _ := http.NewRequest(r.Method, backend+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			continue
		}
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		io.Copy(w, res.Body)
		res.Body.Close()
		return
	}
	http.Error(w, "no replica answers", http.StatusBadGateway)
}

// cluster is the replicas as a client sees them: each request goes to the
// replica its caller names, and to the other when that one does not answer.
type cluster struct {
	urls   []string
	client *http.Client
}

// do sends one request to replica i (or the other, when i does not answer)
// and returns the status and body; status 0 when no replica answered.
func (c *cluster) do(i int, method, path, token string, body any, header ...string) (int, []byte) {
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	for try := range c.urls {
		req, _ := http.NewRequest(method, c.urls[(i+try)%len(c.urls)]+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		for h := 0; h+1 < len(header); h += 2 {
			req.Header.Set(header[h], header[h+1])
		}
		res, err := c.client.Do(req)
		if err != nil {
			continue
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, out
	}
	return 0, nil
}

// acknowledged keeps what the replicas answered with success.
type acknowledged struct {
	mu        sync.Mutex
	referrals map[string]string // id -> reference
	accepted  map[string]bool   // referral id whose housing share was accepted
	updates   map[string]int    // MARAC action id -> acknowledged updates
	attempts  map[string]int    // MARAC action id -> updates sent
	reads     int
}

// Two replicas on one PostgreSQL database, with one data folder, behind a
// load balancer: creates, share changes, MARAC action updates and partner
// reads split across both; then one replica killed with SIGKILL while the
// other carries on. Every acknowledged write is there, references are
// unique and gapless, and the audit log verifies.
func TestTwoReplicasOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two hubs and loads them for about 20 seconds")
	}
	dbURL := pgtest.Database(t, dbPrefix()+"_replicas")
	lb, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env := newEnv(t).with("HUB_DATABASE_URL", dbURL).with("HUB_SERVER_BASE_URL", "http://"+lb.Addr().String()).with("HUB_SERVER_READERS", "2")
	hubBinary(t) // built here: the replicas start from goroutines
	if out, err := runBinary(t, env, "migrate"); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	envA, envB := env.with("HUB_LISTEN", freeAddress(t)), env.with("HUB_LISTEN", freeAddress(t))
	// Both start together on the empty data folder: one set of keys.
	var a, b *process
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a = launch(t, envA) }()
	go func() { defer wg.Done(); b = launch(t, envB) }()
	wg.Wait()
	if a == nil || b == nil {
		t.FailNow()
	}
	lbServer := &http.Server{Handler: &balancer{backends: []string{a.url, b.url}}, ReadHeaderTimeout: 5 * time.Second}
	go lbServer.Serve(lb)
	defer lbServer.Close()
	for _, p := range []*process{a, b} {
		waitReady(t, p)
	}

	token := func(persona string) string {
		out, err := runBinary(t, env, "dev", "token", persona)
		if err != nil {
			t.Fatalf("dev token %s: %v\n%s", persona, err, out)
		}
		return strings.TrimSpace(out)
	}
	officer, housing, coordinator, supervisor := token("officer"), token("housing"), token("coordinator"), token("supervisor")
	c := &cluster{urls: []string{a.url, b.url}, client: &http.Client{Timeout: 30 * time.Second}}

	// A MARAC meeting with one case and four actions for housing, made
	// through both replicas.
	var first struct{ ID string }
	if status, body := c.do(0, "POST", "/api/v1/referrals", officer, referralBody("Maud Maraccase")); status != http.StatusCreated || json.Unmarshal(body, &first) != nil {
		t.Fatalf("the first referral: %d %s", status, body)
	}
	var meeting, mcase struct{ ID string }
	day := func(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format(time.DateOnly) }
	if status, body := c.do(1, "POST", "/api/v1/marac/meetings", coordinator, map[string]any{"date": day(7), "panel": "north"}); status != http.StatusCreated || json.Unmarshal(body, &meeting) != nil {
		t.Fatalf("meeting: %d %s", status, body)
	}
	if status, body := c.do(0, "POST", "/api/v1/marac/meetings/"+meeting.ID+"/cases", coordinator,
		map[string]any{"referral": first.ID, "criterion": "professional_judgement", "note": "Threats escalating"}); status != http.StatusCreated || json.Unmarshal(body, &mcase) != nil {
		t.Fatalf("case: %d %s", status, body)
	}
	var actions []string
	for i := range 4 {
		var act struct{ ID string }
		if status, body := c.do(i, "POST", "/api/v1/marac/cases/"+mcase.ID+"/actions", coordinator,
			map[string]any{"agency": "housing", "description": fmt.Sprintf("Action %d", i), "due": day(14)}); status != http.StatusCreated || json.Unmarshal(body, &act) != nil {
			t.Fatalf("action: %d %s", status, body)
		}
		actions = append(actions, act.ID)
	}

	ack := &acknowledged{referrals: map[string]string{first.ID: ""}, accepted: map[string]bool{}, updates: map[string]int{}, attempts: map[string]int{}}
	stop := make(chan struct{})
	var load sync.WaitGroup
	// Creators: each create carries an Idempotency-Key, so that sending it
	// again to the other replica when the first does not answer is safe.
	fresh := make(chan string, 1024)
	for w := range 4 {
		load.Add(1)
		go func() {
			defer load.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				status, body := c.do(w+i, "POST", "/api/v1/referrals", officer, referralBody(fmt.Sprintf("Replica Writer %d-%d", w, i)), "Idempotency-Key", fmt.Sprintf("replicas-%d-%d", w, i))
				var r struct{ ID, Reference string }
				if (status == http.StatusCreated || status == http.StatusOK) && json.Unmarshal(body, &r) == nil && r.ID != "" {
					ack.mu.Lock()
					ack.referrals[r.ID] = r.Reference
					ack.mu.Unlock()
					select {
					case fresh <- r.ID:
					default:
					}
				}
			}
		}()
	}
	// Housing reads each new referral (released and audited), on one
	// replica, and accepts it on the other.
	for w := range 3 {
		load.Add(1)
		go func() {
			defer load.Done()
			for i := 0; ; i++ {
				var id string
				select {
				case <-stop:
					return
				case id = <-fresh:
				}
				if status, _ := c.do(w+i, "GET", "/api/v1/referrals/"+id, housing, nil); status == http.StatusOK {
					ack.mu.Lock()
					ack.reads++
					ack.mu.Unlock()
				}
				if status, _ := c.do(w+i+1, "POST", "/api/v1/referrals/"+id+"/shares/housing/status", housing, map[string]any{"status": "accepted"}); status == http.StatusOK {
					ack.mu.Lock()
					ack.accepted[id] = true
					ack.mu.Unlock()
				}
			}
		}()
	}
	// Each MARAC action is done by housing and reopened by the coordinator,
	// over and over, one writer per action, alternating replicas.
	for n, id := range actions {
		load.Add(1)
		go func() {
			defer load.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ack.mu.Lock()
				ack.attempts[id]++
				ack.mu.Unlock()
				who, to := housing, "done"
				if i%2 == 1 {
					who, to = coordinator, "open"
				}
				if status, _ := c.do(n+i, "PATCH", "/api/v1/marac/actions/"+id, who, map[string]any{"status": to, "note": fmt.Sprintf("Step %d", i)}); status == http.StatusOK {
					ack.mu.Lock()
					ack.updates[id]++
					ack.mu.Unlock()
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	count := func() int { ack.mu.Lock(); defer ack.mu.Unlock(); return len(ack.referrals) }
	waitFor := func(n int) {
		deadline := time.Now().Add(30 * time.Second)
		for count() < n && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor(40)
	// The log verifies while both replicas append to it.
	if out, err := runBinary(t, env, "audit", "verify"); err != nil || !strings.HasPrefix(out, "audit log OK") {
		t.Fatalf("audit verify under load: %v\n%s", err, out)
	}
	waitFor(count() + 20)
	a.kill(t) // mid-load: no shutdown, no checkpoint
	killedAt := count()
	waitFor(killedAt + 40)
	close(stop)
	load.Wait()
	if count() < killedAt+40 {
		t.Fatalf("the surviving replica acknowledged %d creates after the other was killed, want 40", count()-killedAt)
	}

	raw, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Every acknowledged referral is there with the reference it was given,
	// and readable through the surviving replica.
	stored := map[string]string{}
	rows, err := raw.Query(`SELECT id, reference FROM referrals`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, ref string
		if err := rows.Scan(&id, &ref); err != nil {
			t.Fatal(err)
		}
		stored[id] = ref
	}
	rows.Close()
	for id, ref := range ack.referrals {
		if got, ok := stored[id]; !ok || (ref != "" && got != ref) {
			t.Errorf("acknowledged referral %s (%s) is stored as %q", id, ref, got)
		}
	}
	if status, _ := c.do(1, "GET", "/api/v1/referrals/"+first.ID, supervisor, nil); status != http.StatusOK {
		t.Errorf("the surviving replica reads the first referral: %d", status)
	}
	// A create sent again to the other replica made nothing twice: every
	// referral but the first came with its own key.
	var keyed int
	if err := raw.QueryRow(`SELECT COUNT(DISTINCT referral_id) FROM idempotency_keys`).Scan(&keyed); err != nil {
		t.Fatal(err)
	}
	if keyed != len(stored)-1 {
		t.Errorf("%d referrals, %d made under an idempotency key, want all but the first", len(stored), keyed)
	}
	// References: unique, and without a gap, per year.
	byYear := map[string][]int{}
	for _, ref := range stored {
		i := strings.LastIndex(ref, "-")
		n, err := strconv.Atoi(ref[i+1:])
		if i < 0 || err != nil {
			t.Fatalf("reference %q", ref)
		}
		byYear[ref[:i]] = append(byYear[ref[:i]], n)
	}
	for year, ns := range byYear {
		sort.Ints(ns)
		for i, n := range ns {
			if n != i+1 {
				t.Fatalf("%s references: the %dth is %d (duplicate or gap)", year, i+1, n)
			}
		}
	}
	// Every acknowledged acceptance holds.
	for id := range ack.accepted {
		var status string
		if err := raw.QueryRow(`SELECT status FROM shares WHERE referral_id = $1 AND agency = 'housing'`, id).Scan(&status); err != nil || status != "accepted" {
			t.Errorf("acknowledged acceptance of %s: %q %v", id, status, err)
		}
	}
	// Every acknowledged MARAC update is counted in the action's version;
	// none counted that was never sent.
	for _, id := range actions {
		var version int
		if err := raw.QueryRow(`SELECT version FROM marac_actions WHERE id = $1`, id).Scan(&version); err != nil {
			t.Fatal(err)
		}
		if ack.updates[id] == 0 || version < 1+ack.updates[id] || version > 1+ack.attempts[id] {
			t.Errorf("action %s at version %d after %d acknowledged updates of %d sent", id, version, ack.updates[id], ack.attempts[id])
		}
	}
	// Every acknowledged partner read has its release in the audit log.
	var releases int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM audit_entries WHERE action = 'release' AND agency = 'housing'`).Scan(&releases); err != nil {
		t.Fatal(err)
	}
	if releases < ack.reads {
		t.Errorf("%d partner reads acknowledged, %d releases to housing in the audit log", ack.reads, releases)
	}
	if len(ack.accepted) == 0 || ack.reads == 0 {
		t.Fatalf("the load did too little: %d reads, %d acceptances", ack.reads, len(ack.accepted))
	}
	if out, err := runBinary(t, env, "audit", "verify"); err != nil || !strings.HasPrefix(out, "audit log OK") {
		t.Fatalf("audit verify after the kill: %v\n%s", err, out)
	}
	t.Logf("%d referrals (%d after the kill), %d partner reads, %d acceptances, MARAC updates %v", len(stored), count()-killedAt, ack.reads, len(ack.accepted), ack.updates)
	if code := b.terminate(t); code != 0 {
		t.Errorf("the surviving replica exited %d on SIGTERM\n%s", code, b.stderr)
	}
}

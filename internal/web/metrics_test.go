package web_test

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/store"
	"github.com/stalking-hub/hub/internal/web"
)

func scrape(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// /metrics on the main listener answers loopback callers with request
// counts and latencies by route pattern and status, audit batches, the
// outbox, sessions and database errors; anyone else gets 404.
func TestMetrics(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	if res := h.Do("GET", "/api/v1/referrals/"+r.ID, "housing", nil); res.Status != http.StatusOK {
		t.Fatalf("read: %d", res.Status)
	}
	status, body := scrape(t, h.URL+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics: %d", status)
	}
	for _, want := range []string{
		`hub_http_requests_total{method="GET",route="/api/v1/referrals/:id",status="200"} 1`,
		`hub_http_requests_total{method="POST",route="/api/v1/referrals",status="201"} 1`,
		`hub_http_request_duration_seconds_bucket{method="GET",route="/api/v1/referrals/:id",status="200",le="+Inf"} 1`,
		"hub_audit_batch_entries_count ", "hub_outbox_pending 2", "hub_outbox_failed 0", "hub_outbox_oldest_pending_seconds ",
		`hub_db_errors_total{kind="cannot_write"} 0`, "hub_sessions_live 0", "hub_db_wal_bytes ", "go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, r.ID) {
		t.Error("/metrics names a referral id")
	}

	// A caller from elsewhere: the same router, another peer address.
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.RemoteAddr = "203.0.113.7:41000"
	rec := httptest.NewRecorder()
	h.App.Web.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("/metrics from a remote address: %d, want 404", rec.Code)
	}
}

// With server.metrics_listen, /metrics and pprof are on their own loopback
// listener, and the main listener has no /metrics at all.
func TestMetricsListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	h := apptest.Start(t, map[string]string{"HUB_SERVER_METRICS_LISTEN": addr})
	if status, _ := scrape(t, h.URL+"/metrics"); status != http.StatusNotFound {
		t.Errorf("/metrics on the main listener: %d, want 404", status)
	}
	if status, body := scrape(t, "http://"+addr+"/metrics"); status != http.StatusOK || !strings.Contains(body, "hub_http_requests_total") {
		t.Errorf("/metrics on its own listener: %d", status)
	}
	if status, body := scrape(t, "http://"+addr+"/debug/pprof/"); status != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("pprof on the metrics listener: %d", status)
	}
}

// pprof on the main listener is for admins only.
func TestProfilesForAdminsOnly(t *testing.T) {
	h := apptest.Start(t, nil)
	session := func(r identity.Role) string {
		token, _ := pageSession(t, h, identity.Principal{Subject: "test|" + string(r), Name: "Test", Roles: []identity.Role{r}})
		return token
	}
	if res := browse(t, h, "GET", "/debug/pprof/goroutine?debug=1", session(identity.Admin), nil); res.Status != http.StatusOK || !strings.Contains(res.Body, "goroutine profile") {
		t.Errorf("an admin's /debug/pprof/goroutine: %d", res.Status)
	}
	for _, r := range []identity.Role{identity.Officer, identity.Auditor, identity.Supervisor} {
		if res := browse(t, h, "GET", "/debug/pprof/goroutine?debug=1", session(r), nil); res.Status != http.StatusForbidden {
			t.Errorf("%s's /debug/pprof/goroutine: %d, want 403", r, res.Status)
		}
	}
	if res := browse(t, h, "GET", "/debug/pprof/", "", nil); res.Status != http.StatusSeeOther {
		t.Errorf("/debug/pprof/ signed out: %d, want a redirect to sign in", res.Status)
	}
}

// server.request_log_level below the log level keeps requests out of the log.
func TestRequestLogLevel(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "hub.db"), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		level string
		lines int
	}{{"info", 1}, {"debug", 0}} {
		cfg := config.Defaults()
		cfg.Server.RequestLogLevel = tc.level
		var log bytes.Buffer
		s, err := web.New(web.Deps{Config: cfg, DB: db, Log: slog.New(slog.NewJSONHandler(&log, nil))})
		if err != nil {
			t.Fatal(err)
		}
		s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
		if n := strings.Count(log.String(), `"msg":"request"`); n != tc.lines {
			t.Errorf("request_log_level %s: %d request lines, want %d", tc.level, n, tc.lines)
		}
	}
}

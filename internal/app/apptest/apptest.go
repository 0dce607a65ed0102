// Package apptest starts a whole hub for end-to-end tests: the real router,
// a real SQLite file (or, with HUB_TEST_BACKEND=postgres, a fresh
// PostgreSQL database), the development identity provider and the real
// OpenID Connect sign-in, on a free loopback port.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/app"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/pgtest"
	"github.com/stalking-hub/hub/internal/store/storetest"
)

// Hub is a running hub.
type Hub struct {
	t   testing.TB
	App *app.App
	URL string // base URL, no trailing slash
}

// Root is the repository's root folder, found from this file.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// quiet silences the identity provider library, which logs through the
// default logger.
var quiet sync.Once

// Start runs a hub until the test ends, on the development defaults with
// the development identity provider. env adds HUB_* settings.
func Start(t testing.TB, env map[string]string) *Hub {
	t.Helper()
	return StartConfig(t, nil, "", env)
}

// StartLogged is Start with the hub's log written to w, for tests of what
// the log holds.
func StartLogged(t testing.TB, env map[string]string, w io.Writer) *Hub {
	t.Helper()
	return start(t, nil, "", env, w)
}

// StartConfig runs a hub until the test ends with the configuration file
// (none: the development defaults), on the listener l (nil: a free loopback
// port), its listen address, base URL and data folder overridden for the
// test. env adds HUB_* settings.
func StartConfig(t testing.TB, l net.Listener, file string, env map[string]string) *Hub {
	t.Helper()
	return start(t, l, file, env, io.Discard)
}

func start(t testing.TB, l net.Listener, file string, env map[string]string, w io.Writer) *Hub {
	t.Helper()
	quiet.Do(func() { slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil))) })
	if l == nil {
		var err error
		if l, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
	}
	vars := map[string]string{
		"HUB_LISTEN":                    l.Addr().String(),
		"HUB_DATA_DIR":                  t.TempDir(),
		"HUB_SERVER_AGENCIES":           filepath.Join(Root(), "agencies"),
		"HUB_LIMITS_SIGNIN_PER_MINUTE":  "10000",
		"HUB_DEVIDP_SEED_REFERRALS":     "0",
		"HUB_AUDIT_CHECKPOINT_INTERVAL": "1h",
	}
	if file != "" {
		vars["HUB_SERVER_BASE_URL"] = "http://" + l.Addr().String()
	}
	if storetest.Postgres(t) {
		prefix := os.Getenv(storetest.EnvPrefix)
		if prefix == "" {
			prefix = "hub_test"
		}
		// 1 writer + 2 readers, as storetest's: the server is shared.
		vars["HUB_DATABASE_URL"] = pgtest.Database(t, prefix)
		vars["HUB_SERVER_READERS"] = "2"
	}
	for k, v := range env {
		vars[k] = v
	}
	wd, _ := os.Getwd()
	// Load reads ./config.toml when present; a test runs from a folder without one.
	if _, err := os.Stat(filepath.Join(wd, "config.toml")); err == nil {
		t.Fatal("apptest: a config.toml in the test's folder would be read")
	}
	cfg, err := config.Load(file, func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	a := &app.App{Config: cfg, Log: app.NewLogger(w), Listener: l}
	ctx, cancel := context.WithCancel(context.Background())
	if err := a.Open(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		a.Close()
	})
	return &Hub{t: t, App: a, URL: cfg.Server.BaseURL}
}

// Token is a bearer access token for a demo persona.
func (h *Hub) Token(persona string) string {
	h.t.Helper()
	tok, err := h.App.DevIDP.AccessToken(persona, time.Hour)
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}

// Response is an API answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("not JSON (%d): %s", r.Status, r.Body)
	}
}

// Do sends an API request as the persona ("" for none). body may be a
// string, []byte or a value to encode as JSON. headers are name, value pairs.
func (h *Hub) Do(method, path, persona string, body any, headers ...string) Response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, h.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if persona != "" {
		req.Header.Set("Authorization", "Bearer "+h.Token(persona))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

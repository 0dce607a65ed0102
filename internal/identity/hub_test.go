package identity_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/identity/oidctest"
	"github.com/stalking-hub/hub/internal/store"
	"github.com/stalking-hub/hub/internal/store/storetest"
	"github.com/stalking-hub/hub/internal/web"
)

const (
	clientID    = "hub-test"
	apiAudience = "hub-api"
	cookieName  = "__Host-hub_session"
	bindingName = "__Host-hub_signin"
)

// clock is the one time of a test: the hub, its database and the provider read it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// hub is the real router over a real database, signing in at a real provider.
type hub struct {
	t      testing.TB
	URL    string
	IdP    *oidctest.Provider
	DB     *store.DB
	Auth   *identity.Service
	Clock  *clock
	client *http.Client
	// binding is the sign-in cookie this test browser holds; Go's cookie jar
	// would not keep a Secure cookie over http, so the test carries it.
	binding string
}

type setup struct {
	idp  oidctest.Options
	opts func(*identity.Options)
	log  io.Writer // the identity service's log lines; discarded when nil
}

func newHub(t testing.TB, s setup) *hub {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s.idp.ClientID, s.idp.Audience, s.idp.Now = clientID, apiAudience, clk.Now
	idp := oidctest.New(t, s.idp)

	db := storetest.Open(t)
	db.Now = clk.Now

	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)

	log := slog.New(slog.DiscardHandler)
	if s.log != nil {
		log = slog.New(slog.NewJSONHandler(s.log, nil))
	}
	opts := identity.Options{
		BaseURL:     srv.URL,
		Issuer:      idp.URL,
		ClientID:    clientID,
		Scopes:      []string{"openid", "profile", "email"},
		APIAudience: apiAudience,
		Claims:      []identity.ClaimRules{{Issuer: idp.URL, RolePaths: []string{"roles"}, AgencyPath: "agency"}},
		Idle:        30 * time.Minute,
		Absolute:    2 * time.Hour,
		Now:         clk.Now,
	}
	if s.opts != nil {
		s.opts(&opts)
	}
	auth, err := identity.NewService(opts, db, log)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.Server.BaseURL = srv.URL
	cfg.Signin.Issuer, cfg.Signin.ClientID, cfg.API.Audience = idp.URL, clientID, apiAudience
	cfg.Session.Idle.Duration, cfg.Session.Absolute.Duration = opts.Idle, opts.Absolute
	w, err := web.New(web.Deps{Config: cfg, DB: db, Agencies: agency.NewDirectory(nil), Auth: auth, Log: log, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	handler = w
	return &hub{t: t, URL: srv.URL, IdP: idp, DB: db, Auth: auth, Clock: clk, client: &http.Client{
		// The test is the browser and follows each redirect by hand.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}}
}

// response is what the test browser got back.
type response struct {
	Status   int
	Location string
	Body     string
	Cookies  []*http.Cookie
}

func (h *hub) do(req *http.Request, cookie string) response {
	h.t.Helper()
	if cookie != "" {
		// Go's cookie jar would not send a Secure cookie over http: carry it by hand.
		req.AddCookie(&http.Cookie{Name: cookieName, Value: cookie})
	}
	if h.binding != "" && strings.HasPrefix(req.URL.String(), h.URL) {
		req.AddCookie(&http.Cookie{Name: bindingName, Value: h.binding})
	}
	res, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == bindingName {
			h.binding = c.Value
		}
	}
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(b), Cookies: res.Cookies()}
}

// get fetches a URL, or a path on the hub.
func (h *hub) get(target, cookie string) response {
	h.t.Helper()
	if strings.HasPrefix(target, "/") {
		target = h.URL + target
	}
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.do(req, cookie)
}

func (h *hub) post(path, cookie string, form url.Values) response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.do(req, cookie)
}

// bearer calls the API with an access token ("" sends none).
func (h *hub) bearer(path, token string) response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.URL+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return h.do(req, "")
}

// callback goes to /signin and through the provider, and returns the
// callback URL the provider sent the browser back to.
func (h *hub) callback(returnTo string) string {
	h.t.Helper()
	path := "/signin"
	if returnTo != "" {
		path += "?return_to=" + url.QueryEscape(returnTo)
	}
	r := h.get(path, "")
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, h.IdP.URL+"/authorize?") {
		h.t.Fatalf("GET /signin: %d to %q, want 303 to the provider", r.Status, r.Location)
	}
	auth, _ := url.Parse(r.Location)
	q := auth.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || len(q.Get("state")) < 22 || len(q.Get("nonce")) < 22 {
		h.t.Fatalf("authorize request lacks PKCE S256, state or nonce: %v", q)
	}
	if q.Get("redirect_uri") != h.URL+"/auth/callback" {
		h.t.Fatalf("redirect_uri %q", q.Get("redirect_uri"))
	}
	r = h.get(r.Location, "")
	if r.Status != http.StatusFound || !strings.HasPrefix(r.Location, h.URL+"/auth/callback?") {
		h.t.Fatalf("provider: %d to %q, want 302 to the callback", r.Status, r.Location)
	}
	return r.Location
}

// signIn runs the whole browser flow and returns the session cookie.
func (h *hub) signIn() string {
	h.t.Helper()
	r := h.get(h.callback(""), "")
	token := sessionCookie(r)
	if r.Status != http.StatusSeeOther || r.Location != "/" || token == "" {
		h.t.Fatalf("callback: %d to %q, cookie %q; want 303 to / with a session cookie (body %s)", r.Status, r.Location, token, r.Body)
	}
	return token
}

func sessionCookie(r response) string {
	for _, c := range r.Cookies {
		if c.Name == cookieName && c.MaxAge >= 0 {
			return c.Value
		}
	}
	return ""
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the sign-out form's token from the home page.
func (h *hub) csrf(cookie string) string {
	h.t.Helper()
	r := h.get("/", cookie)
	m := csrfField.FindStringSubmatch(r.Body)
	if r.Status != http.StatusOK || m == nil {
		h.t.Fatalf("home: %d, no csrf field", r.Status)
	}
	return m[1]
}

// signedOut checks that the cookie no longer opens the home page.
func (h *hub) signedOut(cookie string) {
	h.t.Helper()
	r := h.get("/", cookie)
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/signin") {
		h.t.Fatalf("GET / after the session should have ended: %d to %q", r.Status, r.Location)
	}
}

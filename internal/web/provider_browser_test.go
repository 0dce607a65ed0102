package web_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/browsertest"
	"github.com/stalking-hub/hub/internal/identity"
)

// These tests sign in through a real browser against an OpenID provider the
// project did not write: panva's certified oidc-provider from npm, run by
// Node in the test. The hub's configuration is the README's example for
// each product, as written, with only the provider's address and the secret
// file swapped in; the provider gives its accounts the claims that product
// sends, where that product sends them.

// oidcProvider is a running oidc-provider.
type oidcProvider struct {
	Issuer, ClientID, Secret string
}

// providerSettings is what the Node script reads (see its header).
type providerSettings struct {
	Client        map[string]any            `json:"client"`
	Accounts      map[string]map[string]any `json:"accounts"`
	Scopes        map[string][]string       `json:"scopes,omitempty"`
	IDTokenClaims bool                      `json:"idTokenClaims"`
	API           map[string]any            `json:"api,omitempty"`
}

// readmeExample is the TOML of the README's example under heading.
func readmeExample(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(apptest.Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "\n### "+heading+"\n")
	if !ok {
		t.Fatalf("README has no example under %q", heading)
	}
	_, rest, ok = strings.Cut(rest, "```toml\n")
	block, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatalf("README's %s section has no toml block", heading)
	}
	return block
}

// startProviderHub starts oidc-provider with the accounts and a hub
// configured by the README's example for product, and returns both.
func startProviderHub(t *testing.T, product string, s providerSettings) (*apptest.Hub, oidcProvider) {
	t.Helper()
	node, err := exec.LookPath("node")
	browsertest.Need(t, err == nil, "node is not installed")
	script := filepath.Join(apptest.Root(), "internal", "identity", "testdata", "oidc-provider.mjs")
	_, err = os.Stat(filepath.Join(apptest.Root(), "node_modules", "oidc-provider", "package.json"))
	browsertest.Need(t, err == nil, "oidc-provider is not installed (run npm ci)")

	example := readmeExample(t, product)
	var parsed struct {
		Signin struct {
			Issuer           string `toml:"issuer"`
			ClientID         string `toml:"client_id"`
			ClientSecretFile string `toml:"client_secret_file"`
		} `toml:"signin"`
		API struct {
			Audience string `toml:"audience"`
		} `toml:"api"`
	}
	if _, err := toml.Decode(example, &parsed); err != nil {
		t.Fatalf("README's %s example: %v", product, err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hubURL := "http://" + l.Addr().String()
	op := oidcProvider{ClientID: parsed.Signin.ClientID, Secret: "a-client-secret-of-32-characters-or-more"}
	s.Client = map[string]any{
		"client_id": op.ClientID, "client_secret": op.Secret,
		"redirect_uris": []string{hubURL + "/auth/callback"}, "post_logout_redirect_uris": []string{hubURL + "/signed-out"},
	}
	if s.API == nil {
		s.API = map[string]any{}
	}
	s.API["resource"], s.API["audience"] = "urn:hub:api", parsed.API.Audience
	js, _ := json.Marshal(s)

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Env = append(os.Environ(), "HUB_TEST_PROVIDER="+string(js))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("oidc-provider's log:\n%s", stderr.String())
		}
	})
	first := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		first <- line
		io.Copy(io.Discard, out)
	}()
	select {
	case line := <-first:
		var hello struct{ Issuer string }
		if err := json.Unmarshal([]byte(line), &hello); err != nil || hello.Issuer == "" {
			t.Fatalf("oidc-provider did not start: %q\n%s", line, stderr.String())
		}
		op.Issuer = hello.Issuer
	case <-time.After(30 * time.Second):
		t.Fatalf("oidc-provider did not start in 30 s:\n%s", stderr.String())
	}

	dir := t.TempDir()
	secret := filepath.Join(dir, "client-secret")
	if err := os.WriteFile(secret, []byte(op.Secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	config := strings.ReplaceAll(example, `"`+parsed.Signin.Issuer+`"`, `"`+op.Issuer+`"`)
	config = strings.ReplaceAll(config, `"`+parsed.Signin.ClientSecretFile+`"`, `"`+secret+`"`)
	file := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(file, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return apptest.StartConfig(t, l, file, nil), op
}

// providerSignIn signs a browser tab in at oidc-provider's login form as
// login, starting from path on the hub, and returns the text of the page the
// redirects end on.
func providerSignIn(t *testing.T, ctx context.Context, h *apptest.Hub, login, path string) string {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(h.URL+path),
		chromedp.WaitVisible(chromedp.CSS(`input[name="login"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), login),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "any password"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
	); err != nil {
		t.Fatalf("signing in as %s at the provider: %v", login, err)
	}
	return hubPage(t, ctx, h)
}

// hubPage waits until the tab is back on a page of the hub and returns its main text.
func hubPage(t *testing.T, ctx context.Context, h *apptest.Hub) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? location.href : ""`))
		if err == nil && strings.HasPrefix(loc, h.URL) && !strings.Contains(loc, "/auth/callback") && !strings.Contains(loc, "/signin") {
			text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			if err != nil {
				t.Fatal(err)
			}
			return text
		}
		time.Sleep(50 * time.Millisecond)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	t.Fatalf("never came back to the hub; at %s", loc)
	return ""
}

func reload(t *testing.T, ctx context.Context, h *apptest.Hub, path string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(h.URL+path)); err != nil {
		t.Fatal(err)
	}
	return hubPage(t, ctx, h)
}

// hubDB opens the hub's own database, SQLite's file or PostgreSQL's
// database, for a test to look at what was stored (queries without
// arguments: the placeholders differ).
func hubDB(t *testing.T, h *apptest.Hub) *sql.DB {
	t.Helper()
	driver, source := "sqlite", h.App.Config.DatabasePath()
	if h.App.Config.Database.Postgres() {
		driver, source = "pgx", h.App.Config.Database.URL
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func grantIn(t *testing.T, h *apptest.Hub, email string, r identity.Role, agency string) {
	t.Helper()
	if err := h.App.DB.Grant(context.Background(), identity.Membership{Email: email, Role: r, Agency: agency}, identity.Principal{Subject: "cli|test"}); err != nil {
		t.Fatal(err)
	}
}

func pageHas(t *testing.T, what, page string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Fatalf("%s lacks %q:\n%s", what, w, page)
		}
	}
}

// Entra ID: roles and groups in the ID token, no email_verified, the
// address in preferred_username. With email_verified_required = false the
// memberships of that address apply, even when email_verified is false.
func TestProviderEntraID(t *testing.T) {
	b := browsertest.Start(t)
	h, _ := startProviderHub(t, "Microsoft Entra ID", providerSettings{IDTokenClaims: true, Accounts: map[string]map[string]any{
		"eve": {"name": "Eve Example", "preferred_username": "eve@housing.example", "groups": []string{"6f1c2d3e-0000-4000-8000-000000000001"}},
		"una": {"name": "Una Unverified", "email": "una@force.example", "email_verified": false, "roles": []string{"Hub.Supervisor"}},
	}})
	grantIn(t, h, "eve@housing.example", identity.Officer, "")
	grantIn(t, h, "una@force.example", identity.Auditor, "")

	page := providerSignIn(t, b.NewTab(t, 60*time.Second), h, "eve", "/")
	pageHas(t, "Eve's home page", page, "Partner agency", "Northshire Council Housing Options", "Police officer")

	ctx := b.NewTab(t, 60*time.Second)
	page = providerSignIn(t, ctx, h, "una", "/")
	pageHas(t, "Una's home page", page, "Police supervisor", "Audit and information governance")
	browsertest.AssertNoSeriousViolations(t, ctx, "home page after signing in at oidc-provider")
}

// Keycloak: realm roles, the agency from each person's claim, e-mail
// verified or not; an ID token is refused on the API while the provider's
// access token is accepted; a revoked membership ends at the next click;
// a callback URL minted in another browser does not sign this one in.
func TestProviderKeycloak(t *testing.T) {
	b := browsertest.Start(t)
	h, op := startProviderHub(t, "Keycloak", providerSettings{IDTokenClaims: true,
		Accounts: map[string]map[string]any{
			"kim": {"name": "Kim Health", "email": "kim@health.example", "email_verified": true, "realm_access": map[string]any{"roles": []string{"hub-agency-staff"}}, "agency": "health"},
			"ian": {"name": "Ian Idva", "email": "ian@idva.example", "email_verified": true, "realm_access": map[string]any{"roles": []string{"hub-agency-staff"}}, "agency": "idva"},
			"val": {"name": "Val Unverified", "email": "val@force.example", "email_verified": false},
			"rik": {"name": "Rik Revoked", "email": "rik@force.example", "email_verified": true},
		},
		API: map[string]any{"claims": map[string]any{"realm_access": map[string]any{"roles": []string{"hub-officer"}}}},
	})
	grantIn(t, h, "val@force.example", identity.Officer, "")
	grantIn(t, h, "rik@force.example", identity.Officer, "")

	t.Run("agency from a claim", func(t *testing.T) {
		pageHas(t, "Kim's home page", providerSignIn(t, b.NewTab(t, 60*time.Second), h, "kim", "/"), "Partner agency", "Health")
		page := providerSignIn(t, b.NewTab(t, 60*time.Second), h, "ian", "/")
		pageHas(t, "Ian's home page", page, "Partner agency", "IDVA")
		if strings.Contains(page, "Health") {
			t.Fatalf("Ian, of the IDVA service, landed in health's inbox:\n%s", page)
		}
	})
	t.Run("email_verified false with email_verified_required", func(t *testing.T) {
		page := providerSignIn(t, b.NewTab(t, 60*time.Second), h, "val", "/")
		pageHas(t, "Val's page", page, "You do not have access yet", "val@force.example")
	})
	t.Run("revocation reaches an open session", func(t *testing.T) {
		ctx := b.NewTab(t, 60*time.Second)
		pageHas(t, "Rik's home page", providerSignIn(t, ctx, h, "rik", "/"), "Police officer")
		if err := h.App.DB.Revoke(context.Background(), "rik@force.example", identity.Officer, "", identity.Principal{Subject: "cli|test"}); err != nil {
			t.Fatal(err)
		}
		pageHas(t, "Rik's page after the revocation", reload(t, ctx, h, "/"), "You do not have access yet")
		if status, err := browsertest.Visit(ctx, h.URL+"/referrals/new"); err != nil || status != http.StatusForbidden {
			t.Fatalf("an officer's page after the revocation: %d %v, want 403", status, err)
		}
	})
	t.Run("an ID token is refused on the API", func(t *testing.T) {
		var idToken string
		if err := hubDB(t, h).QueryRow(`SELECT id_token FROM sessions WHERE received = 'kim@health.example' LIMIT 1`).Scan(&idToken); err != nil {
			t.Fatal(err)
		}
		if r := h.Do(http.MethodGet, "/api/v1/me", "", nil, "Authorization", "Bearer "+idToken); r.Status != http.StatusUnauthorized {
			t.Fatalf("the provider's ID token on the API: %d, want 401", r.Status)
		}
		access := clientCredentials(t, op)
		r := h.Do(http.MethodGet, "/api/v1/me", "", nil, "Authorization", "Bearer "+access)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"officer"`) {
			t.Fatalf("the provider's access token on the API: %d %s", r.Status, r.Body)
		}
	})
	t.Run("a callback URL from another browser is refused", func(t *testing.T) {
		callback, _ := mintCallback(t, h, "kim")
		ctx := b.NewTab(t, 60*time.Second)
		status, err := browsertest.Visit(ctx, callback)
		if err != nil || status != http.StatusUnauthorized {
			t.Fatalf("another browser opening the callback: %d %v, want 401", status, err)
		}
		page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		pageHas(t, "the refusal", page, "sign in again")
		if cookies, _ := browsertest.Cookies(ctx, h.URL); hasCookie(cookies, "__Host-hub_session") {
			t.Fatalf("the other browser got a session")
		}
		// The same steps in the browser that started them do sign in.
		callback, binding := mintCallback(t, h, "kim")
		req, _ := http.NewRequest(http.MethodGet, callback, nil)
		req.AddCookie(&http.Cookie{Name: "__Host-hub_signin", Value: binding})
		status, header, _ := send(t, req)
		if status != http.StatusSeeOther || !strings.Contains(header.Get("Set-Cookie"), "__Host-hub_session=") {
			t.Fatalf("the browser that started the sign-in: %d, want 303 with a session", status)
		}
	})
}

func hasCookie(cs []*network.Cookie, name string) bool {
	for _, c := range cs {
		if c.Name == name {
			return true
		}
	}
	return false
}

// ZITADEL: roles as an object whose keys are the role names, asked for with
// its scope, and every claim only at UserInfo.
func TestProviderZITADEL(t *testing.T) {
	b := browsertest.Start(t)
	h, _ := startProviderHub(t, "ZITADEL", providerSettings{
		Scopes: map[string][]string{"urn:zitadel:iam:org:project:roles": {"urn:zitadel:iam:org:project:roles"}},
		Accounts: map[string]map[string]any{
			"zoe": {"name": "Zoe Zitadel", "email": "zoe@housing.example", "email_verified": true,
				"urn:zitadel:iam:org:project:roles": map[string]any{"hub-housing": map[string]any{"248": "housing.example"}, "hub-coordinator": map[string]any{"248": "housing.example"}}},
			"amy": {"name": "Amy Member", "email": "amy@force.example", "email_verified": true},
		},
	})
	grantIn(t, h, "amy@force.example", identity.Supervisor, "")
	var idToken string
	page := providerSignIn(t, b.NewTab(t, 60*time.Second), h, "zoe", "/")
	pageHas(t, "Zoe's home page", page, "Partner agency", "Northshire Council Housing Options", "MARAC coordinator")
	// The ID token held no e-mail or role: they came from UserInfo.
	if err := hubDB(t, h).QueryRow(`SELECT id_token FROM sessions WHERE received = 'zoe@housing.example'`).Scan(&idToken); err != nil {
		t.Fatal(err)
	}
	if claims := jwtClaims(t, idToken); claims["email"] != nil || claims["urn:zitadel:iam:org:project:roles"] != nil {
		t.Fatalf("the provider put the claims in the ID token, so UserInfo was not needed: %v", claims)
	}
	pageHas(t, "Amy's home page", providerSignIn(t, b.NewTab(t, 60*time.Second), h, "amy", "/"), "Police supervisor")
}

func jwtClaims(t *testing.T, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// clientCredentials asks the provider for an API access token, as a partner system would.
func clientCredentials(t *testing.T, op oidcProvider) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, op.Issuer+"/token", strings.NewReader(url.Values{
		"grant_type": {"client_credentials"}, "resource": {"urn:hub:api"}, "scope": {"api"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(op.ClientID, op.Secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("client credentials: %d %v", res.StatusCode, err)
	}
	return tok.AccessToken
}

var formAction = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)

// mintCallback goes through the sign-in as login in a browser of its own
// (a Go client with its own cookies) and stops at the callback URL the
// provider sends it back to; it returns that URL and the browser's binding.
func mintCallback(t *testing.T, h *apptest.Hub, login string) (string, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) *http.Response {
		res, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := get(h.URL + "/signin")
	binding := ""
	for _, c := range res.Cookies() {
		if c.Name == "__Host-hub_signin" {
			binding = c.Value
		}
	}
	next := res.Header.Get("Location")
	res.Body.Close()
	for i := 0; i < 10 && !strings.HasPrefix(next, h.URL+"/auth/callback"); i++ {
		res = get(next)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		loc := res.Header.Get("Location")
		if loc == "" {
			m := formAction.FindStringSubmatch(string(body))
			if m == nil {
				t.Fatalf("the provider's page at %s has no login form:\n%s", next, body)
			}
			action, _ := url.Parse(next)
			target, _ := action.Parse(m[1])
			res, err := client.PostForm(target.String(), url.Values{"prompt": {"login"}, "login": {login}, "password": {"any"}})
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			loc = res.Header.Get("Location")
		}
		u, _ := url.Parse(next)
		abs, _ := u.Parse(loc)
		next = abs.String()
	}
	if !strings.HasPrefix(next, h.URL+"/auth/callback") || binding == "" {
		t.Fatalf("never reached the callback (at %s), binding %q", next, binding)
	}
	return next, binding
}

package web_test

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/identity"
)

// send makes one request to the hub, following no redirect.
func send(t *testing.T, req *http.Request) (int, http.Header, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// The 31st /signin in a minute from one peer is refused, whatever address
// it claims in X-Forwarded-For; behind a trusted proxy the forwarded address counts.
func TestSigninLimitByPeer(t *testing.T) {
	signins := func(h *apptest.Hub) []int {
		var got []int
		for i := range 31 {
			req, _ := http.NewRequest(http.MethodGet, h.URL+"/signin", nil)
			req.Header.Set("X-Forwarded-For", "203.0.113."+strconv.Itoa(i+1))
			status, header, _ := send(t, req)
			if status == http.StatusTooManyRequests {
				if s, err := strconv.Atoi(header.Get("Retry-After")); err != nil || s < 1 {
					t.Errorf("429 without a Retry-After in seconds: %q", header.Get("Retry-After"))
				}
			}
			got = append(got, status)
		}
		return got
	}
	h := apptest.Start(t, map[string]string{"HUB_LIMITS_SIGNIN_PER_MINUTE": "30"})
	got := signins(h)
	for i, s := range got[:30] {
		if s != http.StatusSeeOther {
			t.Fatalf("sign-in %d: %d, want 303", i+1, s)
		}
	}
	if got[30] != http.StatusTooManyRequests {
		t.Fatalf("the 31st sign-in from one peer: %d, want 429", got[30])
	}

	proxied := apptest.Start(t, map[string]string{"HUB_LIMITS_SIGNIN_PER_MINUTE": "30", "HUB_SERVER_TRUSTED_PROXIES": "127.0.0.1/32"})
	if got := signins(proxied); got[30] != http.StatusSeeOther {
		t.Fatalf("behind a trusted proxy, 31 clients' sign-ins: the last got %d, want 303", got[30])
	}
}

// The return address kept with a sign-in is bounded and stays on the site.
func TestSigninReturnToBounded(t *testing.T) {
	h := apptest.Start(t, nil)
	db := hubDB(t, h)
	for _, rt := range []string{"/%09/evil.example", "//evil", "/%5Cevil", "https://evil", "/" + strings.Repeat("a", 5000)} {
		req, _ := http.NewRequest(http.MethodGet, h.URL+"/signin?return_to="+rt, nil)
		status, header, _ := send(t, req)
		if status != http.StatusSeeOther {
			t.Fatalf("signin with return_to %.40q: %d", rt, status)
		}
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM signin_states WHERE return_to <> '/'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("return_to %.40q was kept as it came", rt)
		}
		if header.Get("Set-Cookie") == "" || !strings.Contains(header.Get("Set-Cookie"), "__Host-hub_signin=") {
			t.Errorf("no sign-in binding cookie set")
		}
	}
}

// Refused bearer tokens are limited per address: the 31st is 429.
func TestFailedTokensLimited(t *testing.T) {
	h := apptest.Start(t, nil)
	for i := range 31 {
		r := h.Do(http.MethodGet, "/api/v1/me", "", nil, "Authorization", "Bearer not-a-token")
		want := http.StatusUnauthorized
		if i == 30 {
			want = http.StatusTooManyRequests
		}
		if r.Status != want {
			t.Fatalf("bad token %d: %d, want %d", i+1, r.Status, want)
		}
		if i == 30 && r.Header.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After")
		}
	}
}

// adminPages is a hub with two administrators signed in to pages.
type adminPages struct {
	*apptest.Hub
	cookies, csrf map[string]string
}

func newAdminPages(t *testing.T) *adminPages {
	h := apptest.Start(t, nil)
	a := &adminPages{Hub: h, cookies: map[string]string{}, csrf: map[string]string{}}
	for name, email := range map[string]string{"ada": "ada@hub.example", "bo": "bo@hub.example"} {
		token, csrf := rand.Text(), rand.Text()
		now := time.Now()
		p := identity.Principal{Subject: "test|" + name, Name: name, Email: email, Received: email, Roles: []identity.Role{identity.Admin}, AuthTime: now.Unix()}
		if err := h.App.DB.CreateSession(context.Background(), token, identity.Session{Principal: p, Grant: identity.Grant{Roles: p.Roles}, CSRF: csrf, CreatedAt: now, LastSeen: now}); err != nil {
			t.Fatal(err)
		}
		a.cookies[name], a.csrf[name] = token, csrf
	}
	return a
}

func (a *adminPages) post(t *testing.T, who, path string, form url.Values) (int, string) {
	t.Helper()
	form.Set("csrf", a.csrf[who])
	req, _ := http.NewRequest(http.MethodPost, a.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "__Host-hub_session", Value: a.cookies[who]})
	status, _, body := send(t, req)
	return status, body
}

func (a *adminPages) memberships(t *testing.T) []identity.Membership {
	t.Helper()
	ms, err := a.App.DB.Memberships(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// Nobody changes their own memberships.
func TestSelfGrantRefused(t *testing.T) {
	a := newAdminPages(t)
	status, body := a.post(t, "ada", "/admin/memberships", url.Values{"email": {"ADA@hub.example"}, "role": {"officer"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "cannot change your own memberships") {
		t.Fatalf("granting oneself a role: %d, want 422 naming why", status)
	}
	if ms := a.memberships(t); len(ms) != 0 {
		t.Fatalf("memberships after a refused self-grant: %+v", ms)
	}
	if err := a.App.DB.Grant(context.Background(), identity.Membership{Email: "ada@hub.example", Role: identity.Officer}, identity.Principal{Subject: "cli|root"}); err != nil {
		t.Fatal(err)
	}
	if status, _ := a.post(t, "ada", "/admin/memberships/revoke", url.Values{"email": {"ada@hub.example"}, "role": {"officer"}}); status != http.StatusForbidden {
		t.Fatalf("revoking one's own role: %d, want 403", status)
	}
}

// A privileged role given in the pages waits until a second administrator
// approves; the one who asked cannot approve it.
func TestPrivilegedGrantNeedsSecondAdmin(t *testing.T) {
	a := newAdminPages(t)
	if status, _ := a.post(t, "ada", "/admin/memberships", url.Values{"email": {"cy@hub.example"}, "role": {"auditor"}}); status != http.StatusSeeOther {
		t.Fatalf("asking for a privileged role: %d, want 303", status)
	}
	if ms := a.memberships(t); len(ms) != 0 {
		t.Fatalf("a privileged role took effect without a second admin: %+v", ms)
	}
	reqs, err := a.App.DB.MembershipRequests(context.Background())
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests %+v, %v", reqs, err)
	}
	path := "/admin/memberships/requests/" + reqs[0].ID
	if status, _ := a.post(t, "ada", path, url.Values{"decision": {"approve"}}); status != http.StatusForbidden {
		t.Fatalf("the asking admin approving: %d, want 403", status)
	}
	if ms := a.memberships(t); len(ms) != 0 {
		t.Fatalf("the asking admin's approval took effect: %+v", ms)
	}
	if status, _ := a.post(t, "bo", path, url.Values{"decision": {"approve"}}); status != http.StatusSeeOther {
		t.Fatalf("a second admin approving: %d, want 303", status)
	}
	if ms := a.memberships(t); len(ms) != 1 || ms[0].Email != "cy@hub.example" || ms[0].Role != identity.Auditor {
		t.Fatalf("after approval: %+v", ms)
	}
	// Nor does anyone approve a role asked for them.
	if status, _ := a.post(t, "ada", "/admin/memberships", url.Values{"email": {"bo@hub.example"}, "role": {"marac_coordinator"}}); status != http.StatusSeeOther {
		t.Fatalf("asking a role for the other admin: %d", status)
	}
	reqs, _ = a.App.DB.MembershipRequests(context.Background())
	if len(reqs) != 1 {
		t.Fatalf("requests %+v", reqs)
	}
	if status, _ := a.post(t, "bo", "/admin/memberships/requests/"+reqs[0].ID, url.Values{"decision": {"approve"}}); status != http.StatusForbidden {
		t.Fatalf("approving one's own role: %d, want 403", status)
	}
	if status, _ := a.post(t, "ada", "/admin/memberships/requests/"+reqs[0].ID, url.Values{"decision": {"refuse"}}); status != http.StatusForbidden {
		t.Fatalf("the asking admin refusing their own request: %d, want 403", status)
	}
	if ms := a.memberships(t); len(ms) != 1 {
		t.Fatalf("a role approved by the person it is for: %+v", ms)
	}
	// An ordinary role takes effect at once.
	if status, _ := a.post(t, "ada", "/admin/memberships", url.Values{"email": {"dee@housing.example"}, "role": {"agency_staff"}, "agency": {"housing"}}); status != http.StatusSeeOther {
		t.Fatalf("granting agency staff: %d", status)
	}
	if ms := a.memberships(t); len(ms) != 2 {
		t.Fatalf("agency staff did not take effect at once: %+v", ms)
	}
}

// An administrator ends all of one person's sessions from the Memberships page.
func TestAdminEndsSessions(t *testing.T) {
	a := newAdminPages(t)
	now := time.Now()
	for _, token := range []string{"cy-laptop", "cy-phone"} {
		p := identity.Principal{Subject: "test|cy", Email: "cy@hub.example", Received: "cy@hub.example", Roles: []identity.Role{identity.Officer}}
		if err := a.App.DB.CreateSession(context.Background(), token, identity.Session{Principal: p, Grant: identity.Grant{Roles: p.Roles}, CSRF: "c", CreatedAt: now, LastSeen: now}); err != nil {
			t.Fatal(err)
		}
	}
	status, _ := a.post(t, "ada", "/admin/sessions/end", url.Values{"email": {"not an address"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("ending sessions of a malformed address: %d, want 422", status)
	}
	if status, _ := a.post(t, "ada", "/admin/sessions/end", url.Values{"email": {"Cy@hub.example"}}); status != http.StatusSeeOther {
		t.Fatalf("ending Cy's sessions: %d, want 303", status)
	}
	for _, token := range []string{"cy-laptop", "cy-phone"} {
		req, _ := http.NewRequest(http.MethodGet, a.URL+"/", nil)
		req.AddCookie(&http.Cookie{Name: "__Host-hub_session", Value: token})
		if status, header, _ := send(t, req); status != http.StatusSeeOther || !strings.HasPrefix(header.Get("Location"), "/signin") {
			t.Fatalf("session %s after it was ended: %d", token, status)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "__Host-hub_session", Value: a.cookies["ada"]})
	if status, _, _ := send(t, req); status != http.StatusOK {
		t.Fatalf("the admin's own session ended too: %d", status)
	}
}

// The Development tag shows only while the development provider is on.
func TestDevelopmentTagOnlyInDevelopment(t *testing.T) {
	dev := apptest.Start(t, nil)
	req, _ := http.NewRequest(http.MethodGet, dev.URL+"/signed-out", nil)
	if _, _, body := send(t, req); !strings.Contains(body, ">Development</strong>") {
		t.Fatalf("no Development tag with the development provider")
	}
	prod := t.TempDir() + "/config.toml"
	if err := os.WriteFile(prod, []byte("[signin]\nissuer = \"https://idp.example\"\nclient_id = \"hub\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := apptest.StartConfig(t, nil, prod, nil)
	req, _ = http.NewRequest(http.MethodGet, h.URL+"/signed-out", nil)
	if status, _, body := send(t, req); status != http.StatusOK || strings.Contains(body, "Development") {
		t.Fatalf("a hub with a real provider shows the Development tag (%d)", status)
	}
}

package web_test

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/web"
)

// gateCaller is one kind of person the gate test sends: through the API with a
// demo persona's bearer token, and to pages with a session cookie.
type gateCaller struct {
	name   string
	demo   string          // the demo persona of API requests; "" when not signed in
	roles  []identity.Role // what the hub gives this person
	agency string
	signed bool
}

// gateCallers are every role, someone signed in with no role, and no one. The
// agency staff member is housing's.
var gateCallers = []gateCaller{
	{name: "officer", demo: "officer", roles: []identity.Role{identity.Officer}, signed: true},
	{name: "supervisor", demo: "supervisor", roles: []identity.Role{identity.Supervisor}, signed: true},
	{name: "agency staff", demo: "housing", roles: []identity.Role{identity.AgencyStaff}, agency: "housing", signed: true},
	{name: "marac coordinator", demo: "coordinator", roles: []identity.Role{identity.MARACCoordinator}, signed: true},
	{name: "auditor", demo: "auditor", roles: []identity.Role{identity.Auditor}, signed: true},
	{name: "admin", demo: "admin", roles: []identity.Role{identity.Admin}, signed: true},
	// The probation persona is agency staff of an agency this hub is not
	// given (see gateHub): the hub drops the role, as it does for any token
	// naming an unknown agency, and what is left is a real token with no role.
	{name: "no role", demo: "probation", signed: true},
	{name: "not signed in"},
}

// criticalRoutes names, apart from the route table, who may use the routes whose
// gate matters most: a wrong table entry fails here rather than passing
// because the test reads its expectations from the table it tests.
var criticalRoutes = map[string][]identity.Role{
	"POST /api/v1/referrals":                           {identity.Officer},
	"POST /api/v1/referrals/:id/consent":               {identity.Officer},
	"POST /api/v1/referrals/:id/overrides":             {identity.Officer},
	"POST /api/v1/overrides/:id/decision":              {identity.Supervisor},
	"POST /api/v1/referrals/:id/shares/:agency/status": {identity.AgencyStaff},
	"GET /api/v1/audit":                                {identity.Auditor},
	"GET /api/v1/referrals/:id/audit":                  {identity.Officer, identity.Supervisor, identity.Auditor},
	"GET /admin/memberships":                           {identity.Admin},
	"POST /admin/memberships":                          {identity.Admin},
	"POST /admin/memberships/revoke":                   {identity.Admin},
	"POST /admin/memberships/requests/:id":             {identity.Admin},
	"POST /admin/sessions/end":                         {identity.Admin},
	"GET /admin/outbox":                                {identity.Admin},
	"POST /admin/outbox/:id/resend":                    {identity.Admin},
	"GET /dev/mailbox":                                 {identity.Admin},
	"GET /break-glass":                                 {identity.Supervisor},
	"GET /api/v1/break-glass":                          {identity.Supervisor},
	"PUT /api/v1/referrals/:id/restriction":            {identity.Officer, identity.Supervisor},
	"POST /api/v1/referrals/:id/break-glass":           {identity.Officer, identity.Supervisor},
	"POST /referrals/:id/consent":                      {identity.Officer},
	"POST /referrals/:id/overrides":                    {identity.Officer},
	"GET /overrides":                                   {identity.Supervisor},
	"GET /overrides/:id":                               {identity.Supervisor},
	"POST /overrides/:id/decision":                     {identity.Supervisor},
	"GET /audit":                                       {identity.Auditor},
	"GET /referrals/:id/audit":                         {identity.Officer, identity.Supervisor, identity.Auditor},
	"POST /api/v1/webhooks":                            {identity.Admin},
	"GET /api/v1/webhooks":                             {identity.Admin},
	"DELETE /api/v1/webhooks/:id":                      {identity.Admin},
	"GET /api/v1/events":                               {identity.AgencyStaff},
	"POST /admin/webhooks":                             {identity.Admin},
	"POST /api/v1/referrals/:id/orders":                {identity.Officer},
	"PATCH /api/v1/orders/:id":                         {identity.Officer},
	"POST /api/v1/orders/:id/breaches":                 {identity.Officer},
	"POST /api/v1/referrals/:id/risk":                  {identity.Officer},
	"PATCH /api/v1/referrals/:id":                      {identity.Officer},
	"PATCH /api/v1/marac/cases/:id":                    {identity.MARACCoordinator},
	"POST /api/v1/marac/cases/:id/remove":              {identity.MARACCoordinator},
	"POST /marac/cases/:id/edit":                       {identity.MARACCoordinator},
	"POST /marac/cases/:id/remove":                     {identity.MARACCoordinator},
	"PUT /api/v1/marac/cases/:id/minutes":              {identity.MARACCoordinator},
	"PUT /api/v1/marac/meetings/:id/apologies":         {identity.MARACCoordinator},
	"POST /marac/cases/:id/minutes":                    {identity.MARACCoordinator},
	"POST /marac/meetings/:id/apologies":               {identity.MARACCoordinator},
}

// gateHub is a whole hub whose agencies are the demo ones except probation.
func gateHub(t *testing.T) *apptest.Hub {
	t.Helper()
	src := filepath.Join(apptest.Root(), "agencies")
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join(src, "*.toml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no agency files in %s: %v", src, err)
	}
	for _, f := range files {
		if filepath.Base(f) == "probation.toml" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return apptest.Start(t, map[string]string{"HUB_SERVER_AGENCIES": dir})
}

// pageClient sends page requests with a session cookie set by hand: Go's
// cookie jar keeps a Secure cookie from a plain-http test server to itself.
var pageClient = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       30 * time.Second,
}

// pageSession opens a session for p directly in the store, signed in now,
// and returns its cookie token and CSRF token.
func pageSession(t *testing.T, h *apptest.Hub, p identity.Principal) (string, string) {
	t.Helper()
	token, csrf := rand.Text(), rand.Text()
	now := time.Now()
	if p.AuthTime == 0 {
		p.AuthTime = now.Unix()
	}
	// The roles stand for what the provider's claims gave: a session's roles are its claims' and today's memberships.
	g := identity.Grant{Roles: p.Roles}
	if p.Agency != "" {
		g.Agencies = []string{p.Agency}
	}
	if err := h.App.DB.CreateSession(context.Background(), token, identity.Session{Principal: p, Grant: g, CSRF: csrf, CreatedAt: now, LastSeen: now}); err != nil {
		t.Fatal(err)
	}
	return token, csrf
}

// pageResponse is a page's answer.
type pageResponse struct {
	Status   int
	Location string
	Body     string
}

// browse sends a browser request with the session cookie token ("" for none);
// a non-nil form is posted as the body.
func browse(t *testing.T, h *apptest.Hub, method, path, token string, form url.Values) pageResponse {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, h.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: "__Host-hub_session", Value: token})
	}
	res, err := pageClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return pageResponse{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(b)}
}

// gatePrincipal is the person a caller's session holds, named as the
// development provider's tokens name them.
func gatePrincipal(h *apptest.Hub, k gateCaller) identity.Principal {
	return identity.Principal{Subject: h.App.Config.Signin.Issuer + "|" + k.demo, Name: k.name, Roles: k.roles, Agency: k.agency}
}

// concretePath fills a route's parameters with values that name nothing.
func concretePath(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		switch {
		case strings.HasPrefix(p, ":"):
			parts[i] = "gate-" + p[1:]
		case p == "*":
			parts[i] = "gate"
		}
	}
	return strings.Join(parts, "/")
}

// sendAs sends a route's request as k: the API with a bearer token, a page
// with a fresh session (and its CSRF token on a form), and reports the status
// and, for a redirect, where it leads.
func sendAs(t *testing.T, h *apptest.Hub, r web.Route, k gateCaller) (int, string) {
	t.Helper()
	path := concretePath(r.Path)
	if strings.HasPrefix(r.Path, "/api/") || strings.HasPrefix(r.Path, "/fhir/") {
		demo := ""
		if k.signed {
			demo = k.demo
		}
		res := h.Do(r.Method, path, demo, nil)
		return res.Status, res.Header.Get("Location")
	}
	token, csrf := "", ""
	if k.signed {
		token, csrf = pageSession(t, h, gatePrincipal(h, k))
	}
	var form url.Values
	if r.Method != http.MethodGet {
		form = url.Values{"csrf": {csrf}}
	}
	res := browse(t, h, r.Method, path, token, form)
	return res.Status, res.Location
}

// refusedSignIn reports whether a status is the answer to someone not
// signed in: 401, or for a page opened in the browser, the way to sign in.
func refusedSignIn(r web.Route, status int, location string) bool {
	if status == http.StatusUnauthorized {
		return true
	}
	return !strings.HasPrefix(r.Path, "/api/") && !strings.HasPrefix(r.Path, "/fhir/") && r.Method == http.MethodGet &&
		status == http.StatusSeeOther && strings.HasPrefix(location, "/signin?return_to=")
}

// Every route of the table, as every kind of caller: the gate lets in
// exactly the roles the route names (or, for the critical routes, the roles
// written above), refuses other roles with 403 and anyone not signed in with
// 401 (pages: the way to sign in), and a public route answers everyone alike.
func TestRouteGate(t *testing.T) {
	h := gateHub(t)
	var me struct{ Roles []string }
	h.Do(http.MethodGet, "/api/v1/me", "probation", nil).JSON(t, &me)
	if len(me.Roles) != 0 {
		t.Fatalf("the no-role caller has roles %v", me.Roles)
	}
	routes := h.App.Web.Routes()
	for _, r := range routes {
		key := r.Method + " " + r.Path
		t.Run(key, func(t *testing.T) {
			allowed := r.Roles
			if want, ok := criticalRoutes[key]; ok {
				allowed = want
			}
			var anonymous int
			for _, k := range slices.Backward(gateCallers) { // no one first
				status, location := sendAs(t, h, r, k)
				if status >= 500 {
					t.Errorf("%s: %d", k.name, status)
				}
				switch {
				case r.Access == web.Public:
					if !k.signed {
						anonymous = status
					} else if status != anonymous {
						t.Errorf("public route: %s got %d, no one got %d", k.name, status, anonymous)
					}
				case !k.signed:
					if !refusedSignIn(r, status, location) {
						t.Errorf("no one signed in got %d %s, want 401 or the way to sign in", status, location)
					}
				case r.Access == web.SignedIn || slices.ContainsFunc(k.roles, func(x identity.Role) bool { return slices.Contains(allowed, x) }):
					if status == http.StatusForbidden || refusedSignIn(r, status, location) {
						t.Errorf("%s is allowed but got %d %s", k.name, status, location)
					}
				default:
					if status != http.StatusForbidden {
						t.Errorf("%s is not allowed but got %d, want 403", k.name, status)
					}
				}
			}
		})
	}
	for key, want := range criticalRoutes {
		method, path, _ := strings.Cut(key, " ")
		i := slices.IndexFunc(routes, func(r web.Route) bool { return r.Method == method && r.Path == path })
		if i < 0 {
			t.Errorf("%s is not in the route table", key)
			continue
		}
		r := routes[i]
		got := slices.Clone(r.Roles)
		slices.Sort(got)
		exp := slices.Clone(want)
		slices.Sort(exp)
		if r.Access != web.Roles || !slices.Equal(got, exp) {
			t.Errorf("%s: the table lets in %v (access %d), want exactly %v", key, r.Roles, r.Access, want)
		}
		if r.Method == http.MethodPost && !strings.HasPrefix(r.Path, "/api/") && !r.CSRF {
			t.Errorf("%s: a form that changes state without a CSRF check", key)
		}
	}
}

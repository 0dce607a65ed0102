package web

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
)

// Access says who may use a route.
type Access int

// The kinds of access, from the most open.
const (
	Public   Access = iota // no sign-in
	SignedIn               // signed in, even with no role
	Roles                  // signed in with one of Route.Roles
)

// Route is one line of the route table: deny by default, so every route
// names who may use it.
type Route struct {
	Method     string
	Path       string
	Access     Access
	Roles      []identity.Role
	CSRF       bool // a browser form that changes state
	Handler    echo.HandlerFunc
	Middleware []echo.MiddlewareFunc
}

// The role sets routes name.
var (
	everyRole   = identity.Roles // signed in and given at least one role
	officer     = []identity.Role{identity.Officer}
	supervisor  = []identity.Role{identity.Supervisor}
	agencyStaff = []identity.Role{identity.AgencyStaff}
	auditor     = []identity.Role{identity.Auditor}
)

// routes is the one table of every route the hub serves.
func (s *Server) routes() []Route {
	page := func(method, path string, roles []identity.Role, h echo.HandlerFunc) Route {
		return Route{Method: method, Path: path, Access: Roles, Roles: roles, CSRF: method == http.MethodPost, Handler: h}
	}
	api := func(method, path string, roles []identity.Role, h echo.HandlerFunc) Route {
		return Route{Method: method, Path: "/api/v1" + path, Access: Roles, Roles: roles, Handler: h}
	}
	rs := []Route{
		{Method: http.MethodGet, Path: "/healthz", Access: Public, Handler: s.healthz},
		{Method: http.MethodGet, Path: "/readyz", Access: Public, Handler: s.readyz},
		{Method: http.MethodGet, Path: "/assets/*", Access: Public, Handler: s.asset},
		{Method: http.MethodGet, Path: "/signin", Access: Public, Handler: s.signin, Middleware: []echo.MiddlewareFunc{s.rateLimit("signin")}},
		{Method: http.MethodGet, Path: "/auth/callback", Access: Public, Handler: s.callback, Middleware: []echo.MiddlewareFunc{s.rateLimit("signin")}},
		{Method: http.MethodGet, Path: "/signed-out", Access: Public, Handler: s.signedOut},
		{Method: http.MethodGet, Path: "/", Access: SignedIn, Handler: s.home},
		{Method: http.MethodPost, Path: "/signout", Access: SignedIn, CSRF: true, Handler: s.signout},
		{Method: http.MethodPost, Path: "/signout/everywhere", Access: SignedIn, CSRF: true, Handler: s.signoutEverywhere},
		{Method: http.MethodGet, Path: "/api/v1/openapi.json", Access: Public, Handler: s.openapi},
		{Method: http.MethodGet, Path: "/api/v1/me", Access: SignedIn, Handler: s.apiMe},
		page(http.MethodGet, "/admin/memberships", []identity.Role{identity.Admin}, s.memberships),
		page(http.MethodPost, "/admin/memberships", []identity.Role{identity.Admin}, s.grantMembership),
		page(http.MethodPost, "/admin/memberships/revoke", []identity.Role{identity.Admin}, s.revokeMembership),
		page(http.MethodPost, "/admin/memberships/requests/:id", []identity.Role{identity.Admin}, s.decideMembership),
		page(http.MethodPost, "/admin/sessions/end", []identity.Role{identity.Admin}, s.endSessions),
		page(http.MethodGet, "/admin/outbox", []identity.Role{identity.Admin}, s.adminOutbox),
		page(http.MethodGet, "/dev/mailbox", []identity.Role{identity.Admin}, s.devMailbox),
		api(http.MethodGet, "/agencies", everyRole, s.apiAgencies),
		api(http.MethodPost, "/referrals", officer, s.apiCreateReferral),
		api(http.MethodGet, "/referrals", everyRole, s.apiListReferrals),
		api(http.MethodGet, "/referrals/:id", everyRole, s.apiGetReferral),
		api(http.MethodPost, "/referrals/:id/shares/:agency/status", agencyStaff, s.apiShareStatus),
		api(http.MethodPost, "/referrals/:id/consent", officer, s.apiAddConsent),
		api(http.MethodPost, "/referrals/:id/overrides", officer, s.apiRequestOverride),
		api(http.MethodPost, "/overrides/:id/decision", supervisor, s.apiDecideOverride),
		api(http.MethodGet, "/referrals/:id/audit", []identity.Role{identity.Officer, identity.Supervisor, identity.Auditor}, s.apiReferralAudit),
		api(http.MethodGet, "/audit", auditor, s.apiAudit),
	}
	rs = append(rs, s.governanceRoutes()...)
	rs = append(rs, s.referralRoutes()...)
	rs = append(rs, s.maracRoutes()...)
	rs = append(rs, s.linksRoutes()...)
	rs = append(rs, s.reportRoutes()...)
	rs = append(rs, s.partnerRoutes()...)
	rs = append(rs, s.operationsRoutes()...)
	rs = append(rs, s.justiceRoutes()...)
	rs = append(rs, s.justicePageRoutes()...)
	rs = append(rs, s.restrictedRoutes()...)
	rs = append(rs, s.searchRoutes()...)
	rs = append(rs, s.sessionRoutes()...)
	rs = append(rs, s.auditVerifyRoutes()...)
	rs = append(rs, s.chaseRoutes()...)
	rs = append(rs, s.caseEditRoutes()...)
	rs = append(rs, s.minutesRoutes()...)
	rs = append(rs, s.sharesRoutes()...)
	rs = append(rs, s.amendRoutes()...)
	rs = append(rs, s.amendPageRoutes()...)
	return rs
}

// Routes lists the route table, for the gate's table test.
func (s *Server) Routes() []Route { return s.routes() }

type ctxKey string

const (
	principalKey ctxKey = "principal"
	sessionKey   ctxKey = "session"
	tokenKey     ctxKey = "session_token"
)

// sessionCookie is host-only, secure and never sent cross-site.
const sessionCookie = "__Host-hub_session"

// authenticate resolves the Principal: a bearer token under /api/, the session
// cookie elsewhere. Public routes pass without one.
func (s *Server) authenticate(r Route) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if r.Access == Public {
				return next(c)
			}
			ctx := c.Request().Context()
			if strings.HasPrefix(r.Path, "/api/") || strings.HasPrefix(r.Path, fhirBase+"/") {
				raw, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
				if !ok || raw == "" {
					c.Response().Header().Set("WWW-Authenticate", `Bearer realm="hub"`)
					return problem.New(problem.Unauthorized, "send an access token: Authorization: Bearer TOKEN")
				}
				addr := c.RealIP()
				if wait, blocked := s.tokens.blocked(addr); blocked {
					retryAfter(c, wait)
					s.log.Warn("access token refused", "request_id", requestID(c), "reason", "too many refused tokens from this address")
					return problem.New(problem.TooMany, "too many refused access tokens; wait and try again")
				}
				p, err := s.Auth.Bearer(ctx, strings.TrimSpace(raw))
				if err != nil {
					if problem.CodeOf(err) == problem.Unauthorized {
						s.tokens.fail(addr)
					}
					c.Response().Header().Set("WWW-Authenticate", `Bearer realm="hub", error="invalid_token"`)
					return err
				}
				c.Set(string(principalKey), p)
				return next(c)
			}
			ck, err := c.Cookie(sessionCookie)
			if err != nil || ck.Value == "" {
				return problem.New(problem.Unauthorized, "sign in to continue")
			}
			sess, err := s.Auth.Session(ctx, ck.Value)
			if err != nil {
				return err
			}
			c.Set(string(principalKey), sess.Principal)
			c.Set(string(sessionKey), sess)
			c.Set(string(tokenKey), ck.Value)
			return next(c)
		}
	}
}

// gate lets a request through only when the principal holds a role the route allows.
func (s *Server) gate(r Route) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if r.Access != Roles {
				return next(c)
			}
			if !principal(c).HasAny(r.Roles...) {
				return problem.New(problem.Forbidden, "your role does not give access to this")
			}
			return next(c)
		}
	}
}

// csrf checks the form token of a state-changing browser request against the session's.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, ok := c.Get(string(sessionKey)).(identity.Session)
		sent := c.FormValue("csrf")
		if !ok || sess.CSRF == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(sess.CSRF)) != 1 {
			return problem.New(problem.Forbidden, "this form has expired; go back, reload the page and try again")
		}
		return next(c)
	}
}

// principal is the signed-in caller; the zero Principal on public routes.
func principal(c echo.Context) identity.Principal {
	p, _ := c.Get(string(principalKey)).(identity.Principal)
	return p
}

// csrfToken is the token to put in the current page's forms.
func csrfToken(c echo.Context) string {
	sess, _ := c.Get(string(sessionKey)).(identity.Session)
	return sess.CSRF
}

func actorOf(c echo.Context) string {
	return principal(c).Subject
}

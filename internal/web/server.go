// Package web is the hub's HTTP face: Echo routes, middleware, the HTML pages,
// the /api/v1 handlers and the one place where errors become responses.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/justice"
	"github.com/stalking-hub/hub/internal/referral"
)

// Authenticator is the part of identity the web needs: browser sign-in,
// sessions and API bearer tokens.
type Authenticator interface {
	// BeginSignin starts the authorization code flow, bound to the browser
	// holding the cookie value browser, and returns the provider URL; fresh
	// asks the provider to authenticate the person again.
	BeginSignin(ctx context.Context, returnTo string, fresh bool, browser string) (string, error)
	// FinishSignin checks the provider's answer, and that it reached the
	// browser that started the sign-in, and opens a session; it returns the
	// session token for the cookie and where to go next.
	FinishSignin(ctx context.Context, state, code, browser string) (token string, s identity.Session, returnTo string, err error)
	// Session returns the live session for a cookie token.
	Session(ctx context.Context, token string) (identity.Session, error)
	// Signout ends the session and returns the provider's logout URL, if any.
	Signout(ctx context.Context, token string) (string, error)
	// Bearer checks an API access token.
	Bearer(ctx context.Context, raw string) (identity.Principal, error)
	// EndSessions ends every session of one person; it returns how many.
	EndSessions(ctx context.Context, who identity.SessionsOf, by identity.Principal) (int, error)
}

// Deps is what the server is built from; cmd/hub wires it.
type Deps struct {
	Config   config.Config
	DB       Stores // the database, area by area (stores.go)
	Agencies *agency.Directory
	Auth     Authenticator
	Log      *slog.Logger
	// Mounts are extra handlers under a path prefix, such as the development
	// identity provider at /devidp.
	Mounts map[string]http.Handler
	Now    func() time.Time
	// Metrics, when nil, are made here (without the store's hooks).
	Metrics *Metrics
}

// Server is the hub's web service.
type Server struct {
	Deps
	echo      *echo.Echo
	views     *views
	validator *referral.Validator
	log       *slog.Logger
	base      *url.URL
	metrics   *Metrics
	running   requests
	// requestLevel is the level of the access log's line per request.
	requestLevel slog.Level
	tokens       *failures        // refused bearer tokens per client address
	calendar     justice.Calendar // working days for the Victims' Code
}

// New builds the server: parses the templates, sets the middleware and routes.
func New(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	base, err := url.Parse(d.Config.Server.BaseURL)
	if err != nil {
		return nil, err
	}
	v, err := loadViews()
	if err != nil {
		return nil, err
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics(d.DB, d.Config.Session.Idle.Duration)
	}
	requestLevel, err := config.Level(d.Config.Server.RequestLogLevel)
	if err != nil {
		return nil, fmt.Errorf("key server.request_log_level: %w", err)
	}
	s := &Server{Deps: d, views: v, log: d.Log, base: base, validator: referral.NewValidator(d.Now),
		metrics: d.Metrics, running: requests{now: map[*http.Request]inFlight{}}, requestLevel: requestLevel,
		tokens: newFailures(d.Config.Limits.FailedTokensPerMinute, d.Now)}
	if s.calendar, err = justice.EnglandAndWales(); err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	if e.IPExtractor, err = clientAddress(d.Config.Server.TrustedProxies); err != nil {
		return nil, err
	}
	e.HTTPErrorHandler = s.handleError
	e.Use(s.requestID, middleware.Recover(), s.securityHeaders, s.observe, s.accessLog)
	e.Use(middleware.BodyLimit(bodyLimit(d.Config.Server.BodyLimit)))
	for prefix, h := range d.Mounts {
		e.Any(prefix+"/*", echo.WrapHandler(h), s.rateLimit(prefix))
	}
	s.echo = e
	for _, r := range s.routes() {
		r := r
		mw := []echo.MiddlewareFunc{s.authenticate(r), s.gate(r), s.restrictedGate(r)}
		if r.CSRF {
			mw = append([]echo.MiddlewareFunc{s.keepLatePost}, append(mw, s.csrf)...)
		} else if r.Method == http.MethodGet && r.Access != Public && !strings.HasPrefix(r.Path, "/api/") {
			mw = append(mw, s.restoreHeld)
		}
		mw = append(mw, r.Middleware...)
		e.Add(r.Method, r.Path, r.Handler, mw...)
	}
	return s, nil
}

// ServeHTTP lets tests and the listener use the server as a handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Echo is the router, for tests that list routes.
func (s *Server) Echo() *echo.Echo { return s.echo }

func bodyLimit(n int64) string { return strconv.FormatInt(n, 10) + "B" }

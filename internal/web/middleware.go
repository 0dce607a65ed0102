package web

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/problem"
)

const requestIDHeader = "X-Request-Id"

// requestID gives every request an id, echoed in the response and the logs.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var b [12]byte
		rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		c.Set(requestIDHeader, id)
		c.Response().Header().Set(requestIDHeader, id)
		c.SetRequest(c.Request().WithContext(audit.WithRequestID(c.Request().Context(), id)))
		return next(c)
	}
}

func requestID(c echo.Context) string {
	id, _ := c.Get(requestIDHeader).(string)
	return id
}

// securityHeaders sets a strict CSP with no inline script, forbids framing,
// and keeps pages out of shared caches: pages may hold personal data.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	formAction := "'self'"
	if origin := originOf(s.Config.Signin.Issuer); origin != "" && origin != originOf(s.Config.Server.BaseURL) {
		formAction += " " + origin
	}
	csp := "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action " + formAction
	tls := strings.HasPrefix(s.Config.Server.BaseURL, "https://")
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if tls {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if !strings.HasPrefix(c.Request().URL.Path, "/assets/") {
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

func originOf(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return ""
	}
	rest := raw[i+3:]
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		rest = rest[:j]
	}
	return raw[:i+3] + rest
}

// accessLog writes one JSON line per request: ids and status, never content.
// The path is logged as its route pattern so that no id in a URL is a lead.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		if strings.HasPrefix(c.Path(), "/assets/") {
			return nil
		}
		s.log.Log(c.Request().Context(), s.requestLevel, "request", "request_id", requestID(c), "actor", actorOf(c), "method", c.Request().Method,
			"route", c.Path(), "status", c.Response().Status, "ms", time.Since(start).Milliseconds())
		return nil
	}
}

// rateLimit allows each client address a burst of sign-in or token requests
// and then the configured rate per minute; beyond it, 429 with Retry-After.
// The address is the peer's, or the one a trusted proxy names.
func (s *Server) rateLimit(name string) echo.MiddlewareFunc {
	per := s.Config.Limits.SigninPerMinute
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(float64(per) / 60), Burst: per, ExpiresIn: 10 * time.Minute,
	})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: store,
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			retryAfter(c, time.Minute/time.Duration(per))
			s.log.Warn("too many sign-in requests", "request_id", requestID(c), "route", name)
			return problem.New(problem.TooMany, "too many sign-in attempts; wait a minute and try again")
		},
		ErrorHandler: func(c echo.Context, err error) error {
			return problem.New(problem.Forbidden, "cannot tell where this request came from")
		},
	})
}

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// healthz answers while the process is up.
func (s *Server) healthz(c echo.Context) error {
	return answer(c, http.StatusOK, healthJSON{"ok"})
}

// readyz answers when the database is reachable, its schema current and
// it takes writes.
func (s *Server) readyz(c echo.Context) error {
	if err := s.DB.Ready(c.Request().Context()); err != nil {
		c.Response().Header().Set("Retry-After", unavailableRetryAfter)
		return answer(c, http.StatusServiceUnavailable, healthJSON{"unavailable"})
	}
	return answer(c, http.StatusOK, healthJSON{"ready"})
}

package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
)

// operationsRoutes are what operators and admins use to keep the hub
// running.
func (s *Server) operationsRoutes() []Route {
	admin := []identity.Role{identity.Admin}
	return []Route{
		{Method: http.MethodPost, Path: "/admin/outbox/:id/resend", Access: Roles, Roles: admin, CSRF: true, Handler: s.resendNotification},
		// Loopback callers only (metricsPage), as a Prometheus on the same
		// machine scrapes; a remote caller sees no such page.
		{Method: http.MethodGet, Path: "/metrics", Access: Public, Handler: s.metricsPage},
		{Method: http.MethodGet, Path: "/debug/pprof/*", Access: Roles, Roles: admin, Handler: s.profile},
	}
}

// resendNotification makes a notification the hub gave up on pending
// again, once an admin has fixed the cause (a mailbox, a mail server).
func (s *Server) resendNotification(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return problem.New(problem.NotFound, "Page not found")
	}
	if err := s.DB.Resend(c.Request().Context(), id, s.Now(), principal(c)); err != nil {
		return err
	}
	s.log.Info("failed notification queued again", append(logAttrs(c), "notification", id)...)
	return c.Redirect(http.StatusSeeOther, "/admin/outbox?state=failed")
}

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/audit"
)

// Verifying the audit log from the hub: an auditor starts it, watches its
// progress, and sees the last verdict; `hub audit verify` does the same on
// the command line.

type verifyPage struct {
	Last      *audit.Verification
	Running   bool
	By        string
	StartedAt stamp
	Finished  stamp
	Percent   int64
	Started   bool
}

// auditVerifyPage shows the last verification of the audit log, or the one
// under way.
func (s *Server) auditVerifyPage(c echo.Context) error {
	last, err := s.DB.LastVerification(c.Request().Context())
	if err != nil {
		return err
	}
	d := verifyPage{Last: last, Started: c.QueryParam("started") == "1"}
	if last != nil {
		d.Running = last.Running(s.Now())
		d.By, d.StartedAt, d.Finished = s.personName(last.StartedBy, last.StartedAt), stampOf(last.StartedAt), stampOf(last.FinishedAt)
		if last.Total > 0 {
			d.Percent = last.Done * 100 / last.Total
		}
	}
	return s.render(c, http.StatusOK, "audit-verify", d)
}

// startAuditVerify starts a verification unless one is running.
func (s *Server) startAuditVerify(c echo.Context) error {
	if _, _, err := s.DB.StartVerification(c.Request().Context(), principal(c).Subject); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/audit/verify?started=1")
}

// auditVerifyRoutes are the pages of verification.
func (s *Server) auditVerifyRoutes() []Route {
	return []Route{
		{Method: http.MethodGet, Path: "/audit/verify", Access: Roles, Roles: auditor, Handler: s.auditVerifyPage},
		{Method: http.MethodPost, Path: "/audit/verify", Access: Roles, Roles: auditor, CSRF: true, Handler: s.startAuditVerify},
	}
}

package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/sharing"
	"github.com/stalking-hub/hub/internal/store"
)

// amendRoutes are the changes an officer makes to a referral after it is
// sent (../shared/api.md "A referral after it is sent"): re-assessing its
// risk and amending its content.
func (s *Server) amendRoutes() []Route {
	api := func(method, path string, roles []identity.Role, h echo.HandlerFunc) Route {
		return Route{Method: method, Path: "/api/v1" + path, Access: Roles, Roles: roles, Handler: h}
	}
	officer := []identity.Role{identity.Officer}
	return []Route{
		api(http.MethodPost, "/referrals/:id/risk", officer, s.apiReassessRisk),
	}
}

// riskBody is a re-assessment as the API takes it.
type riskBody struct {
	Tool       string `json:"tool"`
	Score      *int   `json:"score"`
	Level      string `json:"level"`
	AssessedOn string `json:"assessed_on"`
	Reason     string `json:"reason"`
}

// apiReassessRisk records a new assessment of a sent referral's risk and
// answers 201 with the referral as released to the officer: `risk` the
// latest, `risk_history` every assessment.
func (s *Server) apiReassessRisk(c echo.Context) error {
	id := c.Param("id")
	// Only the force that raised it may re-assess it; anyone else, and an
	// officer who may not read a restricted referral, gets a 404.
	if err := s.forceRead(c, id); err != nil {
		return err
	}
	var b riskBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	a := referral.RiskAssessment{Tool: b.Tool, Score: b.Score, Level: b.Level, AssessedOn: b.AssessedOn}
	if perr := s.validator.ValidateRisk(a, b.Reason); perr != nil {
		return perr
	}
	if _, err := s.DB.ReassessRisk(c.Request().Context(), store.Reassessment{ReferralID: id, Assessment: a,
		Reason: strings.TrimSpace(b.Reason), Actor: principal(c), ResponseTime: s.responseTime}); err != nil {
		return err
	}
	return s.apiRelease(c, id, http.StatusCreated)
}

// responseTime is how long an agency has to answer a referral at a level.
func (s *Server) responseTime(agencyID string, l risk.Level) time.Duration {
	a, _ := s.Agencies.Get(agencyID)
	return a.ResponseTime(l)
}

// riskOf splits the released risk section into the section as created
// (the latest assessment) and the history of assessments. A referral never
// re-assessed has a history of one: its first assessment, recorded when the
// referral was created (the store names who assessed from the first
// re-assessment on). Nothing is returned when the risk category is withheld.
func riskOf(v sharing.View) (section json.RawMessage, history []referral.RiskEntry) {
	b, ok := v.Content(category.Risk)
	if !ok || b == nil {
		return nil, nil
	}
	var sec referral.RiskSection
	if err := json.Unmarshal(b, &sec); err != nil {
		return b, nil
	}
	history = sec.History
	if len(history) == 0 && sec.Level != "" {
		history = []referral.RiskEntry{{RiskAssessment: sec.RiskAssessment, RecordedAt: v.Meta().CreatedAt.UTC()}}
	}
	sec.History = nil
	out, err := json.Marshal(sec)
	if err != nil {
		return b, history
	}
	return out, history
}

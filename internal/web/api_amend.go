package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/sharing"
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
		api(http.MethodPatch, "/referrals/:id", officer, s.apiAmendReferral),
	}
}

// forceWhole releases referral id to an officer of the force who reads it
// whole, audited as every read is; anyone else, and an officer who may not
// read a restricted referral, gets the 404 of a referral that does not exist.
func (s *Server) forceWhole(c echo.Context, id string) (sharing.View, error) {
	v, err := s.release(c, id, agency.Referral)
	if err != nil {
		return v, err
	}
	if v.Agency() != agency.Police || v.Restricted() {
		return v, referral.NotFound()
	}
	return v, nil
}

// apiAmendReferral applies a JSON merge patch of the referral's fields as
// created, with a reason, as a new version of the referral (If-Match
// required), and answers the referral as the officer now reads it.
func (s *Server) apiAmendReferral(c echo.Context) error {
	id := c.Param("id")
	ifMatch := c.Request().Header.Get("If-Match")
	if ifMatch == "" {
		return problem.New(problem.NoIfMatch, "send If-Match with the referral's ETag")
	}
	version, err := parseIfMatch(ifMatch)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return problem.New(problem.TooLarge, "the update is too large")
	}
	var patch map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&patch); err != nil || patch == nil {
		return problem.New(problem.Malformed, "the body is not a JSON object")
	}
	reason, _ := patch["reason"].(string)
	delete(patch, "reason")
	reason = strings.TrimSpace(reason)
	v, err := s.forceWhole(c, id)
	if err != nil {
		return err
	}
	cur, err := currentSubmission(v)
	if err != nil {
		return err
	}
	next, perr := referral.Patch(cur, patch)
	var fields map[string]string
	if perr != nil {
		if perr.Code != problem.Invalid {
			return perr
		}
		fields = perr.Fields
	} else if fields, err = s.amendErrors(next); err != nil {
		return err
	}
	if msg := reasonError(reason, "Say why the referral is being updated"); msg != "" {
		fields["reason"] = msg
	}
	if len(fields) > 0 {
		return problem.Fields(fields)
	}
	var enhanced *bool
	if _, ok := patch["victim_code"]; ok && next.VictimCode != nil {
		enhanced = next.VictimCode.Enhanced
	}
	if err := s.amend(c, v, version, cur, next, enhanced, reason); err != nil {
		return err
	}
	return s.apiRelease(c, id, http.StatusOK)
}

// reasonError is what is wrong with a reason an officer gives, if anything.
func reasonError(reason, missing string) string {
	switch {
	case reason == "":
		return missing
	case len(reason) > 2000:
		return "The reason must be 2,000 characters or fewer"
	}
	return ""
}

// currentSubmission is the referral as the officer reads it whole, in the
// shape of a submission.
func currentSubmission(v sharing.View) (referral.Submission, error) {
	var agencies []string
	for _, sh := range v.Shares() {
		agencies = append(agencies, sh.Agency)
	}
	return referral.FromSections(v.Meta().Offence, func(cat category.Category) []byte { b, _ := v.Content(cat); return b }, agencies)
}

// amendErrors checks an amended referral whole, keeping the errors of what
// an amendment may change: agencies, consent and risk are as they were.
func (s *Server) amendErrors(next referral.Submission) (map[string]string, error) {
	fields := map[string]string{}
	perr := s.validator.Validate(next, s.Agencies)
	if perr == nil {
		return fields, nil
	}
	if perr.Code != problem.Invalid {
		return nil, perr
	}
	for k, msg := range perr.Fields {
		if !strings.HasPrefix(k, "agencies") && !strings.HasPrefix(k, "consent") && !strings.HasPrefix(k, "risk.") {
			fields[k] = msg
		}
	}
	return fields, nil
}

// amend stores next as a new version of the referral the officer read as
// v at version: the API's PATCH and the "Update this referral" pages both
// come here.
func (s *Server) amend(c echo.Context, v sharing.View, version int, cur, next referral.Submission, enhanced *bool, reason string) error {
	ctx := c.Request().Context()
	riskBefore, _ := v.Content(category.Risk)
	sections, err := referral.ChangedSections(cur, next, riskBefore)
	if err != nil {
		return err
	}
	a := referral.Amendment{ReferralID: v.ReferralID(), IfMatch: version, Submission: next, Sections: sections, Enhanced: enhanced,
		Reason: reason, Actor: principal(c)}
	if a.Visible, err = s.visibility(ctx, v.ReferralID()); err != nil {
		return err
	}
	_, err = s.DB.AmendReferral(ctx, a)
	return err
}

// visibility decides, with the same sharing.Release every read uses, which
// categories of referral id each receiving agency may see now. Nothing is
// shown to anyone: only the decisions are kept, to tell each agency of the
// changes it may see and of no others.
func (s *Server) visibility(ctx context.Context, id string) (func(string, category.Category) bool, error) {
	r, err := s.DB.Referral(ctx, id)
	if err != nil {
		return nil, err
	}
	shown := map[string][category.Count]bool{}
	for _, sh := range r.Shares {
		reader := identity.Principal{Subject: "hub|visibility", Roles: []identity.Role{identity.AgencyStaff}, Agency: sh.Agency}
		v, err := sharing.Release(reader, r, agency.Referral, s.Agencies, s.Now())
		if err != nil {
			continue
		}
		var seen [category.Count]bool
		for _, d := range v.Decisions() {
			seen[d.Category] = d.Shown
		}
		shown[sh.Agency] = seen
	}
	return func(ag string, c category.Category) bool { return shown[ag][c] }, nil
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
	if _, err := s.forceWhole(c, id); err != nil {
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
	if _, err := s.DB.ReassessRisk(c.Request().Context(), referral.Reassessment{ReferralID: id, Assessment: a,
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

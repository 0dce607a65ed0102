package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/fhir"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/store"
)

// fhirBase is where the FHIR R4 endpoints live.
const fhirBase = "/fhir/r4"

// fhirRoutes are the read-only FHIR R4 endpoints: the same bearer tokens,
// release and audit as /api/v1.
func (s *Server) fhirRoutes() []Route {
	get := func(path string, h echo.HandlerFunc) Route {
		return Route{Method: http.MethodGet, Path: fhirBase + path, Access: Roles, Roles: everyRole, Handler: h}
	}
	return []Route{
		get("/ServiceRequest/:id", s.fhirServiceRequest),
		get("/Task", s.fhirTaskSearch),
		get("/Task/:id", s.fhirTask),
	}
}

func isFHIR(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, fhirBase+"/") }

func (s *Server) fhirSystems() fhir.Systems { return fhir.Systems{Base: s.Config.Server.BaseURL} }

// agencyName is an agency's name for its id, or the id itself.
func (s *Server) agencyName(id string) string {
	if a, ok := s.Agencies.Get(id); ok {
		return a.Name
	}
	return id
}

// writeFHIR answers a FHIR resource as application/fhir+json.
func writeFHIR(c echo.Context, status int, v fhir.Answer) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.Blob(status, fhir.ContentType, b)
}

// fhirServiceRequest is the referral as released to the caller. The release
// is audited before the answer, as for GET /api/v1/referrals/{id}.
func (s *Server) fhirServiceRequest(c echo.Context) error {
	v, err := s.release(c, c.Param("id"), agency.Referral)
	if err != nil {
		return err
	}
	return writeFHIR(c, http.StatusOK, fhir.NewServiceRequest(v, s.fhirSystems(), s.agencyName))
}

// fhirTask is one share as released to the caller: the referral is released
// (and audited) first, and the share must be one the release shows.
func (s *Server) fhirTask(c echo.Context) error {
	referralID, _, err := s.DB.ShareLocation(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	v, err := s.release(c, referralID, agency.Referral)
	if err != nil {
		return err
	}
	for _, sh := range v.Shares() {
		if sh.ID == c.Param("id") {
			return writeFHIR(c, http.StatusOK, fhir.NewTask(v, sh, s.fhirSystems(), s.agencyName))
		}
	}
	return referral.NotFound()
}

// fhirTaskSearch lists the Tasks of one owner agency that the caller's list
// shows (an agency searches its own inbox only), from metadata alone: a
// search releases no free text and does not mark a share viewed.
func (s *Server) fhirTaskSearch(c echo.Context) error {
	p := principal(c)
	for name := range c.QueryParams() {
		if name != "owner" && name != "_cursor" {
			return problem.Invalidf(name, "this server searches Task by owner only")
		}
	}
	owner := strings.TrimPrefix(c.QueryParam("owner"), "Organization/")
	if _, ok := s.Agencies.Get(owner); !ok || owner == agency.Police {
		return problem.Invalidf("owner", "owner must be a receiving agency's id, like housing")
	}
	f := store.ListFilter{Now: s.Now(), Cursor: c.QueryParam("_cursor"), Limit: 50}
	bundle := fhir.Bundle{ResourceType: "Bundle", Type: "searchset",
		Link: []fhir.Link{{Relation: "self", URL: s.fhirURL("/Task", url.Values{"owner": {owner}, "_cursor": {f.Cursor}})}}}
	switch {
	case p.Police() && p.Has(identity.Supervisor), p.Has(identity.Auditor):
		f.Agency = owner
	case p.Has(identity.Officer):
		f.Officer, f.Agency = p.Subject, owner
	case p.Has(identity.AgencyStaff) && p.Agency == owner:
		f.Agency = owner
	default:
		return writeFHIR(c, http.StatusOK, bundle)
	}
	page, err := s.DB.Referrals(c.Request().Context(), f)
	if err != nil {
		return err
	}
	for _, r := range page.Referrals {
		for _, sh := range r.Shares {
			if sh.Agency != owner {
				continue
			}
			t := fhir.TaskOf(r.ID, sh, s.fhirSystems(), s.agencyName)
			e := fhir.Entry{FullURL: s.fhirURL("/Task/"+url.PathEscape(sh.ID), nil), Resource: t}
			e.Search = &struct {
				Mode string `json:"mode"`
			}{"match"}
			bundle.Entry = append(bundle.Entry, e)
		}
	}
	if page.Next != "" {
		bundle.Link = append(bundle.Link, fhir.Link{Relation: "next", URL: s.fhirURL("/Task", url.Values{"owner": {owner}, "_cursor": {page.Next}})})
	}
	return writeFHIR(c, http.StatusOK, bundle)
}

// fhirURL is an absolute URL under the FHIR base.
func (s *Server) fhirURL(path string, q url.Values) string {
	u := strings.TrimSuffix(s.Config.Server.BaseURL, "/") + fhirBase + path
	for k, v := range q {
		if len(v) == 0 || v[0] == "" {
			q.Del(k)
		}
	}
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// fhirIssueCodes map the hub's error codes to FHIR issue types.
var fhirIssueCodes = map[problem.Code]string{
	problem.Invalid:      "invalid",
	problem.Malformed:    "structure",
	problem.Unauthorized: "login",
	problem.Forbidden:    "forbidden",
	problem.NotFound:     "not-found",
	problem.TooMany:      "throttled",
	problem.Unavailable:  "transient",
}

// writeOperationOutcome answers an error under /fhir as an OperationOutcome.
func writeOperationOutcome(c echo.Context, status int, pe *problem.Error) error {
	code, ok := fhirIssueCodes[pe.Code]
	if !ok {
		code = "exception"
	}
	return writeFHIR(c, status, fhir.OperationOutcome{ResourceType: "OperationOutcome",
		Issue: []fhir.Issue{{Severity: "error", Code: code, Diagnostics: pe.Message}}})
}

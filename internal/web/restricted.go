package web

import (
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/sharing"
	"github.com/stalking-hub/hub/internal/store"
)

// maxBreakGlassReason is the longest reason for a break-glass read, in characters.
const maxBreakGlassReason = 1000

// restrictedRoutes are restricted referrals and break-glass reads.
func (s *Server) restrictedRoutes() []Route {
	police := []identity.Role{identity.Officer, identity.Supervisor}
	supervisor := []identity.Role{identity.Supervisor}
	return []Route{
		{Method: http.MethodPost, Path: "/api/v1/referrals/:id/break-glass", Access: Roles, Roles: police, Handler: s.apiBreakGlass},
		{Method: http.MethodPut, Path: "/api/v1/referrals/:id/restriction", Access: Roles, Roles: police, Handler: s.apiSetRestriction},
		{Method: http.MethodGet, Path: "/api/v1/break-glass", Access: Roles, Roles: supervisor, Handler: s.apiBreakGlassReads},
		{Method: http.MethodPost, Path: "/referrals/:id/break-glass", Access: Roles, Roles: police, CSRF: true, Handler: s.breakGlassPage},
		{Method: http.MethodPost, Path: "/referrals/:id/restriction", Access: Roles, Roles: police, CSRF: true, Handler: s.setRestrictionPage},
		{Method: http.MethodGet, Path: "/break-glass", Access: Roles, Roles: supervisor, Handler: s.breakGlassReadsPage},
	}
}

// breakGlassReason checks the reason an officer gives to read a restricted
// referral: there must be one, of a sensible length.
func breakGlassReason(reason string) (string, *problem.Error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", problem.Invalidf("reason", "Say why you need to read this restricted referral")
	case utf8.RuneCountInString(reason) > maxBreakGlassReason:
		return "", problem.Invalidf("reason", "The reason is too long")
	}
	return reason, nil
}

type breakGlassBody struct {
	Reason string `json:"reason"`
}

// apiBreakGlass reads a restricted referral on the reason given: the
// referral as released, the read audited as break-glass. For a referral the
// caller may read whole anyway, it is an ordinary read.
func (s *Server) apiBreakGlass(c echo.Context) error {
	var b breakGlassBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	reason, perr := breakGlassReason(b.Reason)
	if perr != nil {
		return perr
	}
	v, err := s.releaseWith(c, c.Param("id"), agency.Referral, reason)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", store.ETag(v.Meta().Version))
	return answer(c, http.StatusOK, viewJSON(v, s.Now()))
}

type restrictionBody struct {
	Restricted *bool    `json:"restricted"`
	Officers   []string `json:"officers"`
}

type restrictionJSON struct {
	Referral   string   `json:"referral"`
	Restricted bool     `json:"restricted"`
	Officers   []string `json:"officers"`
}

// mayRestrict loads a referral's restriction for a change by p: the officer
// who raised it and supervisors may change it. An officer who may not read
// it whole is told it does not exist; another officer of the force, who
// can see it, is refused.
func (s *Server) mayRestrict(c echo.Context, id string) (referral.Restriction, error) {
	p := principal(c)
	x, err := s.DB.RestrictionOf(c.Request().Context(), id)
	if err != nil {
		return x, err
	}
	if x.Restricted && !sharing.Entitled(p, x.Officer, x.Named) {
		return x, referral.NotFound()
	}
	if p.Subject != x.Officer && !p.Has(identity.Supervisor) {
		return x, problem.New(problem.Forbidden, "Only the officer who raised the referral or a supervisor can change who may read it")
	}
	return x, nil
}

// apiSetRestriction restricts a referral, or lifts the restriction, and
// names the officers who may read it whole besides its officer and supervisors.
func (s *Server) apiSetRestriction(c echo.Context) error {
	var b restrictionBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	if b.Restricted == nil {
		return problem.Invalidf("restricted", "Say whether the referral is restricted: true or false")
	}
	id := c.Param("id")
	if _, err := s.mayRestrict(c, id); err != nil {
		return err
	}
	named := namedOfficers(b.Officers)
	if err := s.DB.SetRestriction(c.Request().Context(), id, *b.Restricted, named, principal(c)); err != nil {
		return err
	}
	return answer(c, http.StatusOK, restrictionJSON{Referral: id, Restricted: *b.Restricted, Officers: nonNil(named)})
}

// namedOfficers reads the officers named on a restricted referral: subjects
// or e-mail addresses (matched in any case), one each, blanks dropped.
func namedOfficers(in []string) []string {
	var out []string
	for _, o := range in {
		o = strings.TrimSpace(o)
		if strings.Contains(o, "@") {
			o = strings.ToLower(o)
		}
		if o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// breakGlassPageSize is how many break-glass reads the supervisors' page lists.
const breakGlassPageSize = 200

type breakGlassJSON struct {
	ID        string `json:"id"`
	Referral  string `json:"referral"`
	Reference string `json:"reference"`
	Officer   string `json:"officer"`
	Name      string `json:"name"`
	At        string `json:"at"`
	Reason    string `json:"reason"`
}

// breakGlassReads loads the latest break-glass reads for a supervisor: the
// reading of them is itself audited first, as a read of the audit trail.
func (s *Server) breakGlassReads(c echo.Context) ([]referral.BreakGlassRead, error) {
	reads, err := s.DB.BreakGlassReads(c.Request().Context(), breakGlassPageSize)
	if err != nil {
		return nil, err
	}
	entry := s.entry(c, audit.AuditRead)
	entry.Detail = "break_glass_reads"
	if err := s.DB.Audit(c.Request().Context(), entry); err != nil {
		return nil, err
	}
	return reads, nil
}

// apiBreakGlassReads lists the latest break-glass reads, newest first.
func (s *Server) apiBreakGlassReads(c echo.Context) error {
	reads, err := s.breakGlassReads(c)
	if err != nil {
		return err
	}
	out := breakGlassReadsJSON{Reads: []breakGlassJSON{}}
	for _, b := range reads {
		out.Reads = append(out.Reads, breakGlassJSON{ID: b.ID, Referral: b.ReferralID, Reference: b.Reference, Officer: b.Actor, Name: b.ActorName,
			At: b.At.UTC().Format("2006-01-02T15:04:05Z"), Reason: b.Reason})
	}
	return answer(c, http.StatusOK, out)
}

// breakGlassReadsData is the supervisors' page of break-glass reads.
type breakGlassReadsData struct {
	Reads []breakGlassRow
}

type breakGlassRow struct {
	ReferralID, Reference, Name, Reason string
	At                                  stamp
}

func (breakGlassReadsData) viewModel() {}

// breakGlassReadsPage shows supervisors who read a restricted referral on a
// reason, when, and why.
func (s *Server) breakGlassReadsPage(c echo.Context) error {
	reads, err := s.breakGlassReads(c)
	if err != nil {
		return err
	}
	var d breakGlassReadsData
	for _, b := range reads {
		d.Reads = append(d.Reads, breakGlassRow{ReferralID: b.ReferralID, Reference: b.Reference, Name: orNotGiven(b.ActorName), Reason: b.Reason, At: stampOf(b.At)})
	}
	return s.render(c, http.StatusOK, "break-glass", d)
}

// breakGlassPage reads a restricted referral on the reason the officer
// gave in the page's form, and shows it: the page is drawn from this read,
// not redirected, since the reason is for this read only.
func (s *Server) breakGlassPage(c echo.Context) error {
	id := c.Param("id")
	reason, perr := breakGlassReason(c.FormValue("reason"))
	if perr != nil {
		return s.renderReferral(c, id, pageOptions{status: http.StatusUnprocessableEntity, errs: perr.Fields,
			summary: []fieldError{{Field: "reason", Message: perr.Fields["reason"]}}})
	}
	v, err := s.releaseWith(c, id, agency.Referral, reason)
	if err != nil {
		return err
	}
	pg, err := s.referralPageOf(c, v, pageOptions{status: http.StatusOK})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "referral", pg)
}

// setRestrictionPage restricts a referral from its page, or lifts it.
func (s *Server) setRestrictionPage(c echo.Context) error {
	id := c.Param("id")
	if _, err := s.mayRestrict(c, id); err != nil {
		return err
	}
	restricted := c.FormValue("restricted") == "yes"
	named := namedOfficers(strings.FieldsFunc(c.FormValue("officers"), func(r rune) bool { return r == '\n' || r == ',' || r == '\r' }))
	if err := s.DB.SetRestriction(c.Request().Context(), id, restricted, named, principal(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/referrals/"+id+"?done=restriction")
}

// readRoutes about a referral stay open to every officer of the force when
// it is restricted: reading it (where Release offers to break glass),
// breaking glass, changing the restriction (mayRestrict decides) and its
// audit trail (its own gate decides).
var readRoutes = []string{
	"GET /referrals/:id", "GET /api/v1/referrals/:id",
	"POST /referrals/:id/break-glass", "POST /api/v1/referrals/:id/break-glass",
	"POST /referrals/:id/restriction", "PUT /api/v1/referrals/:id/restriction",
	"GET /referrals/:id/audit", "GET /api/v1/referrals/:id/audit",
}

// restrictedGate keeps an officer who may not read a restricted referral
// whole from every other route about it: recording consent, asking to share
// without consent, linking, messaging and whatever is added under
// /referrals/:id later (deny by default). They are told it does not exist.
func (s *Server) restrictedGate(r Route) echo.MiddlewareFunc {
	if !strings.Contains(r.Path, "/referrals/:id") || slices.Contains(readRoutes, r.Method+" "+r.Path) {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := s.closedByRestriction(c, c.Param("id")); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// closedByRestriction is the restricted gate for one referral: a 404 for
// an officer who may not read it whole when it is restricted, nothing for
// anyone else (a referral that does not exist is left to the handler).
// Routes whose path names an order or an update of the referral, not the
// referral, call it themselves.
func (s *Server) closedByRestriction(c echo.Context, id string) error {
	p := principal(c)
	if !forceReader(p) {
		return nil
	}
	x, err := s.DB.RestrictionOf(c.Request().Context(), id)
	switch {
	case problem.CodeOf(err) == problem.NotFound:
		return nil
	case err != nil:
		return err
	case x.Restricted && !sharing.Entitled(p, x.Officer, x.Named):
		return referral.NotFound()
	}
	return nil
}

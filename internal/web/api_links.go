package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
)

// police are the roles that see and decide links between referrals: the
// originating force, which sees every referral whole.
var police = []identity.Role{identity.Officer, identity.Supervisor}

// linksRoutes are the routes of stalking as a pattern: the suggested and
// confirmed links of a referral, for the API and the page.
func (s *Server) linksRoutes() []Route {
	return []Route{
		{Method: http.MethodGet, Path: "/api/v1/referrals/:id/links", Access: Roles, Roles: police, Handler: s.apiLinks},
		{Method: http.MethodPost, Path: "/api/v1/referrals/:id/links", Access: Roles, Roles: police, Handler: s.apiDecideLink},
		{Method: http.MethodGet, Path: "/referrals/:id/links", Access: Roles, Roles: police, Handler: s.linksPage},
		{Method: http.MethodPost, Path: "/referrals/:id/links", Access: Roles, Roles: police, CSRF: true, Handler: s.decideLinkPage},
	}
}

// links is what both the API and the page show of a referral's links.
type links struct {
	ID, Reference string
	RepeatVictim  bool
	Candidates    []referral.Incident
	Pattern       referral.Pattern
}

// loadLinks gathers a referral's links. The referral itself goes through
// the release path first, so that a referral the caller may not see is not
// found and the read is in the audit log.
func (s *Server) loadLinks(c echo.Context, id string) (links, error) {
	v, err := s.release(c, id, agency.Referral)
	if err != nil {
		return links{}, err
	}
	ctx := c.Request().Context()
	l := links{ID: id, Reference: v.Reference()}
	if l.Candidates, err = s.DB.LinkCandidates(ctx, id); err != nil {
		return links{}, err
	}
	if l.Pattern, err = s.DB.LinkedView(ctx, id); err != nil {
		return links{}, err
	}
	if l.RepeatVictim, err = s.DB.RepeatVictim(ctx, id); err != nil {
		return links{}, err
	}
	return l, nil
}

type incidentJSON struct {
	ID            string    `json:"id"`
	Reference     string    `json:"reference"`
	Via           string    `json:"via,omitempty"`
	Offence       string    `json:"offence"`
	Risk          string    `json:"risk_level"`
	CreatedAt     time.Time `json:"created_at"`
	Incidents     int       `json:"incidents"`
	FirstIncident string    `json:"first_incident,omitempty"`
	LastIncident  string    `json:"last_incident,omitempty"`
}

type offenceCountJSON struct {
	Offence string `json:"offence"`
	Count   int    `json:"count"`
}

type riskAtJSON struct {
	Date      string `json:"date"`
	Reference string `json:"reference"`
	Level     string `json:"level"`
}

type patternJSON struct {
	Referrals    []incidentJSON     `json:"referrals"`
	Incidents    int                `json:"incidents"`
	First        string             `json:"first"`
	Last         string             `json:"last"`
	Offences     []offenceCountJSON `json:"offences"`
	RiskOverTime []riskAtJSON       `json:"risk_over_time"`
}

type linksJSON struct {
	Referral     string         `json:"referral"`
	Reference    string         `json:"reference"`
	RepeatVictim bool           `json:"repeat_victim"`
	Candidates   []incidentJSON `json:"candidates"`
	Linked       patternJSON    `json:"linked"`
}

func incidentJSONOf(in referral.Incident) incidentJSON {
	return incidentJSON{ID: in.ID, Reference: in.Reference, Via: string(in.Via), Offence: in.Offence, Risk: string(in.Risk),
		CreatedAt: in.CreatedAt.UTC(), Incidents: in.Incidents, FirstIncident: in.FirstIncident, LastIncident: in.LastIncident}
}

func linksJSONOf(l links) linksJSON {
	out := linksJSON{Referral: l.ID, Reference: l.Reference, RepeatVictim: l.RepeatVictim, Candidates: []incidentJSON{},
		Linked: patternJSON{Referrals: []incidentJSON{}, Incidents: l.Pattern.Incidents, Offences: []offenceCountJSON{}, RiskOverTime: []riskAtJSON{}}}
	for _, c := range l.Candidates {
		out.Candidates = append(out.Candidates, incidentJSONOf(c))
	}
	p := l.Pattern
	if !p.First.IsZero() {
		out.Linked.First, out.Linked.Last = p.First.Format(time.DateOnly), p.Last.Format(time.DateOnly)
	}
	for _, r := range p.Referrals {
		out.Linked.Referrals = append(out.Linked.Referrals, incidentJSONOf(r))
	}
	for _, o := range p.Offences {
		out.Linked.Offences = append(out.Linked.Offences, offenceCountJSON{Offence: o.Offence, Count: o.Count})
	}
	for _, r := range p.RiskOverTime {
		out.Linked.RiskOverTime = append(out.Linked.RiskOverTime, riskAtJSON{Date: r.Date.Format(time.DateOnly), Reference: r.Reference, Level: string(r.Level)})
	}
	return out
}

// apiLinks answers a referral's suggested links, its linked referrals seen
// together, and whether its victim is a repeat victim.
func (s *Server) apiLinks(c echo.Context) error {
	l, err := s.loadLinks(c, c.Param("id"))
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, linksJSONOf(l))
}

type linkDecisionBody struct {
	Other   string `json:"other"`
	Via     string `json:"via"`
	Confirm *bool  `json:"confirm"`
}

// apiDecideLink confirms or rejects a suggested link and answers the
// referral's links as they now stand.
func (s *Server) apiDecideLink(c echo.Context) error {
	var b linkDecisionBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	fields := map[string]string{}
	if b.Other == "" {
		fields["other"] = "other is required: the id of the referral to link"
	}
	if _, err := referral.ParseLinkVia(b.Via); err != nil {
		fields["via"] = "via must be victim or suspect"
	}
	if b.Confirm == nil {
		fields["confirm"] = "confirm is required: true to link, false to reject the suggestion"
	}
	if len(fields) > 0 {
		return problem.Fields(fields)
	}
	id := c.Param("id")
	if err := s.DB.DecideLink(c.Request().Context(), id, b.Other, referral.LinkVia(b.Via), *b.Confirm, principal(c)); err != nil {
		return err
	}
	return s.apiLinks(c)
}

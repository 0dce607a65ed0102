package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/problem"
)

// partnerRoutes are the routes partner systems connect through: webhooks
// (kept by administrators), the event feed and FHIR R4.
func (s *Server) partnerRoutes() []Route {
	admin := []identity.Role{identity.Admin}
	api := func(method, path string, roles []identity.Role, h echo.HandlerFunc) Route {
		return Route{Method: method, Path: "/api/v1" + path, Access: Roles, Roles: roles, Handler: h}
	}
	page := func(method, path string, h echo.HandlerFunc) Route {
		return Route{Method: method, Path: path, Access: Roles, Roles: admin, CSRF: method == http.MethodPost, Handler: h}
	}
	rs := []Route{
		api(http.MethodPost, "/webhooks", admin, s.apiCreateWebhook),
		api(http.MethodGet, "/webhooks", admin, s.apiListWebhooks),
		api(http.MethodDelete, "/webhooks/:id", admin, s.apiDeleteWebhook),
		api(http.MethodPost, "/webhooks/:id/resume", admin, s.apiResumeWebhook),
		api(http.MethodGet, "/events", agencyStaff, s.apiEvents),
		page(http.MethodGet, "/admin/webhooks", s.adminWebhooks),
		page(http.MethodPost, "/admin/webhooks", s.adminCreateWebhook),
		page(http.MethodPost, "/admin/webhooks/:id/delete", s.adminDeleteWebhook),
		page(http.MethodPost, "/admin/webhooks/:id/resume", s.adminResumeWebhook),
	}
	return append(rs, s.fhirRoutes()...)
}

type webhookBody struct {
	Agency string   `json:"agency"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// webhookJSON is a webhook as listed: never its secret, not even masked.
type webhookJSON struct {
	ID          string         `json:"id"`
	Agency      string         `json:"agency"`
	URL         string         `json:"url"`
	Events      []partner.Type `json:"events"`
	CreatedAt   time.Time      `json:"created_at"`
	Paused      bool           `json:"paused"`
	PausedAt    *time.Time     `json:"paused_at,omitempty"`
	PauseReason string         `json:"pause_reason,omitempty"`
	Deliveries  struct {
		Pending   int `json:"pending"`
		Delivered int `json:"delivered"`
		Failed    int `json:"failed"`
	} `json:"deliveries"`
	LastError string `json:"last_error,omitempty"`
}

func webhookJSONOf(w partner.Webhook) webhookJSON {
	j := webhookJSON{ID: w.ID, Agency: w.Agency, URL: w.URL, Events: w.Events, CreatedAt: w.CreatedAt.UTC(), Paused: w.Paused(),
		PausedAt: optTime(w.PausedAt), PauseReason: w.PauseReason, LastError: w.LastError}
	if j.Events == nil {
		j.Events = []partner.Type{}
	}
	j.Deliveries.Pending, j.Deliveries.Delivered, j.Deliveries.Failed = w.Pending, w.Delivered, w.Failed
	return j
}

// registerWebhook checks a registration, makes its secret and stores it.
func (s *Server) registerWebhook(c echo.Context, b webhookBody) (partner.Webhook, string, error) {
	known := func(id string) bool { _, ok := s.Agencies.Get(id); return ok }
	types, perr := partner.Registration{Agency: b.Agency, URL: b.URL, Events: b.Events}.Validate(known, s.urlRules())
	if perr != nil {
		return partner.Webhook{}, "", perr
	}
	secret, err := partner.NewSecret()
	if err != nil {
		return partner.Webhook{}, "", err
	}
	w, err := s.DB.CreateWebhook(c.Request().Context(), partner.Webhook{Agency: b.Agency, URL: b.URL, Events: types}, secret, principal(c))
	return w, secret, err
}

// urlRules allow http:// to loopback only while development sign-in is on.
func (s *Server) urlRules() partner.URLRules {
	return partner.URLRules{LoopbackHTTP: s.Config.DevIDP.Enabled}
}

// apiCreateWebhook registers a webhook and shows its secret, once.
func (s *Server) apiCreateWebhook(c echo.Context) error {
	var b webhookBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	w, secret, err := s.registerWebhook(c, b)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/webhooks/"+w.ID)
	return answer(c, http.StatusCreated, webhookCreatedJSON{webhookJSONOf(w), secret})
}

// apiListWebhooks lists the webhooks with the state of their deliveries.
func (s *Server) apiListWebhooks(c echo.Context) error {
	ws, err := s.DB.Webhooks(c.Request().Context())
	if err != nil {
		return err
	}
	out := webhookListJSON{Webhooks: []webhookJSON{}}
	for _, w := range ws {
		out.Webhooks = append(out.Webhooks, webhookJSONOf(w))
	}
	return answer(c, http.StatusOK, out)
}

// apiDeleteWebhook removes a webhook; its pending deliveries go with it.
func (s *Server) apiDeleteWebhook(c echo.Context) error {
	if err := s.DB.DeleteWebhook(c.Request().Context(), c.Param("id"), principal(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// apiResumeWebhook resumes a webhook paused after repeated failures.
func (s *Server) apiResumeWebhook(c echo.Context) error {
	if err := s.DB.ResumeWebhook(c.Request().Context(), c.Param("id"), principal(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// eventsPageSize is how many events a page of the feed holds unless limit says fewer.
const eventsPageSize = 100

type eventsJSON struct {
	Events     []partner.Payload `json:"events"`
	NextCursor string            `json:"next_cursor"`
}

// apiEvents is the event feed of the caller's agency, oldest first, after
// the cursor (exclusive). next_cursor is on every page: an empty page gives
// back the cursor it was asked for, so a poller keeps its place.
func (s *Server) apiEvents(c echo.Context) error {
	p := principal(c)
	var after int64
	if a := c.QueryParam("after"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 0 {
			return problem.Invalidf("after", "after must be a next_cursor this feed gave")
		}
		after = n
	}
	limit := eventsPageSize
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > eventsPageSize {
			return problem.Invalidf("limit", "limit must be a number from 1 to %d", eventsPageSize)
		}
		limit = n
	}
	es, err := s.DB.PartnerEvents(c.Request().Context(), p.Agency, after, limit)
	if err != nil {
		return err
	}
	out := eventsJSON{Events: []partner.Payload{}, NextCursor: strconv.FormatInt(after, 10)}
	for _, e := range es {
		out.Events = append(out.Events, e.Payload())
		out.NextCursor = strconv.FormatInt(e.Cursor, 10)
	}
	return answer(c, http.StatusOK, out)
}

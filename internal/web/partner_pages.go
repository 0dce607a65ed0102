package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/problem"
)

// webhookDeliveriesShown is how many recent deliveries the page lists per webhook.
const webhookDeliveriesShown = 10

type webhooksData struct {
	Webhooks []webhookView
	Agencies []agencyOption
	Types    []partner.Type
	Form     webhookForm
	Errors   map[string]string
	// Created and Secret are set once, on the page that answers a registration.
	Created string
	Secret  string
}

type webhookView struct {
	partner.Webhook
	AgencyName string
	Recent     []partner.Delivery
}

type webhookForm struct {
	Agency, URL string
	Events      map[string]bool
}

// adminWebhooks lists partner systems' webhooks with the state of their
// deliveries, and a form to register another.
func (s *Server) adminWebhooks(c echo.Context) error {
	return s.renderWebhooks(c, http.StatusOK, webhookForm{}, nil, "", "")
}

func (s *Server) renderWebhooks(c echo.Context, status int, f webhookForm, errs map[string]string, created, secret string) error {
	ctx := c.Request().Context()
	ws, err := s.DB.Webhooks(ctx)
	if err != nil {
		return err
	}
	d := webhooksData{Types: partner.Types, Form: f, Errors: errs, Created: created, Secret: secret}
	for _, a := range s.Agencies.All() {
		d.Agencies = append(d.Agencies, agencyOption{a.ID, a.Name})
	}
	for _, w := range ws {
		v := webhookView{Webhook: w, AgencyName: w.Agency}
		if a, ok := s.Agencies.Get(w.Agency); ok {
			v.AgencyName = a.Name
		}
		if v.Recent, err = s.DB.WebhookDeliveries(ctx, w.ID, webhookDeliveriesShown); err != nil {
			return err
		}
		d.Webhooks = append(d.Webhooks, v)
	}
	// The page may show a secret: it must not be kept by the browser or a proxy.
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, status, "webhooks", d)
}

// adminCreateWebhook registers a webhook from the form and shows its secret
// on the answer, the only time it is shown.
func (s *Server) adminCreateWebhook(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return problem.New(problem.Malformed, "the form could not be read")
	}
	f := webhookForm{Agency: form.Get("agency"), URL: strings.TrimSpace(form.Get("url")), Events: map[string]bool{}}
	for _, e := range form["events"] {
		f.Events[e] = true
	}
	w, secret, err := s.registerWebhook(c, webhookBody{Agency: f.Agency, URL: f.URL, Events: form["events"]})
	if err != nil {
		var pe *problem.Error
		if !errors.As(err, &pe) || pe.Code != problem.Invalid {
			return err
		}
		errs := map[string]string{}
		for k, v := range pe.Fields {
			if strings.HasPrefix(k, "events") {
				k = "events"
			}
			errs[k] = formMessage(k, v)
		}
		return s.renderWebhooks(c, http.StatusUnprocessableEntity, f, errs, "", "")
	}
	s.log.Info("webhook registered", logAttrs(c)...)
	return s.renderWebhooks(c, http.StatusCreated, webhookForm{}, nil, w.ID, secret)
}

// formMessage words an API field error for the page.
func formMessage(field, msg string) string {
	switch field {
	case "agency":
		return "Choose the agency whose system this is"
	case "events":
		return "Choose the events the system wants"
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

// adminDeleteWebhook removes a webhook.
func (s *Server) adminDeleteWebhook(c echo.Context) error {
	if err := s.DB.DeleteWebhook(c.Request().Context(), c.Param("id"), principal(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/webhooks")
}

// adminResumeWebhook resumes a paused webhook.
func (s *Server) adminResumeWebhook(c echo.Context) error {
	if err := s.DB.ResumeWebhook(c.Request().Context(), c.Param("id"), principal(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/webhooks")
}

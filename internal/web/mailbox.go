package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/store"
)

// outboxPageSize is how many notifications the mailbox and outbox pages list.
const outboxPageSize = 200

type mailboxData struct {
	Mail  []mailView
	Limit int
}

// mailView is a notification as the e-mail it makes: Compose's own words.
type mailView struct {
	notify.Notification
	Subject string
	// Paragraphs of the body, each a list of lines.
	Paragraphs [][]string
}

// devMailbox shows, in development only and to the admin only, every
// notification as the e-mail it would be, so that a newcomer sees the closed
// loop without a mail server. Every agency's notices are on it, so no other
// role may read it.
func (s *Server) devMailbox(c echo.Context) error {
	if !s.Config.DevIDP.Enabled {
		return problem.New(problem.NotFound, "Page not found")
	}
	ns, err := s.DB.Outbox(c.Request().Context(), store.OutboxFilter{Limit: outboxPageSize})
	if err != nil {
		return err
	}
	d := mailboxData{Mail: make([]mailView, len(ns)), Limit: outboxPageSize}
	for i, n := range ns {
		subject, body := notify.Compose(n.Message)
		v := mailView{Notification: n, Subject: subject}
		for _, p := range strings.Split(strings.TrimSpace(body), "\n\n") {
			v.Paragraphs = append(v.Paragraphs, strings.Split(p, "\n"))
		}
		d.Mail[i] = v
	}
	return s.render(c, http.StatusOK, "mailbox", d)
}

type outboxData struct {
	Notifications []notify.Notification
	States        []notify.State
	State         notify.State
	Limit         int
	Failed        int // how many the hub gave up on, in all
}

// adminOutbox shows admins how delivery goes: what waits, what went, and
// what failed and why, optionally for one state (?state=failed).
func (s *Server) adminOutbox(c echo.Context) error {
	state := notify.State(c.QueryParam("state"))
	ns, err := s.DB.Outbox(c.Request().Context(), store.OutboxFilter{State: state, Limit: outboxPageSize})
	if err != nil {
		return err
	}
	stats, err := s.DB.OutboxStats(c.Request().Context(), s.Now())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "outbox", outboxData{Notifications: ns, States: notify.States, State: state, Limit: outboxPageSize, Failed: stats.Failed})
}

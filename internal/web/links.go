package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
)

// linksPageData is what the links page shows: the referral's links and,
// after a decision that could not be made, why.
type linksPageData struct {
	Links  links
	Errors map[string]string
}

// linksPage shows the referrals that may concern the same victim or
// suspect, with a choice to confirm or reject each, and the confirmed ones
// together as one pattern.
func (s *Server) linksPage(c echo.Context) error {
	return s.renderLinks(c, http.StatusOK, nil)
}

func (s *Server) renderLinks(c echo.Context, status int, errs map[string]string) error {
	l, err := s.loadLinks(c, c.Param("id"))
	if err != nil {
		return err
	}
	return s.render(c, status, "referral-links", linksPageData{Links: l, Errors: errs})
}

// decideLinkPage confirms or rejects one suggested link from the page.
func (s *Server) decideLinkPage(c echo.Context) error {
	id := c.Param("id")
	via, err := referral.ParseLinkVia(c.FormValue("via"))
	decision := c.FormValue("decision")
	if err != nil || c.FormValue("other") == "" || (decision != "confirm" && decision != "reject") {
		return s.renderLinks(c, http.StatusUnprocessableEntity, map[string]string{"candidates": "Choose to link or not to link one of the referrals listed"})
	}
	err = s.DB.DecideLink(c.Request().Context(), id, c.FormValue("other"), via, decision == "confirm", principal(c))
	if problem.CodeOf(err) == problem.Invalid {
		return s.renderLinks(c, http.StatusUnprocessableEntity, map[string]string{"candidates": "That referral does not share this referral's victim or suspect; choose one from the list"})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/referrals/"+id+"/links")
}

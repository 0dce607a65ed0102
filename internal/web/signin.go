package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/problem"
)

// signin sends the browser to the provider with a fresh state, nonce and PKCE
// challenge. prompt=login asks the provider to authenticate the person again,
// for decisions that need a recent sign-in.
func (s *Server) signin(c echo.Context) error {
	fresh := c.QueryParam("prompt") == "login"
	to, err := s.Auth.BeginSignin(c.Request().Context(), safeReturn(c.QueryParam("return_to")), fresh)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// callback is where the provider sends the browser back with a code.
func (s *Server) callback(c echo.Context) error {
	if e := c.QueryParam("error"); e != "" {
		return problem.New(problem.Unauthorized, "the identity provider did not sign you in")
	}
	token, sess, returnTo, err := s.Auth.FinishSignin(c.Request().Context(), c.QueryParam("state"), c.QueryParam("code"))
	if err != nil {
		if problem.CodeOf(err) == problem.NotFound {
			return problem.New(problem.Unauthorized, "this sign-in link has expired or was already used; sign in again")
		}
		return err
	}
	s.log.Info("signed in", append(logAttrs(c), "subject", sess.Principal.Subject)...)
	if err := s.DB.NotePerson(c.Request().Context(), sess.Principal.Subject, sess.Principal.Name, sess.Principal.Agency, s.Now()); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Expires: s.Now().Add(s.Config.Session.Absolute.Duration),
	})
	return c.Redirect(http.StatusSeeOther, safeReturn(returnTo))
}

// signout ends the session here and, when the provider offers it, there too.
func (s *Server) signout(c echo.Context) error {
	token, _ := c.Get(string(tokenKey)).(string)
	logout, err := s.Auth.Signout(c.Request().Context(), token)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1, Expires: time.Unix(0, 0)})
	if logout == "" {
		logout = "/signed-out"
	}
	return c.Redirect(http.StatusSeeOther, logout)
}

// signedOut confirms that the person is signed out.
func (s *Server) signedOut(c echo.Context) error {
	return s.render(c, http.StatusOK, "signed-out", nil)
}

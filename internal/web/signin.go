package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
)

// bindingCookie binds a sign-in to the browser that started it: set at
// /signin, checked at the callback (login CSRF). Host-only, secure, and sent
// on the provider's top-level redirect back (SameSite=Lax).
const bindingCookie = "__Host-hub_signin"

// signin sends the browser to the provider with a fresh state, nonce and PKCE
// challenge, bound to this browser by a short-lived cookie. A browser that
// already holds one keeps it, so that sign-ins started in two tabs both
// finish. prompt=login asks the provider to authenticate the person again,
// for decisions that need a recent sign-in.
func (s *Server) signin(c echo.Context) error {
	fresh := c.QueryParam("prompt") == "login"
	binding := ""
	if ck, err := c.Cookie(bindingCookie); err == nil && len(ck.Value) >= 43 && len(ck.Value) <= 64 {
		binding = ck.Value
	} else {
		binding = identity.NewBinding()
	}
	to, err := s.Auth.BeginSignin(c.Request().Context(), safeReturn(c.QueryParam("return_to")), fresh, binding)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: bindingCookie, Value: binding, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		MaxAge: int(identity.SigninTTL / time.Second),
	})
	return c.Redirect(http.StatusSeeOther, to)
}

// callback is where the provider sends the browser back with a code.
func (s *Server) callback(c echo.Context) error {
	if e := c.QueryParam("error"); e != "" {
		s.log.Warn("sign-in refused", "request_id", requestID(c), "reason", "the provider answered "+truncate(e, 64))
		return problem.New(problem.Unauthorized, "the identity provider did not sign you in")
	}
	binding := ""
	if ck, err := c.Cookie(bindingCookie); err == nil {
		binding = ck.Value
	}
	token, sess, returnTo, err := s.Auth.FinishSignin(c.Request().Context(), c.QueryParam("state"), c.QueryParam("code"), binding)
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

// truncate bounds a string that came from outside before it is logged.
func truncate(v string, n int) string {
	if len(v) > n {
		return v[:n]
	}
	return v
}

// signout ends the session here and, when the provider offers it, there too.
func (s *Server) signout(c echo.Context) error {
	token, _ := c.Get(string(tokenKey)).(string)
	logout, err := s.Auth.Signout(c.Request().Context(), token)
	if err != nil {
		return err
	}
	s.clearSession(c)
	if logout == "" {
		logout = "/signed-out"
	}
	return c.Redirect(http.StatusSeeOther, logout)
}

// signoutEverywhere ends every session of the person signed in, on every
// device, and signs out at the provider as signout does.
func (s *Server) signoutEverywhere(c echo.Context) error {
	p := principal(c)
	token, _ := c.Get(string(tokenKey)).(string)
	logout, err := s.Auth.Signout(c.Request().Context(), token)
	if err != nil {
		return err
	}
	n, err := s.Auth.EndSessions(c.Request().Context(), identity.SessionsOf{Subject: p.Subject}, p)
	if err != nil {
		return err
	}
	s.log.Info("signed out everywhere", append(logAttrs(c), "other_sessions", n)...)
	s.clearSession(c)
	if logout == "" {
		logout = "/signed-out"
	}
	return c.Redirect(http.StatusSeeOther, logout)
}

func (s *Server) clearSession(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1, Expires: time.Unix(0, 0)})
}

// signedOut confirms that the person is signed out.
func (s *Server) signedOut(c echo.Context) error {
	return s.render(c, http.StatusOK, "signed-out", noData{})
}

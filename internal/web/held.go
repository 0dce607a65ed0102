package web

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
)

// Timeouts without loss. Two minutes before the idle timeout the page warns
// and offers to stay signed in (app.js, with the session-timeout partial).
// A form posted after the session has timed out is not thrown away: it is
// held, sealed, for the person whose session it was, and put back into the
// page after they sign in again: the referral form's step by the server, any
// other form by app.js.

// heldCookie names the held form a browser posted.
const heldCookie = "__Host-hub_held"

// heldFor is how long a held form waits for its person to sign in again.
const heldFor = 15 * time.Minute

// heldKey is where restoreHeld puts a form it took back, for the page.
const heldKey ctxKey = "held_form"

// keepLatePost holds the form of a state-changing page request whose session
// has just timed out, when the form carries that session's own form token,
// and sends the browser to sign in again, back to the page it came from.
func (s *Server) keepLatePost(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		var late *identity.LateSession
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			if late, err = s.DB.TimedOutSession(ctx, ck.Value, s.Config.Session.Idle.Duration, s.Config.Session.Absolute.Duration); err != nil {
				return err
			}
		}
		err := next(c)
		if late == nil || problem.CodeOf(err) != problem.Unauthorized {
			return err
		}
		form, ferr := c.FormParams()
		if ferr != nil || subtle.ConstantTimeCompare([]byte(form.Get("csrf")), []byte(late.CSRF)) != 1 {
			return err
		}
		kept := url.Values{}
		for k, vs := range form {
			if k != "csrf" && k != "action" {
				kept[k] = vs
			}
		}
		back := s.pageOf(c)
		id, herr := s.DB.HoldForm(ctx, late.Subject, back, kept, heldFor)
		if herr != nil {
			return herr
		}
		c.SetCookie(&http.Cookie{Name: heldCookie, Value: id, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: int(heldFor / time.Second)})
		return c.Redirect(http.StatusSeeOther, "/signin?return_to="+url.QueryEscape(back))
	}
}

// pageOf is the page a form was posted from: the same-site page it names as
// its referrer (the hub asks browsers to send none), else the address it was
// posted to when that is also a page, else the nearest page above it
// (/referrals/ID for /referrals/ID/messages).
func (s *Server) pageOf(c echo.Context) string {
	if ref, err := url.Parse(c.Request().Referer()); err == nil && ref.Host == c.Request().Host && ref.Path != "" {
		return safeReturn(ref.Path)
	}
	p := c.Request().URL.Path
	for p != "" && p != "/" {
		if s.isPage(p) {
			return safeReturn(p)
		}
		p = p[:strings.LastIndexByte(p, '/')]
	}
	return "/"
}

// isPage reports whether a signed-in GET page answers at path.
func (s *Server) isPage(path string) bool {
	parts := strings.Split(path, "/")
	for _, r := range s.routes() {
		if r.Method != http.MethodGet || r.Access == Public || strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		pattern := strings.Split(r.Path, "/")
		if len(pattern) != len(parts) {
			continue
		}
		match := true
		for i, seg := range pattern {
			if !strings.HasPrefix(seg, ":") && seg != parts[i] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// restoreHeld takes back, on a page, the form its person posted there just
// after their session timed out.
func (s *Server) restoreHeld(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(heldCookie)
		if err != nil || ck.Value == "" {
			return next(c)
		}
		form, ok, err := s.DB.TakeHeldForm(c.Request().Context(), ck.Value, principal(c).Subject, c.Request().URL.Path)
		if err != nil {
			return err
		}
		if ok {
			c.Set(string(heldKey), form)
			c.SetCookie(&http.Cookie{Name: heldCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
		}
		return next(c)
	}
}

// heldForm is the form restoreHeld took back for this page, or nil.
func heldForm(c echo.Context) url.Values {
	v, _ := c.Get(string(heldKey)).(url.Values)
	return v
}

// withHeld is a page's answers v with the held form's over them: what the
// person typed just after their session timed out.
func withHeld(c echo.Context, v url.Values) url.Values {
	for k, vs := range heldForm(c) {
		v[k] = vs
	}
	return v
}

// heldJSON is the held form for app.js to put back, or "".
func heldJSON(c echo.Context) string {
	v := heldForm(c)
	if v == nil {
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// keepAlive is "Stay signed in": the session counts as used now. Without
// scripts it is a form, and goes back to the page it came from.
func (s *Server) keepAlive(c echo.Context) error {
	if tok, _ := c.Get(string(tokenKey)).(string); tok != "" {
		if err := s.DB.KeepSessionAlive(c.Request().Context(), tok); err != nil {
			return err
		}
	}
	if mode := c.Request().Header.Get("Sec-Fetch-Mode"); mode != "" && mode != "navigate" {
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, s.pageOf(c))
}

// sessionRoutes are the session's own: staying signed in.
func (s *Server) sessionRoutes() []Route {
	return []Route{{Method: http.MethodPost, Path: "/session/keepalive", Access: SignedIn, CSRF: true, Handler: s.keepAlive}}
}

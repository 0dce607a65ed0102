package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/store"
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[problem.Code]int{
	problem.Invalid:      http.StatusUnprocessableEntity,
	problem.Malformed:    http.StatusBadRequest,
	problem.Unauthorized: http.StatusUnauthorized,
	problem.Forbidden:    http.StatusForbidden,
	problem.NotFound:     http.StatusNotFound,
	problem.Conflict:     http.StatusConflict,
	problem.Stale:        http.StatusPreconditionFailed,
	problem.NoIfMatch:    http.StatusPreconditionRequired,
	problem.TooLarge:     http.StatusRequestEntityTooLarge,
	problem.TooMany:      http.StatusTooManyRequests,
	problem.Internal:     http.StatusInternalServerError,
	problem.Unavailable:  http.StatusServiceUnavailable,
}

// codeOfStatus turns an Echo status (404 for an unknown route, 405, 413 from
// the body limit) back into a code.
func codeOfStatus(status int) problem.Code {
	for c, s := range statusOf {
		if s == status {
			return c
		}
	}
	if status == http.StatusMethodNotAllowed {
		return problem.NotFound
	}
	return problem.Internal
}

// unavailableRetryAfter is how many seconds a 503 asks a client to wait.
const unavailableRetryAfter = "30"

// errorBody is the JSON error of the API contract.
type errorBody struct {
	Error struct {
		Code      problem.Code      `json:"code"`
		Message   string            `json:"message"`
		Fields    map[string]string `json:"fields,omitempty"`
		RequestID string            `json:"request_id"`
	} `json:"error"`
}

// handleError is Echo's one error handler: it maps the error to a status,
// logs internal errors once with the request id, and answers JSON under /api/
// and an HTML page elsewhere. It never writes twice.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var pe *problem.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &pe):
	case errors.Is(err, store.ErrCannotWrite):
		pe = problem.New(problem.Unavailable, "The service cannot save anything at the moment. Nothing was saved; try again in a minute.")
	case errors.As(err, &he):
		code := codeOfStatus(he.Code)
		msg := http.StatusText(he.Code)
		if code == problem.NotFound {
			msg = "Page not found"
		}
		pe = problem.New(code, "%s", msg)
	default:
		pe = problem.New(problem.Internal, "Something went wrong on our side")
	}
	status := statusOf[pe.Code]
	rid := requestID(c)
	if status >= 500 {
		s.log.Error("request failed", "request_id", rid, "actor", actorOf(c), "method", c.Request().Method, "route", c.Path(), "error", err.Error())
		if pe.Code != problem.Unavailable {
			pe = problem.New(pe.Code, "Something went wrong on our side")
		}
	}
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", unavailableRetryAfter)
	}
	// A failed callback is shown, not sent back to sign in: with a provider
	// that signs in at once, that would loop.
	if status == http.StatusUnauthorized && !isAPI(c) && !isFHIR(c) && c.Request().Method == http.MethodGet && c.Path() != "/auth/callback" {
		err = c.Redirect(http.StatusSeeOther, "/signin?return_to="+url.QueryEscape(safeReturn(c.Request().URL.RequestURI())))
	} else if isFHIR(c) {
		err = writeOperationOutcome(c, status, pe)
	} else if isAPI(c) {
		var body errorBody
		body.Error.Code, body.Error.Message, body.Error.Fields, body.Error.RequestID = pe.Code, pe.Message, pe.Fields, rid
		err = answer(c, status, body)
	} else {
		err = s.render(c, status, "error", errorPage{Status: status, Title: pageTitle(status), Message: pe.Message, RequestID: rid})
	}
	if err != nil {
		s.log.Error("writing the error failed", "request_id", rid, "error", err.Error())
	}
}

type errorPage struct {
	Status    int
	Title     string
	Message   string
	RequestID string
}

func pageTitle(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Page not found"
	case http.StatusForbidden:
		return "You do not have access to this page"
	case http.StatusUnprocessableEntity:
		return "There is a problem"
	case http.StatusTooManyRequests:
		return "Too many attempts"
	}
	if status >= 500 {
		return "Sorry, there is a problem with the service"
	}
	return http.StatusText(status)
}

func isAPI(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/api/") }

// maxReturn bounds a return address: it is stored with the sign-in state.
const maxReturn = 2048

// safeReturn keeps a return address on this site: a path, never a URL. It
// reads the address as a browser will: browsers drop tab, CR and LF anywhere
// in a URL and read a backslash as a slash, so "/\t/evil.example" and
// "/\evil" would leave the site. Anything else, or longer than 2 KB, is "/".
func safeReturn(p string) string {
	p = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, p)
	if len(p) > maxReturn || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	if u, err := url.Parse(p); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	return p
}

func logAttrs(c echo.Context) []any {
	return []any{slog.String("request_id", requestID(c)), slog.String("actor", actorOf(c))}
}

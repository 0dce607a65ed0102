package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/vocab"
	"github.com/stalking-hub/hub/templates"
)

// views are the parsed pages, each with the layout and every partial. They
// are parsed once at start; a template that does not parse stops the start.
type views struct {
	pages map[string]*template.Template
}

func loadViews() (*views, error) {
	funcs := template.FuncMap{
		"asset":        assetURL,
		"hasRole":      func(p identity.Principal, r string) bool { return p.Has(identity.Role(r)) },
		"join":         strings.Join,
		"lower":        strings.ToLower,
		"humanize":     func(s string) string { return strings.ReplaceAll(s, "_", " ") },
		"navigation":   navigation,
		"fieldErrors":  fieldErrors,
		"fieldError":   func(errs map[string]string, f string) fieldError { return fieldError{f, errs[f]} },
		"sentence":     sentence,
		"criterion":    criterionLabel,
		"actionStatus": actionStatusLabel,
		"words":        termWords,
		"actionStatusHint": func(s marac.ActionStatus) string {
			t, _ := vocab.MARACActionStatuses.Term(string(s))
			return t.Hint
		},
		"ukTime":    whenText,
		"riskWords": func(l risk.Level) string { return labelOf(riskLevelChoices, string(l)) },
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templates.FS, "layout.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	files, err := fs.Glob(templates.FS, "pages/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{pages: map[string]*template.Template{}}
	for _, f := range files {
		t, err := template.Must(base.Clone()).ParseFS(templates.FS, f)
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		v.pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return v, nil
}

// page is what every page template receives.
type page struct {
	Title     string
	Path      string // the request's path, to mark the current page in the navigation
	Principal identity.Principal
	SignedIn  bool
	CSRF      string
	RequestID string
	// Development marks every page while the development identity provider is on.
	Development bool
	Data        viewModel
	// Held is a form kept over a timeout, as JSON for app.js to put back.
	Held string
	// Idle is the session's idle timeout in seconds, for the warning.
	Idle int
}

// render writes a page inside the layout.
func (s *Server) render(c echo.Context, status int, name string, data viewModel) error {
	t, ok := s.views.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	p := principal(c)
	pg := page{Path: c.Request().URL.Path, Principal: p, SignedIn: p.Subject != "", CSRF: csrfToken(c), RequestID: requestID(c),
		Development: s.Config.DevIDP.Enabled, Data: data, Held: heldJSON(c), Idle: int(s.Config.Session.Idle.Seconds())}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", pg); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// navItem is one link of the service navigation.
type navItem struct {
	Title, Href string
	Roles       []identity.Role // who sees it; nil for everyone signed in
}

// navigationItems is the service navigation, in order. A link is listed only
// for those whose role lets them open it, and only once its page exists.
var navigationItems = []navItem{
	{Title: "Home", Href: "/"},
	{Title: "Referrals", Href: "/referrals", Roles: []identity.Role{identity.Officer, identity.Supervisor}},
	{Title: "Inbox", Href: "/inbox", Roles: []identity.Role{identity.AgencyStaff}},
	{Title: "Requests to share", Href: "/overrides", Roles: []identity.Role{identity.Supervisor}},
	{Title: "MARAC", Href: "/marac", Roles: []identity.Role{identity.MARACCoordinator}},
	{Title: "MARAC actions", Href: "/marac/actions", Roles: []identity.Role{identity.AgencyStaff}},
	{Title: "Audit log", Href: "/audit", Roles: []identity.Role{identity.Auditor}},
	{Title: "Outcomes", Href: "/reports/outcomes", Roles: reportReaders},
	{Title: "Memberships", Href: "/admin/memberships", Roles: []identity.Role{identity.Admin}},
	{Title: "Partner systems", Href: "/admin/webhooks", Roles: []identity.Role{identity.Admin}},
}

// navigation is the part of the service navigation that p may use.
func navigation(p identity.Principal) []navItem {
	var out []navItem
	for _, n := range navigationItems {
		if n.Roles == nil || p.HasAny(n.Roles...) {
			out = append(out, n)
		}
	}
	return out
}

// fieldError is one line of a form's error summary.
type fieldError struct{ Field, Message string }

// fieldErrors orders a form's errors as its fields appear on the page, so
// that the error summary reads in the same order as the form; errors for
// fields not named follow, sorted, so none is ever dropped.
func fieldErrors(errs map[string]string, order ...string) []fieldError {
	var out []fieldError
	for _, f := range order {
		if m, ok := errs[f]; ok {
			out = append(out, fieldError{f, m})
		}
	}
	var rest []string
	for f := range errs {
		if !slices.Contains(order, f) {
			rest = append(rest, f)
		}
	}
	slices.Sort(rest)
	for _, f := range rest {
		out = append(out, fieldError{f, errs[f]})
	}
	return out
}

// sentence shows a message written for the API ("this form has expired")
// as a sentence on a page: a capital first letter and a closing full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.ContainsAny(s[len(s)-1:], ".!?") {
		s += "."
	}
	return s
}

// termWords is a code in the words of the registry's vocabulary named
// vocabulary, for a template: {{words "role" .Role}}.
func termWords(vocabulary string, code any) (string, error) {
	l, ok := vocab.Lookup(vocabulary)
	if !ok {
		return "", fmt.Errorf("no vocabulary %q", vocabulary)
	}
	return l.Words(fmt.Sprint(code)), nil
}

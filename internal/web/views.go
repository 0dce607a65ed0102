package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/templates"
)

// views are the parsed pages, each with the layout and every partial. They
// are parsed once at start; a template that does not parse stops the start.
type views struct {
	pages map[string]*template.Template
}

func loadViews() (*views, error) {
	funcs := template.FuncMap{
		"asset":    assetURL,
		"hasRole":  func(p identity.Principal, r string) bool { return p.Has(identity.Role(r)) },
		"join":     strings.Join,
		"lower":    strings.ToLower,
		"humanize": func(s string) string { return strings.ReplaceAll(s, "_", " ") },
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
	Principal identity.Principal
	SignedIn  bool
	CSRF      string
	RequestID string
	Data      any
}

// render writes a page inside the layout.
func (s *Server) render(c echo.Context, status int, name string, data any) error {
	t, ok := s.views.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	p := principal(c)
	pg := page{Principal: p, SignedIn: p.Subject != "", CSRF: csrfToken(c), RequestID: requestID(c), Data: data}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", pg); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

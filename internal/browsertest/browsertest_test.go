package browsertest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stalking-hub/hub/internal/browsertest"
)

func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }

// site serves a page that breaks its own strict CSP with an inline style and
// an inline script, has an image without alt text, and echoes the cookies it
// receives.
func site() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/bad", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'")
		fmt.Fprint(w, `<!DOCTYPE html><html lang="en"><head><title>Bad</title><style>body{color:red}</style></head>
<body><main><h1>Bad</h1><img src="/missing.png"><script>document.title = "ran"</script></main></body></html>`)
	})
	mux.HandleFunc("/cookies", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!DOCTYPE html><html lang="en"><head><title>Cookies</title></head><body><main><h1>Cookies</h1><p id="got">`)
		for _, c := range r.Cookies() {
			fmt.Fprintf(w, "%s=%s;", c.Name, c.Value)
		}
		fmt.Fprint(w, `</p></main></body></html>`)
	})
	return httptest.NewServer(mux)
}

func TestHarnessSeesCSPViolationsAndAxeFindings(t *testing.T) {
	b := browsertest.Start(t)
	srv := site()
	defer srv.Close()
	ctx := b.NewTab(t, 30*time.Second)

	status, err := browsertest.Visit(ctx, srv.URL+"/bad")
	if err != nil || status != http.StatusOK {
		t.Fatalf("visit: %d %v", status, err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if title != "Bad" {
		t.Errorf("the inline script ran despite the CSP: title %q", title)
	}

	var sawStyle, sawScript bool
	for _, m := range browsertest.Problems(ctx) {
		if strings.Contains(m.Text, "Content Security Policy") {
			sawStyle = sawStyle || strings.Contains(m.Text, "style")
			sawScript = sawScript || strings.Contains(m.Text, "script")
		}
	}
	if !sawStyle || !sawScript {
		t.Errorf("CSP violations not recorded (style %v, script %v); console: %v", sawStyle, sawScript, browsertest.Console(ctx))
	}

	vs, err := browsertest.Axe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var imageAlt *browsertest.Violation
	for i := range vs {
		if vs[i].ID == "image-alt" {
			imageAlt = &vs[i]
		}
	}
	if imageAlt == nil || !imageAlt.Serious() {
		t.Fatalf("axe did not report the image without alt text as serious: %s", browsertest.FormatViolations(vs))
	}
	if got := browsertest.FormatViolations([]browsertest.Violation{*imageAlt}); !strings.Contains(got, `<img src="/missing.png">`) {
		t.Errorf("the report does not name the element: %s", got)
	}

	// The console is the current page's: the next page starts clean.
	if _, err := browsertest.Visit(ctx, srv.URL+"/cookies"); err != nil {
		t.Fatal(err)
	}
	if ps := browsertest.Problems(ctx); len(ps) != 0 {
		t.Errorf("the last page's problems are still listed: %v", ps)
	}
}

// Chromium treats http://127.0.0.1 as a secure context, so a Secure,
// host-only __Host- cookie set for it is kept and sent: the hub's session
// cookie works in tests without TLS.
func TestSecureHostCookieOnLoopback(t *testing.T) {
	b := browsertest.Start(t)
	srv := site()
	defer srv.Close()
	ctx := b.NewTab(t, 30*time.Second)

	c := &http.Cookie{Name: "__Host-probe", Value: "v1", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	if err := browsertest.SetCookie(ctx, srv.URL, c); err != nil {
		t.Fatalf("Chromium refused a Secure cookie for %s: %v", srv.URL, err)
	}
	if _, err := browsertest.Visit(ctx, srv.URL+"/cookies"); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("got")))
	if err != nil {
		t.Fatal(err)
	}
	if got != "__Host-probe=v1;" {
		t.Errorf("the server received %q, want the __Host- cookie", got)
	}

	// A new tab has a cookie jar of its own.
	other := b.NewTab(t, 30*time.Second)
	cs, err := browsertest.Cookies(other, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 0 {
		t.Errorf("cookies leaked into another tab: %v", cs)
	}
}

func TestScreenshotIsAPNG(t *testing.T) {
	b := browsertest.Start(t)
	srv := site()
	defer srv.Close()
	ctx := b.NewTab(t, 30*time.Second)
	if _, err := browsertest.Visit(ctx, srv.URL+"/cookies"); err != nil {
		t.Fatal(err)
	}
	path := browsertest.Screenshot(t, ctx, t.TempDir()+"/page.png")
	png, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(png), "\x89PNG") {
		t.Errorf("not a PNG: % x", png[:8])
	}
}

func TestTabTimeout(t *testing.T) {
	b := browsertest.Start(t)
	ctx := b.NewTab(t, time.Millisecond)
	<-ctx.Done()
	if _, err := chromedp.Run(ctx, chromedp.Title()); err == nil || ctx.Err() != context.DeadlineExceeded {
		t.Errorf("a tab past its timeout still ran an action: %v", err)
	}
}

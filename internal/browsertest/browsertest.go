// Package browsertest drives a headless Chromium for tests of the hub's pages:
// one shared browser per test package, a fresh tab and cookie jar per test,
// console capture, axe-core accessibility checks and screenshots.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Browser is the headless Chromium that the tests of a package share.
type Browser struct {
	ctx    context.Context // owns the browser process
	cancel context.CancelFunc
	dir    string // the temporary user-data-dir
}

// shared is the package's one browser. Starting Chromium takes about a second
// and much memory on a two-core machine, so every test of a package reuses it
// and gets isolation from a new browser context per tab instead.
var shared struct {
	once sync.Once
	b    *Browser
	err  error
}

// startTimeout bounds the launch: a Chromium that cannot start must fail the
// test, not hang it.
const startTimeout = 60 * time.Second

// Start returns the package's shared browser, launching it on first use. When
// Chromium or axe-core is not installed it skips the test, or fails it under
// CI, which must never skip.
func Start(t testing.TB) *Browser {
	t.Helper()
	exe := chromiumPath()
	Need(t, exe != "", "Chromium is not installed (apt-get install chromium)")
	_, err := axeSource()
	Need(t, err == nil, fmt.Sprintf("axe-core is not installed (npm ci): %v", err))
	shared.once.Do(func() { shared.b, shared.err = launch(exe) })
	if shared.err != nil {
		t.Fatalf("browsertest: starting Chromium: %v", shared.err)
	}
	return shared.b
}

// Main runs a package's tests and then closes the shared browser. Call it from
// TestMain: os.Exit(browsertest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if shared.b != nil {
		shared.b.close()
	}
	return code
}

// Need skips the test when ok is false, saying what is missing; under CI
// (CI=true) it fails the test instead, because a skipped check there would
// pass unseen.
func Need(t testing.TB, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("browsertest: %s; CI must not skip browser tests", what)
	}
	t.Skipf("browsertest: %s", what)
}

// chromiumPath finds Debian's Chromium, or another Chromium or Chrome on PATH.
func chromiumPath() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func launch(exe string) (*Browser, error) {
	dir, err := os.MkdirTemp("", "hub-browsertest-")
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(dir),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	b := &Browser{ctx: ctx, dir: dir, cancel: func() { cancelCtx(); cancelAlloc() }}
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err = <-started:
	case <-time.After(startTimeout):
		err = errors.New("no answer within " + startTimeout.String())
	}
	if err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

func (b *Browser) close() {
	b.cancel()
	os.RemoveAll(b.dir)
}

// consoleKey finds a tab's console log in its context.
type consoleKey struct{}

// NewTab opens a tab in a browser context of its own, so that cookies never
// pass between tests, and returns its context, which ends after timeout or
// with the test. Everything the page writes to the console is recorded; see
// Console.
func (b *Browser) NewTab(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	c := &consoleLog{}
	tab, cancelTab := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(c.record))
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("browsertest: opening a tab: %v", err)
	}
	// The timeout goes on a child: on the tab itself it would close the tab
	// when it ends, and the next call would fail with a less helpful error.
	ctx, cancel := context.WithTimeout(context.WithValue(tab, consoleKey{}, c), timeout)
	t.Cleanup(cancel)
	return ctx
}

// SetCookie puts a cookie in the tab's jar as if the site at siteURL had set it.
func SetCookie(ctx context.Context, siteURL string, c *http.Cookie) error {
	p := network.SetCookieParams{
		Name: c.Name, Value: c.Value, URL: siteURL, Path: c.Path,
		Secure: &c.Secure, HTTPOnly: &c.HttpOnly,
	}
	switch c.SameSite {
	case http.SameSiteLaxMode:
		p.SameSite = network.CookieSameSiteLax
	case http.SameSiteStrictMode:
		p.SameSite = network.CookieSameSiteStrict
	case http.SameSiteNoneMode:
		p.SameSite = network.CookieSameSiteNone
	}
	_, err := chromedp.Call(ctx, network.SetCookie, p)
	return err
}

// Cookies lists the cookies the tab would send to siteURL.
func Cookies(ctx context.Context, siteURL string) ([]*network.Cookie, error) {
	r, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{siteURL}})
	return r.Cookies, err
}

// Visit loads a page and returns the HTTP status of its document.
func Visit(ctx context.Context, pageURL string) (int, error) {
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(pageURL))
	if err != nil {
		return 0, err
	}
	if resp == nil {
		return 0, fmt.Errorf("no response for %s", pageURL)
	}
	return int(resp.Status), nil
}

// Screenshot saves a PNG of the whole page so that a person can look at it,
// and returns its path. With an empty path it goes to the directory named by
// BROWSERTEST_SCREENSHOTS, or else to the test's temporary directory (which
// is removed after the test), named after the test.
func Screenshot(t testing.TB, ctx context.Context, path string) string {
	t.Helper()
	if path == "" {
		dir := os.Getenv("BROWSERTEST_SCREENSHOTS")
		if dir == "" {
			dir = t.TempDir()
		} else if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("browsertest: %v", err)
		}
		path = filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())+".png")
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browsertest: screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	t.Logf("screenshot: %s", path)
	return path
}

// repoRoot is the directory holding go.mod, found by walking up from the
// test's working directory (its package directory).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

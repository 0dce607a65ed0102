package apptest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// SignIn signs the browser tab in as a demo persona the way a person does:
// open the hub, follow the redirect to the development provider's persona
// picker, press the persona's button, and come back signed in to path.
func (h *Hub) SignIn(ctx context.Context, persona, path string) error {
	button := fmt.Sprintf(`button[name="persona"][value=%q]`, persona)
	var last error
	// A page still settling after the redirects can detach the button between
	// finding and pressing it; press it by script, and try the whole round
	// again if the browser does not come back.
	for attempt := 0; attempt < 3; attempt++ {
		if last = h.signInOnce(ctx, button, path); last == nil {
			return nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	return fmt.Errorf("sign in as %s: %w", persona, last)
}

func (h *Hub) signInOnce(ctx context.Context, button, path string) error {
	if err := chromedp.Do(ctx, chromedp.Navigate(h.URL+path), chromedp.WaitVisible(chromedp.CSS(button))); err != nil {
		return err
	}
	// Press it and wait for the load of the page the redirects end on
	// (provider, callback, then path): a query made before that load can
	// land on a document the browser is about to throw away.
	press := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).click(), true`, button))(ctx, t)
		return err
	})
	if _, err := chromedp.RunResponse(ctx, press); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? location.href : ""`))
		if err == nil && strings.HasPrefix(loc, h.URL) && !strings.Contains(loc, "/devidp/") && !strings.Contains(loc, "/auth/callback") {
			return chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("main")))
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("never came back to the hub")
}

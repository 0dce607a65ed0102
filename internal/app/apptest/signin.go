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
	for _, step := range []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(h.URL + path),
		chromedp.WaitVisible(chromedp.CSS(button)),
		chromedp.Click(chromedp.CSS(button)),
	} {
		if err := chromedp.Do(ctx, step); err != nil {
			return fmt.Errorf("sign in as %s: %w", persona, err)
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			return err
		}
		if strings.HasPrefix(loc, h.URL) && !strings.Contains(loc, "/devidp/") && !strings.Contains(loc, "/auth/callback") {
			return chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("main")))
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("sign in as %s: never came back to the hub", persona)
}

package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/browsertest"
)

// A newcomer signs in through the persona picker of the development
// provider, by the real OpenID Connect redirect flow, as three people, and
// each sees their own home page.
func TestBrowserSignInAsPersonas(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	cases := []struct {
		persona string
		want    []string
	}{
		{"officer", []string{"Police officer"}},
		{"housing", []string{"Partner agency", "Northshire Council Housing Options"}},
		{"coordinator", []string{"MARAC coordinator"}},
	}
	for i, c := range cases {
		t.Run(c.persona, func(t *testing.T) {
			ctx := b.NewTab(t, 60*time.Second)
			if err := chromedp.Do(ctx, chromedp.Navigate(h.URL+"/")); err != nil {
				t.Fatal(err)
			}
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			if !strings.Contains(loc, "/devidp/") {
				t.Fatalf("not sent to the provider: %s", loc)
			}
			if i == 0 {
				browsertest.AssertNoSeriousViolations(t, ctx, "persona picker")
			}
			if err := h.SignIn(ctx, c.persona, "/"); err != nil {
				t.Fatal(err)
			}
			main, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(main, w) {
					t.Fatalf("%s's home page lacks %q:\n%s", c.persona, w, main)
				}
			}
			browsertest.AssertNoSeriousViolations(t, ctx, c.persona+" home")
			browsertest.Screenshot(t, ctx, "")
		})
	}
}

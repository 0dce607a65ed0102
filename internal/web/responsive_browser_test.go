package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/browsertest"
)

// layoutProblems is what is wrong with the page's layout around its main
// list (the first visible element of sel): the page scrolling sideways, the
// list running off the page or hidden behind a sideways scroll of its own,
// or anything drawn over it.
const layoutProblems = `((sel) => {
  const problems = [];
  if (document.documentElement.scrollWidth > innerWidth) problems.push("the page scrolls sideways: " + document.documentElement.scrollWidth + " > " + innerWidth);
  const el = [...document.querySelectorAll(sel)].find((e) => e.getClientRects().length > 0);
  if (!el) return "no visible " + sel;
  el.scrollIntoView({block: "start"});
  const r = el.getBoundingClientRect();
  if (r.left < -0.5 || r.right > innerWidth + 0.5) problems.push("the list runs off the page: " + r.left + " to " + r.right);
  for (let p = el; p && p !== document.body; p = p.parentElement) {
    if (p.scrollWidth > p.clientWidth + 1 && getComputedStyle(p).overflowX !== "visible") problems.push("the list scrolls sideways inside " + p.tagName + "." + p.className);
  }
  const bottom = Math.min(r.bottom, innerHeight) - 4;
  for (const y of [r.top + 4, (r.top + bottom) / 2, bottom]) {
    for (const x of [r.left + 4, (r.left + r.right) / 2, r.right - 4]) {
      const at = document.elementFromPoint(x, y);
      if (at && !el.contains(at)) problems.push("covered at " + Math.round(x) + "," + Math.round(y) + " by " + at.tagName + "." + at.className);
    }
  }
  return problems.join("; ");
})(%q)`

// The lists and the pages people open most, at a phone's, a tablet's and a
// laptop's width: nothing scrolls sideways, nothing covers the main table
// (the filter panel included), and axe finds nothing serious. With
// BROWSERTEST_SCREENSHOTS set, each is saved as a picture.
func TestBrowserResponsive(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, map[string]string{"HUB_DEVIDP_SEED_REFERRALS": "40"})
	one := createReferral(t, h, exampleReferral())
	pages := []struct{ persona, path, list string }{
		{"housing", "/inbox", "#inbox-table"},
		{"officer", "/referrals", "#referrals"},
		{"supervisor", "/referrals", "#referrals"},
		{"officer", "/referrals/" + one.ID, "#agencies-table"},
		{"housing", "/referrals/" + one.ID, "#agencies-table"},
		{"coordinator", "/marac", "#queue-table"},
		{"auditor", "/audit?referral=" + one.Reference, "#audit-table"},
	}
	tabs := map[string]context.Context{}
	for _, pg := range pages {
		if tabs[pg.persona] == nil {
			ctx := b.NewTab(t, 5*time.Minute)
			if err := h.SignIn(ctx, pg.persona, "/"); err != nil {
				t.Fatal(err)
			}
			tabs[pg.persona] = ctx
		}
	}
	shots := os.Getenv("BROWSERTEST_SCREENSHOTS")
	for _, width := range []int64{375, 768, 1280} {
		for _, pg := range pages {
			name := fmt.Sprintf("%s %s at %d px", pg.persona, pg.path, width)
			ctx := tabs[pg.persona]
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
				t.Fatal(err)
			}
			visit(t, ctx, h.URL+pg.path, http.StatusOK)
			checkPage(t, ctx, name)
			if shots != "" {
				// What a person sees first, before the list is scrolled to.
				png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
				if err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(shots, 0o755); err != nil {
					t.Fatal(err)
				}
				os.WriteFile(filepath.Join(shots, fmt.Sprintf("%s%s-%d-top.png", pg.persona, filepath.Base(pg.path), width)), png, 0o644)
			}
			if got := eval[string](t, ctx, fmt.Sprintf(layoutProblems, pg.list)); got != "" {
				t.Errorf("%s: %s", name, got)
			}
			if shots != "" {
				// The list, scrolled into view by the check above.
				png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
				if err != nil {
					t.Fatal(err)
				}
				os.WriteFile(filepath.Join(shots, fmt.Sprintf("%s%s-%d-list.png", pg.persona, filepath.Base(pg.path), width)), png, 0o644)
			}
		}
	}
}

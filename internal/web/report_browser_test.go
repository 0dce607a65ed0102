package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/browsertest"
	"github.com/stalking-hub/hub/internal/report/reporttest"
)

// A supervisor signs in and opens the outcomes page: every chart is drawn,
// named and described, with its table beside it; filtering by agency works
// without JavaScript's help; axe finds nothing serious.
func TestBrowserOutcomes(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	reporttest.Build(t, h.App.DB)
	ctx := b.NewTab(t, 60*time.Second)
	if err := h.SignIn(ctx, "supervisor", "/"); err != nil {
		t.Fatal(err)
	}
	// The hub's clock moves to the fixture's now once signed in: sign-in
	// itself runs on the real clock.
	h.App.Web.Now = func() time.Time { return reporttest.Now }
	visit(t, ctx, h.URL+"/reports/outcomes"+fixtureQuery, http.StatusOK)
	contains(t, "outcomes", text(t, ctx, "main"), "Outcomes and evaluation", "Figures for 1 January 2026 to 31 March 2026, all agencies",
		"Referrals raised each month, by risk level", "MARAC actions, by owning agency")
	if n := eval[int](t, ctx, `document.querySelectorAll("main table.govuk-table").length`); n != len(wantTables) {
		t.Errorf("%d tables, want %d", n, len(wantTables))
	}
	// Each chart is an image named by its title and described by its desc,
	// drawn at a real size, and followed by the table of its figures.
	charts := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('main svg[role="img"]')).map(svg => {
		const [title, desc] = svg.getAttribute("aria-labelledby").split(" ").map(id => document.getElementById(id));
		const box = svg.getBoundingClientRect();
		const table = svg.closest(".govuk-\\!-margin-bottom-9").querySelector("table caption");
		const ok = title && desc && title.closest("svg") === svg && box.width > 200 && box.height > 100 &&
			table && table.textContent.trim() === title.textContent.trim() && desc.textContent.includes(title.textContent);
		return (ok ? "ok " : "BAD ") + (title ? title.textContent : svg.outerHTML.slice(0, 80));
	})`)
	if len(charts) != len(wantTables)-4 {
		t.Errorf("%d charts, want one for every table but the MARAC figures, the time to outcome, the Victims' Code figures and equality: %q", len(charts), charts)
	}
	for _, c := range charts {
		if !strings.HasPrefix(c, "ok ") {
			t.Errorf("chart %s", c)
		}
	}
	checkPage(t, ctx, "outcomes")
	browsertest.Screenshot(t, ctx, "")

	// The filter is a plain GET form.
	show := chromedp.Click(chromedp.CSS(`form[action="/reports/outcomes"] button[type="submit"]`))
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#agency"), "housing")); err != nil {
		t.Fatal(err)
	}
	if resp, err := chromedp.RunResponse(ctx, show); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("filtering by agency: %v %v", resp, err)
	}
	contains(t, "outcomes for housing", text(t, ctx, ".govuk-inset-text"), "for Northshire Council Housing Options")
	if got := text(t, ctx, "#table-agency-responses tbody"); !strings.HasPrefix(got, "Northshire Council Housing Options 5 3 60.0%") || strings.Contains(got, "Victim Support") {
		t.Errorf("the housing filter shows %q", got)
	}
	checkPage(t, ctx, "outcomes for housing")

	// A bad date comes back with the error summary.
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#from-month"), "13")); err != nil {
		t.Fatal(err)
	}
	if resp, err := chromedp.RunResponse(ctx, show); err != nil || resp.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad date: %v %v", resp, err)
	}
	contains(t, "bad filter", text(t, ctx, ".govuk-error-summary"), "There is a problem", "From must be a real date")
	checkPage(t, ctx, "outcomes with an error")

	// The same colour means the same in every chart: high risk red, medium
	// amber, standard grey, whatever the order of the series.
	visit(t, ctx, h.URL+"/reports/outcomes"+fixtureQuery, http.StatusOK)
	legend := eval[map[string]string](t, ctx, `Object.fromEntries(Array.from(document.querySelectorAll('#chart-referrals-by-risk-title')).flatMap(() =>
		Array.from(document.querySelector('#chart-referrals-by-risk-title').closest("svg").querySelectorAll("text + rect, rect + text")).filter(e => e.tagName === "text").map(e => [e.textContent, e.previousElementSibling.getAttribute("fill")])))`)
	for name, want := range map[string]string{"High": "#d4351c", "Medium": "#f47738", "Standard": "#505a5f"} {
		if legend[name] != want {
			t.Errorf("the risk chart draws %s in %q, want %s (legend %v)", name, legend[name], want, legend)
		}
	}
	contains(t, "contents", text(t, ctx, "#contents"), "Referrals", "Agencies", "Consent", "MARAC")
	if n := eval[int](t, ctx, `document.querySelectorAll('a[href="#contents"]').length`); n < 5 {
		t.Errorf("%d links back to the top, want one after each section", n)
	}
}

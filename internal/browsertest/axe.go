package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// Violation is one axe-core rule that the page breaks, with the elements
// that break it.
type Violation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"` // minor, moderate, serious or critical
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		// Target is the CSS selector path to the element; nested for frames
		// and shadow roots, so it is kept as axe gives it.
		Target         json.RawMessage `json:"target"`
		HTML           string          `json:"html"`
		FailureSummary string          `json:"failureSummary"`
	} `json:"nodes"`
}

// Serious reports whether the violation blocks or badly hinders some people.
func (v Violation) Serious() bool { return v.Impact == "serious" || v.Impact == "critical" }

// axeJS is axe-core's source, read once from node_modules where `npm ci`
// puts it: the tests inject it rather than the hub serving it.
var axeJS struct {
	once sync.Once
	src  []byte
	err  error
}

func axeSource() ([]byte, error) {
	axeJS.once.Do(func() {
		root, err := repoRoot()
		if err != nil {
			axeJS.err = err
			return
		}
		axeJS.src, axeJS.err = os.ReadFile(filepath.Join(root, "node_modules", "axe-core", "axe.min.js"))
	})
	return axeJS.src, axeJS.err
}

// Axe runs axe-core on the tab's current page and returns every violation,
// of any impact.
func Axe(ctx context.Context) ([]Violation, error) {
	src, err := axeSource()
	if err != nil {
		return nil, err
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return nil, err
	}
	if !loaded {
		// Injected through the DevTools protocol, which the page's CSP does
		// not govern: the page itself still may run no inline script.
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](string(src))); err != nil {
			return nil, fmt.Errorf("injecting axe-core: %w", err)
		}
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("running axe-core: %w", err)
	}
	var vs []Violation
	if err := json.Unmarshal(raw, &vs); err != nil {
		return nil, fmt.Errorf("reading axe-core's results: %w", err)
	}
	return vs, nil
}

// AssertNoSeriousViolations fails the test when axe-core finds a serious or
// critical violation on the tab's page, listing each with the elements at
// fault. Lesser ones are logged, to be read, not to fail.
func AssertNoSeriousViolations(t testing.TB, ctx context.Context, pageName string) {
	t.Helper()
	vs, err := Axe(ctx)
	if err != nil {
		t.Fatalf("%s: axe-core: %v", pageName, err)
	}
	var serious, minor []Violation
	for _, v := range vs {
		if v.Serious() {
			serious = append(serious, v)
		} else {
			minor = append(minor, v)
		}
	}
	if len(minor) > 0 {
		t.Logf("%s: axe-core, not failing:%s", pageName, FormatViolations(minor))
	}
	if len(serious) > 0 {
		t.Errorf("%s: axe-core found %d serious or critical violation(s):%s", pageName, len(serious), FormatViolations(serious))
	}
}

// FormatViolations lists violations one per line, with their elements.
func FormatViolations(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "\n  - [%s] %s: %s (%s)", v.Impact, v.ID, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n      at %s: %s", n.Target, n.HTML)
			if n.FailureSummary != "" {
				fmt.Fprintf(&b, "\n        %s", strings.ReplaceAll(n.FailureSummary, "\n", "\n        "))
			}
		}
	}
	return b.String()
}

package browsertest

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Message is one thing a page wrote to the browser console: a console call,
// an uncaught exception, or a browser log entry such as a CSP violation or a
// failed load.
type Message struct {
	Level  string // "error", "warning", "info", "log", "debug", or "exception"
	Source string // for browser log entries: "security", "network", "javascript"...
	Text   string
	URL    string
}

func (m Message) String() string {
	s := m.Level
	if m.Source != "" {
		s += " (" + m.Source + ")"
	}
	s += ": " + m.Text
	if m.URL != "" {
		s += " [" + m.URL + "]"
	}
	return s
}

// consoleLog records the messages of a tab's current page as the browser
// sends them.
type consoleLog struct {
	mu       sync.Mutex
	messages []Message
}

// record runs in the tab's event loop, so it only appends.
func (c *consoleLog) record(ev any) {
	var m Message
	switch ev := ev.(type) {
	case *page.EventFrameNavigated:
		// A new page in the tab: what the last one wrote is no longer its.
		if ev.Frame.ParentID == "" {
			c.mu.Lock()
			c.messages = nil
			c.mu.Unlock()
		}
		return
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range ev.Args {
			if a.Value != nil {
				parts = append(parts, strings.Trim(string(a.Value), `"`))
			} else {
				parts = append(parts, a.Description)
			}
		}
		m = Message{Level: string(ev.Type), Text: strings.Join(parts, " ")}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		m = Message{Level: "exception", Text: d.Text, URL: d.URL}
		if d.Exception != nil {
			m.Text += " " + d.Exception.Description
		}
	case *log.EventEntryAdded:
		e := ev.Entry
		m = Message{Level: string(e.Level), Source: string(e.Source), Text: e.Text, URL: e.URL}
	default:
		return
	}
	c.mu.Lock()
	c.messages = append(c.messages, m)
	c.mu.Unlock()
}

// Console returns what the tab's current page has written to the console so
// far.
func Console(ctx context.Context) []Message {
	c, _ := ctx.Value(consoleKey{}).(*consoleLog)
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Message(nil), c.messages...)
}

// Problems are the console messages that show a fault: errors, exceptions and
// warnings. A CSP violation is one of them.
func Problems(ctx context.Context) []Message {
	var out []Message
	for _, m := range Console(ctx) {
		switch m.Level {
		case "error", "exception", "warning", "assert":
			out = append(out, m)
		}
	}
	return out
}

// AssertCleanConsole fails the test if the tab's console shows any problem,
// such as a blocked inline style or script, a failed asset or an exception.
// The browser's note that the page itself answered with an error status is
// not counted: a 404 or 422 page is meant, and its status is the test's to
// check.
func AssertCleanConsole(t testing.TB, ctx context.Context, pageName string) {
	t.Helper()
	here, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("%s: %v", pageName, err)
	}
	var b strings.Builder
	n := 0
	for _, m := range Problems(ctx) {
		if m.Source == "network" && m.URL == here && strings.Contains(m.Text, "the server responded with a status of") {
			continue
		}
		n++
		b.WriteString("\n  - " + m.String())
	}
	if n > 0 {
		t.Errorf("%s: the browser console shows %d problem(s):%s", pageName, n, b.String())
	}
}

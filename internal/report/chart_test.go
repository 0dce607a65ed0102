package report

import (
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// element is what a chart test reads of the SVG.
type element struct {
	name  string
	attrs map[string]string
	text  string
}

// parseSVG reads the SVG as XML, failing the test when it is not well formed.
func parseSVG(t *testing.T, svg string) []element {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	var out []element
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("not well-formed SVG: %v\n%s", err, svg)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			e := element{name: x.Name.Local, attrs: map[string]string{}}
			for _, a := range x.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			out = append(out, e)
		case xml.CharData:
			if len(out) > 0 {
				out[len(out)-1].text += string(x)
			}
		}
	}
}

func countElements(es []element, name string) int {
	n := 0
	for _, e := range es {
		if e.name == name {
			n++
		}
	}
	return n
}

func TestSVGIsAccessible(t *testing.T) {
	tb := sample()
	tb.Caption = `Answers <& "quotes">`
	es := parseSVG(t, string(tb.SVG()))
	root := es[0]
	if root.name != "svg" || root.attrs["role"] != "img" || root.attrs["aria-labelledby"] != "chart-sample-title chart-sample-desc" || root.attrs["style"] != "" {
		t.Fatalf("root %+v", root)
	}
	if es[1].name != "title" || es[1].attrs["id"] != "chart-sample-title" || es[1].text != `Answers <& "quotes">` {
		t.Errorf("title %+v", es[1])
	}
	if es[2].name != "desc" || es[2].attrs["id"] != "chart-sample-desc" || !strings.Contains(es[2].text, "Every figure is in the table") {
		t.Errorf("desc %+v", es[2])
	}
	// One bar per row but the total; one series, so no legend.
	if n := countElements(es, "rect"); n != 2 {
		t.Errorf("%d bars, want 2", n)
	}
	for _, e := range es {
		if e.attrs["style"] != "" {
			t.Errorf("%s has a style attribute, which the CSP refuses", e.name)
		}
	}
}

func TestSVGKinds(t *testing.T) {
	tb := Table{ID: "t", Caption: "c", RowHeader: "Month", Columns: []Column{{Name: "A"}, {Name: "B"}, {Name: "All"}},
		Rows: []Row{{Label: "2026-01", Cells: []Cell{count(1), count(2), count(3)}}, {Label: "2026-02", Cells: []Cell{count(4), count(0), count(4)}}}}
	cases := []struct {
		kind            ChartKind
		rects, polyline int
	}{
		{NoChart, 0, 0},
		{Bars, 2*2 + 2, 0},        // two rows of two bars, and two legend swatches
		{StackedBars, 2*2 + 2, 0}, // two stacks of two parts, and the swatches
		{Lines, 2, 2},             // two lines and the swatches
	}
	for _, c := range cases {
		tb.Chart = Chart{Kind: c.kind, Series: []int{0, 1}}
		svg := string(tb.SVG())
		if c.kind == NoChart {
			if svg != "" {
				t.Errorf("no chart drew %s", svg)
			}
			continue
		}
		es := parseSVG(t, svg)
		if n := countElements(es, "rect"); n != c.rects {
			t.Errorf("kind %d: %d rects, want %d", c.kind, n, c.rects)
		}
		if n := countElements(es, "polyline"); n != c.polyline {
			t.Errorf("kind %d: %d lines, want %d", c.kind, n, c.polyline)
		}
	}
	// A stack reaches the sum of its parts: the 2026-01 stack (1+2) and the
	// 2026-02 stack (4) share the axis that tops at 4.
	tb.Chart = Chart{Kind: StackedBars, Series: []int{0, 1}}
	if got := tb.chartMax(tb.chartRows()); got != 4 {
		t.Errorf("stacked max %v", got)
	}
	tb.Rows[1].Cells[0] = count(2)
	if got := tb.chartMax(tb.chartRows()); got != 3 {
		t.Errorf("stacked max %v", got)
	}
}

func TestAxis(t *testing.T) {
	cases := []struct {
		max       float64
		unit      Unit
		top, step float64
	}{
		{0, Count, 1, 1},
		{3, Count, 3, 1},
		{7, Count, 8, 2},
		{12, Count, 15, 5},
		{48, Count, 50, 10},
		{1234, Count, 1500, 500},
		{0.4, Hours, 0.4, 0.1},
		{100, Percent, 100, 20},
	}
	for _, c := range cases {
		if top, step := axis(c.max, c.unit); top != c.top || step != c.step {
			t.Errorf("axis(%v) = %v, %v; want %v, %v", c.max, top, step, c.top, c.step)
		}
	}
}

// The slanted row labels stay inside the drawing: the first does not run
// off its left edge and the longest fits in the room left below the plot.
func TestFrameKeepsLabelsInside(t *testing.T) {
	slant := labelSlant * math.Pi / 180
	for _, c := range []struct {
		name   string
		labels []string
		cols   int
	}{
		{"short, narrow", []string{"Race", "Religion"}, 1},
		{"months, wide", []string{"2026-01", "2026-02", "2026-03"}, 5},
		{"long, narrow", []string{"Northshire NHS Safeguarding Team: Not coded", "B"}, 1},
		{"long, wide, many", []string{"Northshire Council Housing Options", "x", "y", "z", "w", "v", "u", "s"}, 7},
	} {
		tb := Table{Chart: Chart{Kind: Bars, Series: []int{0}}}
		for range c.cols {
			tb.Columns = append(tb.Columns, Column{Name: "n"})
		}
		for _, l := range c.labels {
			tb.Rows = append(tb.Rows, Row{Label: l, Cells: make([]Cell, c.cols)})
		}
		f := frameOf(tb, tb.Rows)
		reach := float64(utf8.RuneCountInString(shorten(c.labels[0]))) * charWidth
		if x := f.left + f.band/2 - reach*math.Cos(slant); x < 0 {
			t.Errorf("%s: the first label starts at %v", c.name, x)
		}
		longest := 0
		for _, l := range c.labels {
			longest = max(longest, utf8.RuneCountInString(shorten(l)))
		}
		if drop := float64(longest) * charWidth * math.Sin(slant); float64(f.labels) < drop {
			t.Errorf("%s: %d units for labels that drop %v", c.name, f.labels, drop)
		}
		if f.band <= 0 || f.left < axisRoom || float64(f.width)-f.left-plotRight < f.band*float64(len(c.labels))-1e-9 {
			t.Errorf("%s: frame %+v", c.name, f)
		}
	}
}

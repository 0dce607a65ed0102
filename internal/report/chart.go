package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The drawing's fixed measures, in SVG user units. A chart above a wide
// table takes the page's width; one beside a narrow table half of it, so it
// is drawn narrower to keep its text near the page's size.
const (
	wideWidth    = 640
	narrowWidth  = 400
	fontSize     = 14
	charWidth    = 8.5 // a generous mean width of a character at fontSize
	plotTop      = 16
	plotHeight   = 220
	axisRoom     = 56 // left of the plot, for the value axis's figures
	plotRight    = 16
	legendLine   = 22
	labelMaxRune = 28
	labelSlant   = 40 // degrees
)

// fontFamily is the hub's type, which the page's stylesheet sets on its
// text classes but not on the body an inline SVG would inherit from.
const fontFamily = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"

// Colours mean the same in every chart (GOV.UK's palette): red for high risk
// and for what went wrong (declined, refused, overdue), amber for medium risk
// and for what was late, grey for standard risk and for what is still
// waiting, green for what went right. A series with no such meaning takes
// the next of palette, which holds none of those colours. Each has at least
// 3:1 contrast with white but amber, which is outlined; the table beside
// the chart carries every figure, so colour is never the only way to read it.
const (
	red   = "#d4351c"
	amber = "#f47738"
	grey  = "#505a5f"
	green = "#00703c"
)

var meanings = map[string]string{
	"high": red, "medium": amber, "standard": grey,
	"declined": red, "refused": red, "overdue": red, "overdue, no answer": red, "not done": red,
	"completed late":     amber,
	"awaiting an answer": grey, "waiting for a decision": grey, "open, not yet due": grey, "not possible": grey,
	"accepted": green, "approved": green, "completed on time": green, "answered within the response time": green,
}

// palette colours the series without a meaning, in order.
var palette = []string{"#1d70b8", "#4c2c92", "#00666b", "#912b88", "#003078", "#6f777b", "#28a197", "#5694ca"}

// frame is where a chart's parts go: the plot's left edge and the width of
// each row's band, the room for the slanted labels below, the whole size.
type frame struct {
	width, height int
	left, band    float64
	labels        int // the height left below the plot for row labels
}

// frameOf makes room for the row labels: slanted, a label reaches down by
// its length times the sine of the slant and left by its length times the
// cosine, so the room below fits the longest, and the plot moves right
// until the longest would fit even under the first row.
func frameOf(t Table, rows []Row) frame {
	f := frame{width: narrowWidth}
	if t.Wide() {
		f.width = wideWidth
	}
	longest := 0
	for _, r := range rows {
		longest = max(longest, utf8.RuneCountInString(shorten(r.Name())))
	}
	reach := float64(longest) * charWidth
	slant := labelSlant * math.Pi / 180
	f.labels = 20 + int(math.Ceil(reach*math.Sin(slant)))
	// The first band's centre, left + (width - right - left) / 2n, must be
	// at least the longest label's reach to the left, and a margin: solved
	// for left.
	n, plot := float64(len(rows)), float64(f.width-plotRight)
	f.left = max(axisRoom, (reach*math.Cos(slant)+4-plot/(2*n))/(1-1/(2*n)))
	f.band = (plot - f.left) / n
	legend := 0
	if len(t.Chart.Series) > 1 {
		legend = len(t.Chart.Series)*legendLine + 8
	}
	f.height = plotTop + plotHeight + f.labels + legend
	return f
}

// SVG draws the table's chart as inline SVG: role img, named by a title and
// described by a desc that points to the table. It is empty for a table
// without a chart or without rows to draw.
func (t Table) SVG() template.HTML {
	rows := t.chartRows()
	if t.Chart.Kind == NoChart || len(rows) == 0 || len(t.Chart.Series) == 0 {
		return ""
	}
	top, step := axis(t.chartMax(rows), t.Columns[t.Chart.Series[0]].Unit)
	f := frameOf(t, rows)
	y := func(v float64) float64 { return plotTop + plotHeight - v/top*plotHeight }
	center := func(i int) float64 { return f.left + f.band*(float64(i)+0.5) }
	right := float64(f.width - plotRight)

	colour := t.colours()
	var b strings.Builder
	id := "chart-" + t.ID
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="%s-title %s-desc" viewBox="0 0 %d %d" width="100%%" font-size="%d" font-family="%s">`,
		id, id, f.width, f.height, fontSize, fontFamily)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(t.Caption), id, esc(t.description()))

	// The value axis: grid lines and their figures.
	for v := 0.0; v <= top+step/2; v += step {
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#b1b4b6" stroke-width="1"/>`, num(f.left), num(right), num(y(v)), num(y(v)))
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" dominant-baseline="middle" fill="#0b0c0c">%s</text>`, num(f.left-6), num(y(v)), tick(v, step))
	}
	fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#0b0c0c" stroke-width="1"/>`, num(f.left), num(right), num(y(0)), num(y(0)))

	switch t.Chart.Kind {
	case Lines:
		for k, col := range t.Chart.Series {
			var pts []string
			for i, r := range rows {
				pts = append(pts, num(center(i))+","+num(y(r.Cells[col].Value)))
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, colour[k], strings.Join(pts, " "))
			for i, r := range rows {
				fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"%s><title>%s</title></circle>`,
					num(center(i)), num(y(r.Cells[col].Value)), colour[k], outline(colour[k]), esc(t.point(r, col)))
			}
		}
	default:
		group := f.band * 0.7
		n := float64(len(t.Chart.Series))
		for i, r := range rows {
			x0 := center(i) - group/2
			base := 0.0
			for k, col := range t.Chart.Series {
				v := r.Cells[col].Value
				x, w, from := x0+group/n*float64(k), group/n, 0.0
				if t.Chart.Kind == StackedBars {
					x, w, from = x0, group, base
					base += v
				}
				fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s><title>%s</title></rect>`,
					num(x), num(y(from+v)), num(w), num(y(from)-y(from+v)), colour[k], outline(colour[k]), esc(t.point(r, col)))
			}
		}
	}

	// Row labels, slanted so that long names fit.
	for i, r := range rows {
		x, ly := center(i), float64(plotTop+plotHeight+fontSize+2)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" transform="rotate(-%d %s %s)" fill="#0b0c0c">%s</text>`,
			num(x), num(ly), labelSlant, num(x), num(ly), esc(shorten(r.Name())))
	}
	if len(t.Chart.Series) > 1 {
		for k, col := range t.Chart.Series {
			ly := plotTop + plotHeight + f.labels + k*legendLine
			fmt.Fprintf(&b, `<rect x="%s" y="%d" width="14" height="14" fill="%s"%s/><text x="%s" y="%d" dominant-baseline="middle" fill="#0b0c0c">%s</text>`,
				num(f.left), ly, colour[k], outline(colour[k]), num(f.left+20), ly+7, esc(t.Columns[col].Heading()))
		}
	}
	b.WriteString(`</svg>`)
	// Every text in it went through esc; the rest is numbers and constants.
	return template.HTML(b.String())
}

// chartRows are the rows a chart draws: all but totals.
func (t Table) chartRows() []Row {
	var out []Row
	for _, r := range t.Rows {
		if !r.Total {
			out = append(out, r)
		}
	}
	return out
}

// chartMax is the highest value the chart must reach: the tallest stack,
// or the largest single value.
func (t Table) chartMax(rows []Row) float64 {
	m := 0.0
	for _, r := range rows {
		sum := 0.0
		for _, col := range t.Chart.Series {
			sum += r.Cells[col].Value
			m = math.Max(m, r.Cells[col].Value)
		}
		if t.Chart.Kind == StackedBars {
			m = math.Max(m, sum)
		}
	}
	return m
}

// description says in words what the chart shows, for the desc element.
func (t Table) description() string {
	kind := map[ChartKind]string{Bars: "Bar chart", StackedBars: "Stacked bar chart", Lines: "Line chart"}[t.Chart.Kind]
	var series []string
	for _, col := range t.Chart.Series {
		series = append(series, t.Columns[col].Heading())
	}
	return fmt.Sprintf("%s of %s, one %s for each %s: %s. Every figure is in the table “%s”.",
		kind, lowerFirst(t.Caption), map[bool]string{true: "point", false: "bar"}[t.Chart.Kind == Lines],
		strings.ToLower(t.RowHeader), strings.Join(series, ", "), t.Caption)
}

// point names one drawn value, for its tooltip.
func (t Table) point(r Row, col int) string {
	return r.Name() + ", " + t.Columns[col].Heading() + ": " + t.Text(col, r.Cells[col])
}

// axis is the top of the value axis and the step between its lines: the
// step is 1, 2 or 5 times a power of ten, whole for counts, and about five
// steps reach the highest value.
func axis(max float64, u Unit) (top, step float64) {
	if max <= 0 {
		return 1, 1
	}
	raw := max / 5
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if step = m * pow; step >= raw {
			break
		}
	}
	if u == Count && step < 1 {
		step = 1
	}
	return math.Ceil(max/step) * step, step
}

func tick(v, step float64) string {
	if step == math.Trunc(step) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// colours are the fills of the chart's series, by meaning where they have one.
func (t Table) colours() []string {
	out := make([]string, len(t.Chart.Series))
	next := 0
	for k, col := range t.Chart.Series {
		if c, ok := meanings[strings.ToLower(t.Columns[col].Name)]; ok {
			out[k] = c
			continue
		}
		out[k] = palette[next%len(palette)]
		next++
	}
	return out
}

// outline is the stroke that keeps a light fill visible against white.
func outline(fill string) string {
	if fill == amber {
		return ` stroke="#0b0c0c" stroke-width="0.5"`
	}
	return ""
}

func esc(s string) string { return html.EscapeString(s) }

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= labelMaxRune {
		return s
	}
	return string([]rune(s)[:labelMaxRune-1]) + "…"
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToLower(string(r)) + s[n:]
}

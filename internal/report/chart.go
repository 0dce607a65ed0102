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

// The drawing's frame, in SVG user units: the plot sits inside margins that
// hold the value axis on the left and the slanted row labels below.
const (
	chartWidth   = 640
	plotTop      = 16
	plotHeight   = 220
	plotLeft     = 56
	plotRight    = 16
	labelSpace   = 120
	legendLine   = 20
	labelMaxRune = 28
)

// palette colours the series in order. Each has at least 3:1 contrast with
// white, and the table beside the chart carries every figure, so colour is
// never the only way to read it.
var palette = []string{"#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#b54d00", "#00666b", "#505a5f", "#912b88"}

// SVG draws the table's chart as inline SVG: role img, named by a title and
// described by a desc that points to the table. It is empty for a table
// without a chart or without rows to draw.
func (t Table) SVG() template.HTML {
	rows := t.chartRows()
	if t.Chart.Kind == NoChart || len(rows) == 0 || len(t.Chart.Series) == 0 {
		return ""
	}
	top, step := axis(t.chartMax(rows), t.Columns[t.Chart.Series[0]].Unit)
	legend := 0
	if len(t.Chart.Series) > 1 {
		legend = len(t.Chart.Series)*legendLine + 8
	}
	height := plotTop + plotHeight + labelSpace + legend
	plotW := float64(chartWidth - plotLeft - plotRight)
	band := plotW / float64(len(rows))
	y := func(v float64) float64 { return plotTop + plotHeight - v/top*plotHeight }

	var b strings.Builder
	id := "chart-" + t.ID
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="%s-title %s-desc" viewBox="0 0 %d %d" width="100%%" font-size="12">`,
		id, id, chartWidth, height)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(t.Caption), id, esc(t.description()))

	// The value axis: grid lines and their figures.
	for v := 0.0; v <= top+step/2; v += step {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="#b1b4b6" stroke-width="1"/>`, plotLeft, chartWidth-plotRight, num(y(v)), num(y(v)))
		fmt.Fprintf(&b, `<text x="%d" y="%s" text-anchor="end" dominant-baseline="middle" fill="#0b0c0c">%s</text>`, plotLeft-6, num(y(v)), tick(v, step))
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="#0b0c0c" stroke-width="1"/>`, plotLeft, chartWidth-plotRight, num(y(0)), num(y(0)))

	switch t.Chart.Kind {
	case Lines:
		for k, col := range t.Chart.Series {
			var pts []string
			for i, r := range rows {
				pts = append(pts, num(plotLeft+band*(float64(i)+0.5))+","+num(y(r.Cells[col].Value)))
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, color(k), strings.Join(pts, " "))
			for i, r := range rows {
				fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"><title>%s</title></circle>`,
					num(plotLeft+band*(float64(i)+0.5)), num(y(r.Cells[col].Value)), color(k), esc(t.point(r, col)))
			}
		}
	default:
		group := band * 0.7
		for i, r := range rows {
			x0 := plotLeft + band*float64(i) + (band-group)/2
			base := 0.0
			for k, col := range t.Chart.Series {
				v := r.Cells[col].Value
				x, w, from := x0+group/float64(len(t.Chart.Series))*float64(k), group/float64(len(t.Chart.Series)), 0.0
				if t.Chart.Kind == StackedBars {
					x, w, from = x0, group, base
					base += v
				}
				fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`,
					num(x), num(y(from+v)), num(w), num(y(from)-y(from+v)), color(k), esc(t.point(r, col)))
			}
		}
	}

	// Row labels, slanted so that long names fit.
	for i, r := range rows {
		x, ly := plotLeft+band*(float64(i)+0.5), float64(plotTop+plotHeight+14)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" transform="rotate(-40 %s %s)" fill="#0b0c0c">%s</text>`,
			num(x), num(ly), num(x), num(ly), esc(shorten(r.Label)))
	}
	if legend > 0 {
		for k, col := range t.Chart.Series {
			ly := plotTop + plotHeight + labelSpace + k*legendLine
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="%s"/><text x="%d" y="%d" dominant-baseline="middle" fill="#0b0c0c">%s</text>`,
				plotLeft, ly, color(k), plotLeft+20, ly+7, esc(t.Columns[col].Heading()))
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
	return r.Label + ", " + t.Columns[col].Heading() + ": " + t.Text(col, r.Cells[col])
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

func color(k int) string { return palette[k%len(palette)] }

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

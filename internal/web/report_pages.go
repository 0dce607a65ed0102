package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/report"
)

// reportReaders may read the outcome figures: they carry no personal data,
// but they are the force's and the partnership's performance.
var reportReaders = []identity.Role{identity.Supervisor, identity.MARACCoordinator, identity.Auditor}

// reportRoutes are the outcomes page, its CSV downloads and its JSON. The
// figures are read afresh for each request: the store keeps them as
// counters with every change, so they are never older than the request.
func (s *Server) reportRoutes() []Route {
	o := &outcomes{Server: s}
	return []Route{
		{Method: http.MethodGet, Path: "/reports/outcomes", Access: Roles, Roles: reportReaders, Handler: o.page},
		{Method: http.MethodGet, Path: "/reports/outcomes/:file", Access: Roles, Roles: reportReaders, Handler: o.csv},
		{Method: http.MethodGet, Path: "/api/v1/reports/outcomes", Access: Roles, Roles: reportReaders, Handler: o.api},
	}
}

// outcomes serves the figures.
type outcomes struct {
	*Server
}

// outcomesFilter is the filter form as sent: a period and an agency. The
// page's form sends each day as a GOV.UK date input (from-day, from-month,
// from-year), as every other form does; an address may give from and to
// as YYYY-MM-DD, as the CSV links do.
type outcomesFilter struct {
	From, To, Agency string
	FromDate, ToDate dateField
}

// readFilter reads and checks the filter; errors name the fields from, to
// and agency (the page links them to the date inputs' day boxes).
func (o *outcomes) readFilter(c echo.Context) (outcomesFilter, report.Period, map[string]string) {
	q := c.QueryParams()
	f := outcomesFilter{From: q.Get("from"), To: q.Get("to"), Agency: q.Get("agency")}
	errs := map[string]string{}
	from, to := typedDateOf(q, "from"), typedDateOf(q, "to")
	if from != (typedDate{}) || to != (typedDate{}) {
		var msg string
		if f.From, msg = from.iso("From"); msg != "" {
			errs["from"] = msg
		}
		if f.To, msg = to.iso("To"); msg != "" {
			errs["to"] = msg
		}
	}
	var p report.Period
	if len(errs) == 0 {
		var perr *problem.Error
		if p, perr = report.ParsePeriod(f.From, f.To, o.Now()); perr != nil {
			errs = perr.Fields
		}
	}
	if a, ok := o.Agencies.Get(f.Agency); f.Agency != "" && (!ok || a.ID == agency.Police) {
		errs["agency"] = "Choose an agency from the list, or all agencies"
	}
	f.FromDate = dateField{ID: "from", Legend: "From", Hint: "The first day, for example 1 1 2026", typedDate: from, Error: errs["from"]}
	f.ToDate = dateField{ID: "to", Legend: "To", Hint: "The last day, for example 31 3 2026", typedDate: to, Error: errs["to"]}
	return f, p, errs
}

// figures reads the filter and gives its figures as they stand now.
func (o *outcomes) figures(c echo.Context) (outcomesFilter, report.Figures, map[string]string, error) {
	f, p, errs := o.readFilter(c)
	if len(errs) > 0 {
		return f, report.Figures{}, errs, nil
	}
	ctx, now := c.Request().Context(), o.Now()
	figures, err := o.DB.Outcomes(ctx, p, f.Agency, now)
	return f, figures, nil, err
}

// agencyName is an agency's name, or its id when the hub no longer knows it.
func (o *outcomes) agencyName(id string) string {
	if a, ok := o.Agencies.Get(id); ok {
		return a.Name
	}
	return id
}

type outcomesData struct {
	Form     outcomesFilter
	Errors   map[string]string
	Agencies []agencyOption
	// The rest is set only when the filter is valid.
	Period     string
	AgencyName string
	AsOf       string
	Tables     map[string]outcomeTable
}

// outcomeTable is one table of the page: its chart, its cells as text and
// the address of its CSV.
type outcomeTable struct {
	ID, Caption, RowHeader string
	Headings               []string
	Rows                   []outcomeRow
	Wide                   bool
	ColSpan                int // the columns, row header included
	Chart                  template.HTML
	CSV                    string
}

type outcomeRow struct {
	Label string
	Total bool
	Cells []string
}

// page is the performance section: the filter, then every table
// with its chart and a CSV download. A bad filter re-renders with its errors.
func (o *outcomes) page(c echo.Context) error {
	f, figures, errs, err := o.figures(c)
	if err != nil {
		return err
	}
	d := outcomesData{Form: f, Errors: errs}
	for _, a := range o.Agencies.All() {
		if a.ID != agency.Police {
			d.Agencies = append(d.Agencies, agencyOption{a.ID, a.Name})
		}
	}
	if len(errs) > 0 {
		d.Errors = map[string]string{}
		for k, v := range errs {
			if k == "from" || k == "to" {
				k += "-day" // the error summary links to the day box
			}
			d.Errors[k] = v
		}
		return o.render(c, http.StatusUnprocessableEntity, "report-outcomes", d)
	}
	if err := o.recordRead(c, f.Agency, figures.Period); err != nil {
		return err
	}
	p := figures.Period
	d.Form.From, d.Form.To = p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)
	d.Form.FromDate.typedDate, d.Form.ToDate.typedDate = typedDateFrom(p.From), typedDateFrom(p.To)
	d.Period = longDate(p.From) + " to " + longDate(p.To)
	d.AsOf = figures.AsOf.In(london).Format("3:04pm MST on 2 January 2006")
	if f.Agency != "" {
		d.AgencyName = o.agencyName(f.Agency)
	}
	query := url.Values{"from": {d.Form.From}, "to": {d.Form.To}}
	if f.Agency != "" {
		query.Set("agency", f.Agency)
	}
	d.Tables = map[string]outcomeTable{}
	for _, t := range report.Tables(figures, o.agencyName) {
		ot := outcomeTable{ID: t.ID, Caption: t.Caption, RowHeader: t.RowHeader, Wide: t.Wide(), ColSpan: len(t.Columns) + 1, Chart: t.SVG(),
			CSV: "/reports/outcomes/" + t.ID + ".csv?" + query.Encode()}
		for _, col := range t.Columns {
			ot.Headings = append(ot.Headings, col.Heading())
		}
		for _, r := range t.Rows {
			row := outcomeRow{Label: r.Name(), Total: r.Total}
			for i, cell := range r.Cells {
				row.Cells = append(row.Cells, t.Text(i, cell))
			}
			ot.Rows = append(ot.Rows, row)
		}
		d.Tables[t.ID] = ot
	}
	return o.render(c, http.StatusOK, "report-outcomes", d)
}

// csv downloads one table as CSV. The download is recorded in the
// audit log before a byte of it is written; if it cannot be, nothing is sent.
func (o *outcomes) csv(c echo.Context) error {
	id, ok := strings.CutSuffix(c.Param("file"), ".csv")
	if !ok {
		return problem.New(problem.NotFound, "Page not found")
	}
	f, figures, errs, err := o.figures(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return problem.Fields(errs)
	}
	t, ok := report.TableByID(figures, o.agencyName, id)
	if !ok {
		return problem.New(problem.NotFound, "Page not found")
	}
	var body bytes.Buffer
	if err := t.WriteCSV(&body); err != nil {
		return err
	}
	entry := o.entry(c, audit.Export)
	entry.Agency, entry.Detail = f.Agency, "outcomes "+id+" "+figures.Period.String()
	if err := o.DB.Audit(c.Request().Context(), entry); err != nil {
		return err
	}
	name := "outcomes-" + id + "-" + figures.Period.From.Format(time.DateOnly) + "-to-" + figures.Period.To.Format(time.DateOnly) + ".csv"
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", body.Bytes())
}

// api serves the same figures as JSON, for from..to (dates) and an
// optional agency.
func (o *outcomes) api(c echo.Context) error {
	_, figures, errs, err := o.figures(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return problem.Fields(errs)
	}
	if err := o.recordRead(c, c.QueryParam("agency"), figures.Period); err != nil {
		return err
	}
	return answer(c, http.StatusOK, outcomesJSON{figures})
}

// recordRead writes that the figures of the period were read, before they
// are shown: they are counts about people's referrals. If it cannot be
// written, nothing is shown.
func (o *outcomes) recordRead(c echo.Context, agencyID string, p report.Period) error {
	entry := o.entry(c, audit.ReportRead)
	entry.Agency, entry.Detail = agencyID, "outcomes "+p.String()
	return o.DB.Audit(c.Request().Context(), entry)
}

// typedDateFrom is a day as a date input shows it.
func typedDateFrom(t time.Time) typedDate {
	return typedDate{Day: strconv.Itoa(t.Day()), Month: strconv.Itoa(int(t.Month())), Year: strconv.Itoa(t.Year())}
}

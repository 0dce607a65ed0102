package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/report"
	"github.com/stalking-hub/hub/internal/report/reporttest"
	"github.com/stalking-hub/hub/internal/store"
)

// The demo agencies' names, as agencies/*.toml give them.
const (
	healthName  = "Northshire NHS Safeguarding Team"
	housingName = "Northshire Council Housing Options"
	vsName      = "Northshire Victim Support"
	idvaName    = "Northshire IDVA Service"
)

// wantTables are the outcomes page's tables for the fixture, all agencies,
// cell by cell as the page shows them: worked out by hand in
// reporttest.Want's comment. The first line of each is the header.
var wantTables = map[string][][]string{
	"referrals-by-risk": {
		{"Month", "Standard", "Medium", "High", "All referrals"},
		{"2026-01", "1", "1", "1", "3"},
		{"2026-02", "1", "1", "1", "3"},
		{"2026-03", "0", "1", "1", "2"},
		{"Total", "2", "3", "3", "8"},
	},
	"referrals-by-offence": {
		{"Month", "Harassment (section 2)", "Harassment putting people in fear of violence (section 4)", "Stalking (section 2A)",
			"Stalking involving fear of violence or serious alarm or distress (section 4A)", "Malicious communications",
			"Breach of a restraining order or Stalking Protection Order", "Another offence", "All referrals"},
		{"2026-01", "1", "0", "1", "1", "0", "0", "0", "3"},
		{"2026-02", "0", "1", "1", "0", "1", "0", "0", "3"},
		{"2026-03", "0", "0", "0", "0", "0", "1", "1", "2"},
		{"Total", "1", "1", "2", "1", "1", "1", "1", "8"},
	},
	"referrals-by-factor": {
		{"Month", "Domestic abuse", "Hate crime", "Honour-based abuse", "Fear of violence", "Technology-enabled"},
		{"2026-01", "1", "1", "0", "1", "1"},
		{"2026-02", "1", "1", "1", "1", "0"},
		{"2026-03", "1", "1", "0", "0", "1"},
		{"Total", "3", "3", "1", "2", "2"},
	},
	"hate-crime-strands": {
		{"Strand", "Referrals"},
		{"Race", "1"}, {"Religion or belief", "1"}, {"Sexual orientation", "0"}, {"Disability", "1"}, {"Transgender identity", "1"}, {"Other", "0"},
	},
	"agency-responses": {
		{"Agency", "Received", "Accepted", "Acceptance rate", "Declined", "Decline rate", "Awaiting an answer", "Closed"},
		{healthName, "4", "1", "25.0%", "1", "25.0%", "2", "0"},
		{housingName, "5", "3", "60.0%", "1", "20.0%", "1", "2"},
		{vsName, "4", "3", "75.0%", "1", "25.0%", "0", "1"},
	},
	"agency-response-times": {
		{"Agency", "Answered", "Median (hours)", "90th percentile (hours)", "Answered within the response time", "Overdue, no answer", "Within the response time"},
		{healthName, "2", "8.0", "11.2", "2", "1", "66.7%"},
		{housingName, "4", "15.0", "27.0", "4", "1", "80.0%"},
		{vsName, "4", "48.5", "57.0", "2", "0", "50.0%"},
	},
	"agency-acceptance-times": {
		{"Agency", "Accepted", "Median (hours)", "90th percentile (hours)", "Accepted within the response time"},
		{healthName, "1", "4.0", "4.0", "100.0%"},
		{housingName, "3", "10.0", "18.0", "100.0%"},
		{vsName, "3", "47.0", "57.4", "66.7%"},
	},
	"decline-reasons": {
		{"Agency and reason", "Declined"},
		{healthName + ": Not coded", "1"}, {housingName + ": Outside our area", "1"}, {vsName + ": The victim declined our service", "1"},
	},
	"closing-outcomes": {
		{"Agency and outcome", "Closed"},
		{housingName + ": Rehoused or helped to move", "1"}, {housingName + ": Safety measures put in place", "1"}, {vsName + ": Not coded", "1"},
	},
	"agency-outcomes": {
		{"Agency", "Sent", "Viewed", "Accepted", "Declined", "In progress", "Closed", "Withdrawn"},
		{healthName, "2", "0", "0", "1", "1", "0", "0"},
		{housingName, "0", "1", "1", "1", "0", "2", "0"},
		{vsName, "0", "0", "2", "1", "0", "1", "0"},
	},
	"consent": {
		{"Decision", "Referrals", "Share of referrals"},
		{"Consent given", "4", "50.0%"}, {"Consent refused", "2", "25.0%"}, {"Consent not sought", "1", "12.5%"}, {"Consent withdrawn", "1", "12.5%"},
		{"No consent record", "0", "0.0%"},
	},
	"overrides": {
		{"Lawful basis", "Asked for", "Approved", "Refused", "Waiting for a decision", "Approval rate"},
		{"Crime and Disorder Act 1998, section 115", "1", "1", "0", "0", "100.0%"},
		{"Data Protection Act 2018, Schedule 8 — safeguarding of children and individuals at risk", "2", "1", "1", "0", "50.0%"},
		{"Vital interests — risk to life", "1", "0", "0", "1", "–"},
		{"Total", "4", "2", "1", "1", "66.7%"},
	},
	"patterns": {
		{"Pattern", "Referrals", "Share of referrals"},
		{"Repeat victim", "3", "37.5%"},
		{"Repeat suspect", "3", "37.5%"},
		{"Linked to another referral", "6", "75.0%"},
		{"Linked through the victim", "4", "50.0%"},
		{"Linked through the suspect", "4", "50.0%"},
	},
	"marac": {
		{"Figure", "Number", "Share"},
		{"Cases heard", "4", "100.0%"}, {"Repeat cases", "2", "50.0%"}, {"Actions agreed", "7", "100.0%"},
		{"Actions completed on time", "2", "28.6%"}, {"Actions completed late", "1", "14.3%"}, {"Actions open", "2", "28.6%"},
		{"Actions overdue", "1", "14.3%"}, {"Actions not possible", "1", "14.3%"}, {"Actions not done", "1", "14.3%"},
	},
	"marac-actions": {
		{"Agency", "Actions", "Completed on time", "Completed late", "Open, not yet due", "Overdue", "Not possible", "Not done"},
		{healthName, "1", "0", "0", "0", "0", "1", "0"},
		{housingName, "3", "1", "0", "1", "1", "0", "0"},
		{idvaName, "1", "0", "0", "0", "0", "0", "1"},
		{vsName, "2", "1", "1", "0", "0", "0", "0"},
		{"Total", "7", "2", "1", "1", "1", "1", "1"},
	},
	// The criminal-justice figures of internal/report/reporttest/justice.go.
	"criminal-justice-outcomes": {
		{"Outcome", "Referrals", "Share of outcomes"},
		{"Charged or summonsed", "2", "50.0%"},
		{"Cautioned", "1", "25.0%"},
		{"Community resolution", "0", "0.0%"},
		{"No further action: evidential difficulties, victim supports action", "0", "0.0%"},
		{"No further action: evidential difficulties, victim does not support action", "1", "25.0%"},
		{"No further action: not in the public interest", "0", "0.0%"},
		{"Another outcome", "0", "0.0%"},
		{"Total", "4", "100.0%"},
	},
	"criminal-justice-by-offence": {
		{"Offence", "Charged or summonsed", "Cautioned", "Community resolution", "No further action: evidential difficulties, victim supports action",
			"No further action: evidential difficulties, victim does not support action", "No further action: not in the public interest", "Another outcome"},
		{"Harassment (section 2)", "0", "0", "0", "0", "1", "0", "0"},
		{"Harassment putting people in fear of violence (section 4)", "0", "1", "0", "0", "0", "0", "0"},
		{"Stalking (section 2A)", "0", "0", "0", "0", "0", "0", "0"},
		{"Stalking involving fear of violence or serious alarm or distress (section 4A)", "1", "0", "0", "0", "0", "0", "0"},
		{"Malicious communications", "0", "0", "0", "0", "0", "0", "0"},
		{"Breach of a restraining order or Stalking Protection Order", "1", "0", "0", "0", "0", "0", "0"},
		{"Another offence", "0", "0", "0", "0", "0", "0", "0"},
	},
	"time-to-outcome": {
		{"Referrals", "Outcomes", "Median (hours)", "90th percentile (hours)"},
		{"With an outcome", "4", "252.0", "588.0"},
	},
	"victims-code": {
		{"Figure", "Number", "Share"},
		{"Updates due", "6", "100.0%"},
		{"Told on time", "3", "50.0%"},
		{"Told late", "2", "33.3%"},
		{"Overdue, not told", "1", "16.7%"},
		{"Referrals with an active protective order", "2", "25.0%"},
	},
	// R1, R3 and R6 gave their equality details (reporttest/justice.go).
	"equality": {
		{"Question and answer", "Referrals", "Share of those given"},
		{"Sex: Female", "2", "66.7%"}, {"Sex: Male", "1", "33.3%"}, {"Sex: Not stated", "0", "0.0%"},
		{"Age: Under 18", "0", "0.0%"}, {"Age: 18 to 24", "0", "0.0%"}, {"Age: 25 to 34", "2", "66.7%"}, {"Age: 35 to 44", "1", "33.3%"},
		{"Age: 45 to 54", "0", "0.0%"}, {"Age: 55 to 64", "0", "0.0%"}, {"Age: 65 and over", "0", "0.0%"}, {"Age: Not stated", "0", "0.0%"},
		{"Ethnic group: White", "1", "33.3%"}, {"Ethnic group: Mixed or multiple", "0", "0.0%"}, {"Ethnic group: Asian or Asian British", "1", "33.3%"}, {"Ethnic group: Black, African, Caribbean or Black British", "1", "33.3%"},
		{"Ethnic group: Other ethnic group", "0", "0.0%"}, {"Ethnic group: Not stated", "0", "0.0%"},
		{"Disability: Yes", "1", "33.3%"}, {"Disability: No", "2", "66.7%"}, {"Disability: Not stated", "0", "0.0%"},
		{"Sexual orientation: Heterosexual", "1", "33.3%"}, {"Sexual orientation: Gay or lesbian", "1", "33.3%"}, {"Sexual orientation: Bisexual", "0", "0.0%"},
		{"Sexual orientation: Other sexual orientation", "0", "0.0%"}, {"Sexual orientation: Not stated", "1", "33.3%"},
		{"Gender identity: Trans", "0", "0.0%"}, {"Gender identity: Not trans", "2", "66.7%"}, {"Gender identity: Not stated", "0", "0.0%"},
		{"Interpreter needed: Yes", "1", "33.3%"}, {"Interpreter needed: No", "2", "66.7%"}, {"Interpreter needed: Not stated", "0", "0.0%"},
	},
}

// wantCSV is a table's CSV as worked out: the page's cells without the %
// sign (the header says it) and empty where the page shows a dash.
func wantCSV(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		for j, cell := range r {
			switch {
			case i == 0 && j > 0 && isPercentColumn(rows, j):
				cell += " (%)"
			case i > 0 && cell == "–":
				cell = ""
			case i > 0:
				cell = strings.TrimSuffix(cell, "%")
			}
			out[i] = append(out[i], cell)
		}
	}
	return out
}

// isPercentColumn: a column is a percentage when any of its cells is one.
func isPercentColumn(rows [][]string, j int) bool {
	for _, r := range rows[1:] {
		if strings.HasSuffix(r[j], "%") {
			return true
		}
	}
	return false
}

const fixtureQuery = "?from=2026-01-01&to=2026-03-31"

// reportHub is a hub holding the report fixture, with its clock at the
// fixture's now, and a signed-in browser session per persona.
type reportHub struct {
	*apptest.Hub
	cookies map[string]string
	fixture reporttest.Fixture
}

func startReportHub(t *testing.T) *reportHub {
	t.Helper()
	h := apptest.Start(t, nil)
	f := reporttest.Build(t, h.App.DB)
	h.App.Web.Now = func() time.Time { return reporttest.Now }
	rh := &reportHub{Hub: h, cookies: map[string]string{}, fixture: f}
	for name, p := range map[string]identity.Principal{
		"supervisor":  {Subject: "report|supervisor", Name: "Sue Supervisor", Roles: []identity.Role{identity.Supervisor}},
		"coordinator": {Subject: "report|coordinator", Name: "Cora Coordinator", Roles: []identity.Role{identity.MARACCoordinator}},
		"officer":     {Subject: "report|officer", Name: "Oscar Officer", Roles: []identity.Role{identity.Officer}},
	} {
		token := "report-session-" + name
		now := time.Now()
		if err := h.App.DB.CreateSession(context.Background(), token, identity.Session{Principal: p, Grant: identity.Grant{Roles: p.Roles}, CSRF: "csrf-" + name, CreatedAt: now, LastSeen: now}); err != nil {
			t.Fatal(err)
		}
		rh.cookies[name] = token
	}
	return rh
}

// page gets a page as the persona's browser session would.
func (h *reportHub) page(t *testing.T, persona, path string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "__Host-hub_session", Value: h.cookies[persona]})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

var (
	rowPattern  = regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`)
	cellPattern = regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`)
	tagPattern  = regexp.MustCompile(`<[^>]+>`)
)

// pageTable reads a table of the page, by id, as text cells: the page's own
// markup, which has no nested tables.
func pageTable(t *testing.T, body, id string) [][]string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<table[^>]*id="table-` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</table>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no table %s on the page", id)
	}
	var out [][]string
	for _, row := range rowPattern.FindAllStringSubmatch(m[1], -1) {
		var cells []string
		for _, c := range cellPattern.FindAllStringSubmatch(row[1], -1) {
			cells = append(cells, strings.Join(strings.Fields(html.UnescapeString(tagPattern.ReplaceAllString(c[1], ""))), " "))
		}
		out = append(out, cells)
	}
	return out
}

// The page, every CSV and the JSON give exactly the figures worked out by
// hand; each CSV download is in the audit log.
func TestOutcomesGiveTheHandWorkedFigures(t *testing.T) {
	h := startReportHub(t)

	status, _, body := h.page(t, "supervisor", "/reports/outcomes"+fixtureQuery)
	if status != http.StatusOK {
		t.Fatalf("page: %d %s", status, body)
	}
	for _, want := range []string{"Figures for 1 January 2026 to 31 March 2026, all agencies", "Figures as they stood at 1:00pm BST on 10 April 2026", `name="from-day"`, `name="to-day"`, `value="31"`, "January 2026", `href="#contents"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	if n := strings.Count(body, `<table `); n != len(wantTables) {
		t.Errorf("%d tables on the page, want %d", n, len(wantTables))
	}
	for id, want := range wantTables {
		if got := pageTable(t, body, id); !reflect.DeepEqual(got, monthNames(want)) {
			t.Errorf("page table %s:\ngot  %q\nwant %q", id, got, want)
		}
		if !strings.Contains(body, `href="/reports/outcomes/`+id+`.csv?from=2026-01-01&amp;to=2026-03-31"`) {
			t.Errorf("no CSV link for %s", id)
		}
	}

	for id, want := range wantTables {
		status, header, body := h.page(t, "coordinator", "/reports/outcomes/"+id+".csv"+fixtureQuery)
		if status != http.StatusOK || header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			header.Get("Content-Disposition") != `attachment; filename="outcomes-`+id+`-2026-01-01-to-2026-03-31.csv"` {
			t.Fatalf("csv %s: %d %v", id, status, header)
		}
		got, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("csv %s: %v", id, err)
		}
		if !reflect.DeepEqual(got, wantCSV(want)) {
			t.Errorf("csv %s:\ngot  %q\nwant %q", id, got, wantCSV(want))
		}
	}
	exports, err := h.App.DB.AuditEntries(context.Background(), store.AuditFilter{Action: audit.Export, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]bool{}
	for _, e := range exports {
		if e.Actor == "report|coordinator" {
			recorded[e.Detail] = true
		}
	}
	for id := range wantTables {
		if !recorded["outcomes "+id+" 2026-01-01..2026-03-31"] {
			t.Errorf("the download of %s is not in the audit log: %v", id, recorded)
		}
	}

	res := h.Do(http.MethodGet, "/api/v1/reports/outcomes"+fixtureQuery, "auditor", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("json: %d %s", res.Status, res.Body)
	}
	var got, want any
	res.JSON(t, &got)
	b, _ := json.Marshal(reporttest.Want())
	json.Unmarshal(b, &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("json:\ngot  %s\nwant %s", res.Body, b)
	}
	doc := openapiDoc(t)
	for _, p := range conform(doc, map[string]any{"$ref": "#/components/schemas/OutcomeFigures"}, got, "outcomes") {
		t.Errorf("the answer departs from openapi.json: %s", p)
	}
	// The fields the API contract names, read as a partner system would.
	var contract struct {
		Period    struct{ From, To string }
		Referrals struct {
			Total     int
			ByRisk    map[string]int `json:"by_risk"`
			ByOffence map[string]int `json:"by_offence"`
		}
		Agencies []struct {
			Agency                               string
			Received, Accepted, Declined, Closed int
			WithinResponseTime                   int `json:"within_response_time"`
		}
		MARAC struct {
			Cases          int
			ActionsOpen    int `json:"actions_open"`
			ActionsOverdue int `json:"actions_overdue"`
		}
	}
	res.JSON(t, &contract)
	if c := contract; c.Period.From != "2026-01-01" || c.Period.To != "2026-03-31" || c.Referrals.Total != 8 ||
		c.Referrals.ByRisk["high"] != 3 || c.Referrals.ByRisk["standard"] != 2 || c.Referrals.ByOffence["stalking"] != 2 {
		t.Errorf("referrals %+v", c)
	}
	if as := contract.Agencies; len(as) != 3 || as[1].Agency != "housing" || as[1].Received != 5 || as[1].Accepted != 3 ||
		as[1].Declined != 1 || as[1].Closed != 2 || as[1].WithinResponseTime != 4 || as[2].WithinResponseTime != 2 {
		t.Errorf("agencies %+v", as)
	}
	if m := contract.MARAC; m.Cases != 4 || m.ActionsOpen != 2 || m.ActionsOverdue != 1 {
		t.Errorf("marac %+v", m)
	}
}

// Narrowed to one agency, the JSON and the page give the hand-worked
// figures for it.
func TestOutcomesForOneAgency(t *testing.T) {
	h := startReportHub(t)
	res := h.Do(http.MethodGet, "/api/v1/reports/outcomes"+fixtureQuery+"&agency=health", "supervisor", nil)
	var got, want any
	res.JSON(t, &got)
	b, _ := json.Marshal(reporttest.WantHealth())
	json.Unmarshal(b, &want)
	if res.Status != http.StatusOK || !reflect.DeepEqual(got, want) {
		t.Errorf("json %d:\ngot  %s\nwant %s", res.Status, res.Body, b)
	}
	status, _, body := h.page(t, "supervisor", "/reports/outcomes"+fixtureQuery+"&agency=health")
	if status != http.StatusOK || !strings.Contains(body, "Figures for 1 January 2026 to 31 March 2026, for "+healthName) {
		t.Fatalf("page: %d", status)
	}
	if got := pageTable(t, body, "referrals-by-risk"); !reflect.DeepEqual(got[len(got)-1], []string{"Total", "0", "3", "1", "4"}) {
		t.Errorf("risk totals %q", got)
	}
	if got := pageTable(t, body, "agency-responses"); len(got) != 2 || !reflect.DeepEqual(got[1], wantTables["agency-responses"][1]) {
		t.Errorf("agencies %q", got)
	}
	if !strings.Contains(body, `<option value="health" selected>`) {
		t.Error("the agency chosen is not selected in the filter")
	}
}

// Who may read the figures, and what a bad filter gets.
func TestOutcomesAccessAndFilters(t *testing.T) {
	h := startReportHub(t)
	api := "/api/v1/reports/outcomes" + fixtureQuery
	for _, c := range []struct {
		persona string
		status  int
	}{
		{"supervisor", 200}, {"coordinator", 200}, {"auditor", 200},
		{"officer", 403}, {"housing", 403}, {"admin", 403}, {"", 401},
	} {
		if res := h.Do(http.MethodGet, api, c.persona, nil); res.Status != c.status {
			t.Errorf("%q: %d, want %d", c.persona, res.Status, c.status)
		}
	}
	if status, _, _ := h.page(t, "officer", "/reports/outcomes"); status != http.StatusForbidden {
		t.Errorf("an officer opened the page: %d", status)
	}
	if status, _, _ := h.page(t, "officer", "/reports/outcomes/consent.csv"); status != http.StatusForbidden {
		t.Errorf("an officer downloaded a table: %d", status)
	}

	for _, c := range []struct{ query, field string }{
		{"?from=31/01/2026", "from"},
		{"?from=2026-02-01&to=2026-01-31", "to"},
		{"?agency=nowhere", "agency"},
		{"?agency=police", "agency"},
	} {
		res := h.Do(http.MethodGet, "/api/v1/reports/outcomes"+c.query, "supervisor", nil)
		var e struct {
			Error struct{ Fields map[string]string }
		}
		res.JSON(t, &e)
		if res.Status != http.StatusUnprocessableEntity || e.Error.Fields[c.field] == "" {
			t.Errorf("%s: %d %s", c.query, res.Status, res.Body)
		}
	}
	status, _, body := h.page(t, "supervisor", "/reports/outcomes?from-day=31&from-month=13&from-year=2026&agency=nowhere")
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "There is a problem") || !strings.Contains(body, "From must be a real date") ||
		!strings.Contains(body, `href="#from-day"`) || !strings.Contains(body, `href="#agency"`) || !strings.Contains(body, `value="13"`) ||
		strings.Contains(body, "<table") {
		t.Errorf("bad filter page: %d", status)
	}

	for _, path := range []string{"/reports/outcomes/nothing.csv", "/reports/outcomes/consent.txt", "/reports/outcomes/consent"} {
		if status, _, _ := h.page(t, "supervisor", path); status != http.StatusNotFound {
			t.Errorf("%s: %d", path, status)
		}
	}
	if status, _, _ := h.page(t, "supervisor", "/reports/outcomes/consent.csv?to=1"); status != http.StatusUnprocessableEntity {
		t.Errorf("a CSV with a bad filter: %d", status)
	}

	// With no dates, the twelve months up to the hub's today: from 1 May
	// 2025, so R0 (June 2025) and R9 (1 April 2026) count too.
	res := h.Do(http.MethodGet, "/api/v1/reports/outcomes", "supervisor", nil)
	var doc struct {
		Period    struct{ From, To string }
		Referrals struct{ Total int }
	}
	res.JSON(t, &doc)
	if doc.Period.From != "2025-05-01" || doc.Period.To != "2026-04-10" || doc.Referrals.Total != 10 {
		t.Errorf("default period %+v", doc)
	}
}

// monthNames is a table as the page shows it: months (YYYY-MM in the CSV)
// by name.
func monthNames(table [][]string) [][]string {
	out := make([][]string, len(table))
	for i, row := range table {
		out[i] = append([]string(nil), row...)
		if t, err := time.Parse("2006-01", row[0]); err == nil {
			out[i][0] = t.Format("January 2006")
		}
	}
	return out
}

// The figures are fresh: a partner's answer shows in the very next read of
// the JSON and the page, for all agencies and narrowed to the agency, with
// no cache between them and the store.
func TestOutcomesFreshAfterAChange(t *testing.T) {
	h := startReportHub(t)
	housing := func(query string) report.AgencyFigures {
		t.Helper()
		res := h.Do(http.MethodGet, "/api/v1/reports/outcomes"+fixtureQuery+query, "supervisor", nil)
		var got struct{ Agencies []report.AgencyFigures }
		res.JSON(t, &got)
		for _, a := range got.Agencies {
			if a.Agency == "housing" {
				return a
			}
		}
		t.Fatalf("no housing figures: %s", res.Body)
		return report.AgencyFigures{}
	}
	before, narrowed := housing(""), housing("&agency=housing")
	// R6's housing share is viewed and waiting.
	res := h.Do(http.MethodPost, "/api/v1/referrals/"+h.fixture.Referrals[6]+"/shares/housing/status", "housing", map[string]string{"status": "accepted"})
	if res.Status != http.StatusOK {
		t.Fatalf("accept: %d %s", res.Status, res.Body)
	}
	for _, c := range []struct {
		query string
		was   report.AgencyFigures
	}{{"", before}, {"&agency=housing", narrowed}} {
		now := housing(c.query)
		if now.Accepted != c.was.Accepted+1 || now.Awaiting != c.was.Awaiting-1 || now.Statuses["accepted"] != c.was.Statuses["accepted"]+1 ||
			now.Received != c.was.Received || now.Acceptance.Count != c.was.Acceptance.Count+1 {
			t.Errorf("agency %q: before %+v, after %+v", c.query, c.was, now)
		}
	}
	_, _, body := h.page(t, "supervisor", "/reports/outcomes"+fixtureQuery)
	if !strings.Contains(body, "every change made before then is counted") {
		t.Error("the page does not say the figures are fresh")
	}
}

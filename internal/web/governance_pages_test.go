package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/identity"
)

// personas as the pages' sessions hold them, named as the development
// provider names them so that a page session and an API token are one person.
func sessionOf(h *apptest.Hub, id string, roles ...identity.Role) identity.Principal {
	return identity.Principal{Subject: h.App.Config.Signin.Issuer + "|" + id, Name: id, Roles: roles}
}

func bodyHas(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// housingSees reads the referral through the API as housing and returns the
// categories it was shown.
func housingSees(t *testing.T, h *apptest.Hub, id string) []string {
	t.Helper()
	res := h.Do("GET", "/api/v1/referrals/"+id, "housing", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("housing read: %d %s", res.Status, res.Body)
	}
	var r released
	res.JSON(t, &r)
	return r.shown()
}

func TestConsentPage(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	token, csrf := pageSession(t, h, sessionOf(h, "officer", identity.Officer))
	path := "/referrals/" + r.ID + "/consent"

	res := browse(t, h, "GET", path, token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("consent page: %d", res.Status)
	}
	bodyHas(t, "consent page", res.Body, r.Reference, "Consent history", "Consent given", "Current",
		"A withdrawal applies to every read after it", "Northshire Council Housing Options", `name="csrf" value="`+csrf+`"`)

	// Nothing chosen: the error summary, 422, and nothing recorded.
	res = browse(t, h, "POST", path, token, url.Values{"csrf": {csrf}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty form: %d", res.Status)
	}
	bodyHas(t, "empty form", res.Body, "There is a problem", `href="#decision"`, "Choose whether consent was given")

	// Given without its scope: every missing part is named, the input kept.
	res = browse(t, h, "POST", path, token, url.Values{"csrf": {csrf}, "decision": {"given"},
		"obtained_on-day": {"31"}, "obtained_on-month": {"2"}, "obtained_on-year": {"2026"}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("given without scope: %d", res.Status)
	}
	bodyHas(t, "given without scope", res.Body, `href="#agencies"`, `href="#categories"`, `href="#method"`, `href="#review_on-day"`,
		`href="#obtained_on-day"`, "The date the person answered must be a real date", `value="31"`)

	// Not sought needs a reason.
	res = browse(t, h, "POST", path, token, url.Values{"csrf": {csrf}, "decision": {"not_sought"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Say why consent was not sought") {
		t.Fatalf("not sought without a reason: %d", res.Status)
	}

	// Without the form's token nothing happens.
	if res = browse(t, h, "POST", path, token, url.Values{"decision": {"withdrawn"}}); res.Status != http.StatusForbidden {
		t.Fatalf("no CSRF token: %d", res.Status)
	}
	if len(housingSees(t, h, r.ID)) == 0 {
		t.Fatal("housing saw nothing before the withdrawal")
	}

	today := time.Now().UTC()
	res = browse(t, h, "POST", path, token, url.Values{"csrf": {csrf}, "decision": {"withdrawn"},
		"obtained_on-day": {today.Format("2")}, "obtained_on-month": {today.Format("1")}, "obtained_on-year": {today.Format("2006")}})
	if res.Status != http.StatusSeeOther || res.Location != path+"?done=consent" {
		t.Fatalf("withdraw: %d to %q\n%s", res.Status, res.Location, res.Body)
	}
	if shown := housingSees(t, h, r.ID); len(shown) != 0 {
		t.Fatalf("after the withdrawal housing still sees %v", shown)
	}
	res = browse(t, h, "GET", path, token, nil)
	withdrawn := strings.Index(res.Body, "Consent withdrawn")
	given := strings.Index(res.Body, "Consent given")
	current := strings.Index(res.Body, ">Current<")
	if withdrawn < 0 || given < withdrawn || current < withdrawn || current > given {
		t.Errorf("the history does not show the withdrawal first and current")
	}

	// A given consent through the form is recorded and rules again.
	next := today.AddDate(0, 6, 0)
	res = browse(t, h, "POST", path, token, url.Values{"csrf": {csrf}, "decision": {"given"}, "agencies": {"housing"},
		"categories": {"identity", "safe_contact"}, "method": {"written"},
		"obtained_on-day": {today.Format("2")}, "obtained_on-month": {today.Format("1")}, "obtained_on-year": {today.Format("2006")},
		"review_on-day": {next.Format("2")}, "review_on-month": {next.Format("1")}, "review_on-year": {next.Format("2006")}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("give consent: %d\n%s", res.Status, res.Body)
	}
	if shown := housingSees(t, h, r.ID); len(shown) != 2 {
		t.Fatalf("after consent to two categories housing sees %v", shown)
	}

	// Not an officer: 403; no such referral: 404.
	other, _ := pageSession(t, h, sessionOf(h, "housing", identity.AgencyStaff))
	if res := browse(t, h, "GET", path, other, nil); res.Status != http.StatusForbidden {
		t.Errorf("agency staff on the consent page: %d", res.Status)
	}
	if res := browse(t, h, "GET", "/referrals/r-nothing/consent", token, nil); res.Status != http.StatusNotFound {
		t.Errorf("no such referral: %d", res.Status)
	}
}

var overrideLink = regexp.MustCompile(`href="/overrides/(o-[^"]+)"`)

func TestOverridePages(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	if res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/consent", "officer", map[string]any{"decision": "withdrawn", "obtained_on": time.Now().UTC().Format(time.DateOnly)}); res.Status != 201 {
		t.Fatalf("withdraw: %d", res.Status)
	}
	officerP := sessionOf(h, "officer", identity.Officer)
	token, csrf := pageSession(t, h, officerP)
	res := browse(t, h, "GET", "/referrals/"+r.ID+"/overrides/new", token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("request form: %d", res.Status)
	}
	bodyHas(t, "request form", res.Body, r.Reference, "Data Protection Act 2018, Schedule 8 — safeguarding of children and individuals at risk",
		"Crime and Disorder Act 1998, section 115", "Vital interests — risk to life", "Why is it necessary and proportionate?",
		`value="housing"`, `value="victim-support"`, `value="health"`)

	res = browse(t, h, "POST", "/referrals/"+r.ID+"/overrides", token, url.Values{"csrf": {csrf}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty request: %d", res.Status)
	}
	bodyHas(t, "empty request", res.Body, `href="#basis"`, `href="#rationale"`, `href="#agencies"`, `href="#categories"`, `href="#until-day"`)

	until := time.Now().UTC().AddDate(0, 1, 0)
	ask := url.Values{"csrf": {csrf}, "basis": {"dpa2018_sch8_safeguarding"}, "rationale": {"Risk of harm at home; housing must secure the property."},
		"agencies": {"housing"}, "categories": {"identity", "safe_contact"},
		"until-day": {until.Format("2")}, "until-month": {until.Format("1")}, "until-year": {until.Format("2006")}}
	res = browse(t, h, "POST", "/referrals/"+r.ID+"/overrides", token, ask)
	if res.Status != http.StatusSeeOther || res.Location != "/referrals/"+r.ID+"/consent?done=request#requests" {
		t.Fatalf("request: %d to %q\n%s", res.Status, res.Location, res.Body)
	}
	if shown := housingSees(t, h, r.ID); len(shown) != 0 {
		t.Fatalf("a pending request released %v", shown)
	}
	bodyHas(t, "consent page", browse(t, h, "GET", "/referrals/"+r.ID+"/consent", token, nil).Body, "Waiting for a supervisor")

	sup, supCSRF := pageSession(t, h, sessionOf(h, "supervisor", identity.Supervisor))
	res = browse(t, h, "GET", "/overrides", sup, nil)
	bodyHas(t, "pending requests", res.Body, r.Reference, "Data Protection Act 2018, Schedule 8", "Identity, Safe contact")
	m := overrideLink.FindStringSubmatch(res.Body)
	if res.Status != http.StatusOK || m == nil {
		t.Fatalf("pending requests: %d, no link to the request", res.Status)
	}
	oid := m[1]
	decide := "/overrides/" + oid + "/decision"

	// The officer who asked, though also a supervisor, cannot decide.
	both := officerP
	both.Roles = []identity.Role{identity.Officer, identity.Supervisor}
	own, ownCSRF := pageSession(t, h, both)
	bodyHas(t, "own request", browse(t, h, "GET", "/overrides/"+oid, own, nil).Body, "You asked for this yourself")
	if res := browse(t, h, "POST", decide, own, url.Values{"csrf": {ownCSRF}, "decision": {"approve"}}); res.Status != http.StatusForbidden {
		t.Fatalf("deciding one's own request: %d", res.Status)
	}

	// A sign-in older than the limit: sign in again, with the provider
	// asked to authenticate afresh, and come back to the request.
	stale := sessionOf(h, "supervisor", identity.Supervisor)
	stale.AuthTime = time.Now().Add(-time.Hour).Unix()
	old, oldCSRF := pageSession(t, h, stale)
	res = browse(t, h, "GET", "/overrides/"+oid, old, nil)
	bodyHas(t, "stale sign-in", res.Body, "Sign in again to decide", "within the last 15 minutes")
	if strings.Contains(res.Body, `action="`+decide+`"`) {
		t.Error("a stale sign-in is offered the decision form")
	}
	res = browse(t, h, "POST", decide, old, url.Values{"csrf": {oldCSRF}, "decision": {"approve"}})
	want := "/signin?prompt=login&return_to=%2Foverrides%2F" + oid
	if res.Status != http.StatusSeeOther || res.Location != want {
		t.Fatalf("stale decision: %d to %q, want %q", res.Status, res.Location, want)
	}
	res = browse(t, h, "GET", res.Location, "", nil)
	to, err := url.Parse(res.Location)
	if err != nil || res.Status != http.StatusSeeOther || to.Query().Get("prompt") != "login" || to.Query().Get("max_age") != "0" ||
		!strings.HasPrefix(res.Location, h.App.Config.Signin.Issuer) {
		t.Fatalf("sign in again led to %d %q", res.Status, res.Location)
	}
	if shown := housingSees(t, h, r.ID); len(shown) != 0 {
		t.Fatalf("a refused stale decision released %v", shown)
	}

	// Refusing needs a note; approving works and releases.
	res = browse(t, h, "POST", decide, sup, url.Values{"csrf": {supCSRF}, "decision": {"refuse"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Say why the request is refused") {
		t.Fatalf("refuse without a note: %d", res.Status)
	}
	res = browse(t, h, "POST", decide, sup, url.Values{"csrf": {supCSRF}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Choose whether to approve or refuse") {
		t.Fatalf("no decision: %d", res.Status)
	}
	res = browse(t, h, "POST", decide, sup, url.Values{"csrf": {supCSRF}, "decision": {"approve"}, "note": {"Proportionate."}})
	if res.Status != http.StatusSeeOther || res.Location != "/overrides/"+oid {
		t.Fatalf("approve: %d to %q\n%s", res.Status, res.Location, res.Body)
	}
	bodyHas(t, "decided request", browse(t, h, "GET", "/overrides/"+oid, sup, nil).Body, "Approved", "Proportionate.", "has been decided")
	if shown := housingSees(t, h, r.ID); len(shown) != 2 {
		t.Fatalf("after approval housing sees %v, want identity and safe contact", shown)
	}
	if res := browse(t, h, "POST", decide, sup, url.Values{"csrf": {supCSRF}, "decision": {"approve"}}); res.Status != http.StatusConflict {
		t.Fatalf("deciding twice: %d", res.Status)
	}
	bodyHas(t, "no more pending", browse(t, h, "GET", "/overrides", sup, nil).Body, "No request is waiting for a decision")
	if res := browse(t, h, "GET", "/overrides/o-nothing", sup, nil); res.Status != http.StatusNotFound {
		t.Fatalf("no such request: %d", res.Status)
	}
}

var tableDataRow = regexp.MustCompile(`<tr class="govuk-table__row">\s*<td`)

func TestAuditPages(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	for range 3 {
		housingSees(t, h, r.ID)
	}
	auditorP := sessionOf(h, "auditor", identity.Auditor)
	token, _ := pageSession(t, h, auditorP)

	res := browse(t, h, "GET", "/audit", token, nil)
	if res.Status != http.StatusOK || strings.Contains(res.Body, "<table") {
		t.Fatalf("the audit page before a search: %d, table shown: %v", res.Status, strings.Contains(res.Body, "<table"))
	}
	res = browse(t, h, "GET", "/audit?referral="+strings.ToLower(r.Reference)+"&actor=", token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("search by reference: %d\n%s", res.Status, res.Body)
	}
	bodyHas(t, "search by reference", res.Body, "Read the record", "Raised and sent the referral", "Northshire Council Housing Options",
		"Identity", "Consent of the person", "consent", r.Reference)
	// The creation, the officer's read of it as created, housing's share
	// moving to viewed on its first read, and three reads by housing.
	if n := len(tableDataRow.FindAllString(res.Body, -1)); n != 6 {
		t.Errorf("%d rows for the referral, want 6", n)
	}

	var log struct {
		Entries []struct{ Action, Actor, Record string }
	}
	h.Do("GET", "/api/v1/audit?referral="+r.ID, "auditor", nil).JSON(t, &log)
	reads := 0
	for _, e := range log.Entries {
		if e.Action == "audit_read" && e.Actor == auditorP.Subject && e.Record == r.ID {
			reads++
		}
	}
	if reads != 1 {
		t.Errorf("the page's search is recorded %d times, want once", reads)
	}

	for _, c := range []struct{ query, field, message string }{
		{"referral=SH-1999-000001", "referral", "There is no referral with this reference"},
		{"from-day=31&from-month=2&from-year=2026", "from-day", "The start date must be a real date"},
		{"to-day=1&to-month=&to-year=2026", "to-day", "The end date must include a month"},
		{"from-day=2&from-month=1&from-year=2026&to-day=1&to-month=1&to-year=2026", "to-day", "The end date must be the same as or after the start date"},
	} {
		res := browse(t, h, "GET", "/audit?"+c.query, token, nil)
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `href="#`+c.field+`"`) || !strings.Contains(res.Body, c.message) {
			t.Errorf("%s: %d, want 422 naming %s", c.query, res.Status, c.field)
		}
	}

	// Dates are whole days: today, up to and including today, finds today's entries.
	today := time.Now().UTC()
	day := url.Values{"actor": {sessionOf(h, "housing").Subject}, "from-day": {today.Format("2")}, "from-month": {today.Format("1")}, "from-year": {today.Format("2006")},
		"to-day": {today.Format("2")}, "to-month": {today.Format("1")}, "to-year": {today.Format("2006")}}
	if n := len(tableDataRow.FindAllString(browse(t, h, "GET", "/audit?"+day.Encode(), token, nil).Body, -1)); n != 4 {
		t.Errorf("housing's entries today: %d rows, want 4 (viewed, three reads)", n)
	}

	// Paging: more entries than a page, then the next page and back to the first.
	for range 50 {
		housingSees(t, h, r.ID)
	}
	first := browse(t, h, "GET", "/audit?referral="+r.ID, token, nil)
	if n := len(tableDataRow.FindAllString(first.Body, -1)); n != 50 || !strings.Contains(first.Body, "Next page") || strings.Contains(first.Body, "First page") {
		t.Fatalf("first page: %d rows", n)
	}
	next := regexp.MustCompile(`href="(/audit\?[^"]*cursor=[^"]+)" rel="next"`).FindStringSubmatch(first.Body)
	if next == nil {
		t.Fatal("no link to the next page")
	}
	second := browse(t, h, "GET", strings.ReplaceAll(next[1], "&amp;", "&"), token, nil)
	// The referral's entries: its creation, the officer's read, housing's
	// viewed and 53 reads, and the three readings of its audit trail (the
	// search by reference, the API's, the first page's): 59, so 9 on page two.
	if n := len(tableDataRow.FindAllString(second.Body, -1)); second.Status != 200 || n != 9 || !strings.Contains(second.Body, "First page") || strings.Contains(second.Body, "Next page") {
		t.Fatalf("second page: %d, %d rows", second.Status, n)
	}
}

func TestReferralAuditPage(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	housingSees(t, h, r.ID)
	path := "/referrals/" + r.ID + "/audit"
	for _, c := range []struct {
		who  identity.Principal
		want int
	}{
		{sessionOf(h, "officer", identity.Officer), http.StatusOK},
		{sessionOf(h, "supervisor", identity.Supervisor), http.StatusOK},
		{sessionOf(h, "auditor", identity.Auditor), http.StatusOK},
		{sessionOf(h, "officer2", identity.Officer), http.StatusNotFound},
		{sessionOf(h, "housing", identity.AgencyStaff), http.StatusForbidden},
	} {
		token, _ := pageSession(t, h, c.who)
		res := browse(t, h, "GET", path, token, nil)
		if res.Status != c.want {
			t.Errorf("%s: %d, want %d", c.who.Name, res.Status, c.want)
			continue
		}
		if c.want != http.StatusOK {
			continue
		}
		bodyHas(t, c.who.Name+"'s view", res.Body, "Who has seen this person's data", r.Reference, "Reads", "Other actions on the record",
			"Northshire Council Housing Options", "Raised and sent the referral", "consent")
		reads, others, _ := strings.Cut(res.Body, "Other actions on the record")
		if n := len(tableDataRow.FindAllString(reads, -1)); n != 2 {
			t.Errorf("%s: %d reads, want the officer's and housing's", c.who.Name, n)
		}
		if !strings.Contains(others, "Raised and sent the referral") || strings.Contains(others, "Read the record") {
			t.Errorf("%s: other actions mixed with reads", c.who.Name)
		}
	}
	if res := browse(t, h, "GET", "/referrals/r-nothing/audit", func() string { tok, _ := pageSession(t, h, sessionOf(h, "auditor", identity.Auditor)); return tok }(), nil); res.Status != http.StatusNotFound {
		t.Errorf("no such referral: %d", res.Status)
	}
}

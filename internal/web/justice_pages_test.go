package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/identity"
)

// dateForm is a date as the GOV.UK date input posts it.
func dateForm(v url.Values, name string, d time.Time) {
	v.Set(name+"-day", d.Format("2"))
	v.Set(name+"-month", d.Format("1"))
	v.Set(name+"-year", d.Format("2006"))
}

// The officer's forms: each re-renders with its errors named and nothing
// saved, and on success the referral page shows the result; housing sees
// the order beside safe contact, before anything else it reads.
func TestJusticePages(t *testing.T) {
	h := startPagesHub(t)
	id := h.referral("medium", 48*time.Hour)
	today := time.Now().UTC()

	h.expect(h.do(http.MethodGet, "/referrals/"+id+"/orders/new", "officer", nil), 200, "Record an order or bail", "Stalking Protection Order")
	if a := h.do(http.MethodGet, "/referrals/"+id+"/orders/new", "housing", nil); a.status != http.StatusForbidden {
		t.Fatalf("housing opens the order form: %d", a.status)
	}
	bad := h.do(http.MethodPost, "/referrals/"+id+"/orders/new", "officer", url.Values{"conditions": {"Must not enter Orchard Road"}})
	h.expect(bad, http.StatusUnprocessableEntity, "There is a problem", `href="#kind"`, `href="#starts_on-day"`, "Must not enter Orchard Road")
	if strings.Contains(h.do(http.MethodGet, "/referrals/"+id, "officer", nil).body, "data-breaches") {
		t.Fatal("a refused form saved an order")
	}

	form := url.Values{"kind": {"stalking_protection_order"}, "conditions": {"Must not enter Orchard Road"}, "court": {"Northshire Magistrates"}}
	dateForm(form, "starts_on", today.AddDate(0, 0, -10))
	dateForm(form, "ends_on", today.AddDate(0, 0, 20))
	a := h.do(http.MethodPost, "/referrals/"+id+"/orders/new", "officer", form)
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/referrals/"+id) {
		t.Fatalf("order form: %d %q %s", a.status, a.location, a.body)
	}
	page := h.do(http.MethodGet, a.location, "officer", nil)
	h.expect(page, 200, "Order recorded.", "Stalking Protection Order", "Must not enter Orchard Road", "Record a breach", "20 days left")
	orderID := regexp.MustCompile(`/orders/(o-[0-9a-f]+)/breach`).FindStringSubmatch(page.body)[1]

	housing := h.do(http.MethodGet, "/referrals/"+id, "housing", nil)
	h.expect(housing, 200, "Orders and bail", "Must not enter Orchard Road")
	if strings.Index(housing.body, "Orchard Road") > strings.Index(housing.body, `id="your-answer"`) || strings.Index(housing.body, "Safe contact") > strings.Index(housing.body, "Orchard Road") {
		t.Errorf("housing does not see the order between safe contact and its answer: %d %d %d", strings.Index(housing.body, "Safe contact"), strings.Index(housing.body, "Orchard Road"), strings.Index(housing.body, `id="your-answer"`))
	}
	if strings.Contains(housing.body, "Record a breach") || strings.Contains(housing.body, "The victim&#39;s journey") {
		t.Error("housing is offered the officer's forms")
	}
	if a := h.do(http.MethodGet, "/referrals/"+id, "victim-support", nil); strings.Contains(a.body, "Orchard Road") {
		t.Error("victim support, without identity, sees the order")
	}

	breach := url.Values{"summary": {"Seen on Orchard Road"}}
	h.expect(h.do(http.MethodPost, "/orders/"+orderID+"/breach", "officer", breach), http.StatusUnprocessableEntity, `href="#occurred_on-day"`, "Enter the date of the breach")
	dateForm(breach, "occurred_on", today.AddDate(0, 0, -1))
	a = h.do(http.MethodPost, "/orders/"+orderID+"/breach", "officer", breach)
	if a.status != http.StatusSeeOther {
		t.Fatalf("breach: %d %s", a.status, a.body)
	}
	page = h.do(http.MethodGet, a.location, "officer", nil)
	h.expect(page, 200, "Breach recorded.", "Raise a referral for the breach", `<dd class="govuk-summary-list__value" data-breaches>1</dd>`, "Order breached")
	a = h.do(http.MethodPost, "/orders/"+orderID+"/breach-referral", "officer", url.Values{})
	if a.status != http.StatusSeeOther || !regexp.MustCompile(`^/referrals/new/d-[0-9a-f]+/offence$`).MatchString(a.location) {
		t.Fatalf("breach referral: %d %q", a.status, a.location)
	}
	h.expect(h.do(http.MethodGet, a.location, "officer", nil), 200, "Breach of a restraining order or Stalking Protection Order", "Breach of the Stalking Protection Order recorded on referral SH-")
	bd, err := h.db.Draft(context.Background(), pagePeople["officer"].Subject, strings.TrimSuffix(strings.TrimPrefix(a.location, "/referrals/new/"), "/offence"))
	if err != nil || bd.Submission.LinkedTo != id || bd.Submission.Victim.Name != "Ysolde Brackenridge" || len(bd.Submission.Agencies) != 2 {
		t.Fatalf("the breach's draft: %+v (%v)", bd.Submission, err)
	}

	h.expect(h.do(http.MethodGet, "/orders", "officer", nil), 200, `href="/referrals/`+id+`#orders"`, "Stalking Protection Order", ">20<")
	h.expect(h.do(http.MethodGet, "/", "officer", nil), 200, "Orders and bail ending", "1 ending")
	if a := h.do(http.MethodGet, "/orders", "officer2", nil); strings.Contains(a.body, id) {
		t.Error("another officer's list shows this referral's order")
	}

	change := url.Values{"action": {"extend"}, "reason": {"Extended by the court"}}
	dateForm(change, "ends_on", today.AddDate(0, 0, 200))
	if a := h.do(http.MethodPost, "/orders/"+orderID+"/change", "officer", change); a.status != http.StatusSeeOther {
		t.Fatalf("extend: %d %s", a.status, a.body)
	}
	if strings.Contains(h.do(http.MethodGet, "/referrals/"+id, "officer", nil).body, "days left") {
		t.Error("an extended order still shows days left")
	}

	upd := url.Values{"event": {"charge"}}
	dateForm(upd, "event_on", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	if a := h.do(http.MethodPost, "/referrals/"+id+"/victim-updates/new", "officer", upd); a.status != http.StatusSeeOther {
		t.Fatalf("update: %d %s", a.status, a.body)
	}
	page = h.do(http.MethodGet, "/referrals/"+id, "officer", nil)
	h.expect(page, 200, "Suspect charged", "30 November 2026", "Overdue", "Enhanced: told within one working day")
	h.expect(h.do(http.MethodGet, "/victim-updates", "supervisor", nil), 200, "Suspect charged", "Overdue")
	h.expect(h.do(http.MethodGet, "/referrals", "supervisor", nil), 200, "1 Victims' Code update is overdue", `href="/victim-updates"`)
	h.expect(h.do(http.MethodGet, "/", "supervisor", nil), 200, "Victims&#39; Code updates overdue", "1 overdue")
	h.expect(h.do(http.MethodGet, "/orders", "officer", nil), 200, "Orders and bail ending")

	updateID := regexp.MustCompile(`/victim-updates/(v-[0-9a-f]+)/told`).FindStringSubmatch(page.body)[1]
	// The referral's safe contact is by text: the form offers it first.
	h.expect(h.do(http.MethodGet, "/victim-updates/"+updateID+"/told", "officer", nil), 200, `value="text" checked`)
	told := url.Values{"method": {"text"}}
	dateForm(told, "told_on", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if a := h.do(http.MethodPost, "/victim-updates/"+updateID+"/told", "officer", told); a.status != http.StatusSeeOther {
		t.Fatalf("told: %d %s", a.status, a.body)
	}
	h.expect(h.do(http.MethodGet, "/victim-updates", "supervisor", nil), 200, "Nothing is overdue.")

	out := url.Values{"outcome": {"charged"}}
	h.expect(h.do(http.MethodPost, "/referrals/"+id+"/outcome", "officer", out), http.StatusUnprocessableEntity, `href="#decided_on-day"`)
	dateForm(out, "decided_on", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if a := h.do(http.MethodPost, "/referrals/"+id+"/outcome", "officer", out); a.status != http.StatusSeeOther {
		t.Fatalf("outcome: %d %s", a.status, a.body)
	}
	h.expect(h.do(http.MethodGet, "/referrals/"+id, "officer", nil), 200, "Charged or summonsed, 1 December 2026")

	h.expect(h.do(http.MethodPost, "/referrals/"+id+"/victim-code", "officer", url.Values{}), http.StatusUnprocessableEntity, `href="#enhanced"`)
	if a := h.do(http.MethodPost, "/referrals/"+id+"/victim-code", "officer", url.Values{"enhanced": {"no"}}); a.status != http.StatusSeeOther {
		t.Fatalf("rights: %d %s", a.status, a.body)
	}
	h.expect(h.do(http.MethodGet, "/referrals/"+id, "officer", nil), 200, "Standard: told within five working days", "Recorded by the officer")
}

// A MARAC case whose orders end before its meeting is flagged on the
// agenda for every participant, without showing the orders.
func TestProtectionLapsesBeforeTheMeeting(t *testing.T) {
	h := maracHub(t)
	r := createReferral(t, h, maracHighRiskReferral("housing", "idva"))
	kept := createReferral(t, h, maracHighRiskReferral("housing", "idva"))
	addOrder(t, h, r.ID, spo(5))
	addOrder(t, h, kept.ID, spo(5))
	addOrder(t, h, kept.ID, spo(60))
	var m struct{ ID string }
	h.Do("POST", "/api/v1/marac/meetings", "coordinator", map[string]any{"date": maracDay(14), "panel": "north"}).JSON(t, &m)
	for _, id := range []string{r.ID, kept.ID} {
		if res := h.Do("POST", "/api/v1/marac/meetings/"+m.ID+"/cases", "coordinator", map[string]any{"referral": id, "criterion": "visible_high_risk"}); res.Status != http.StatusCreated {
			t.Fatalf("listing: %d %s", res.Status, res.Body)
		}
	}
	token, _ := pageSession(t, h, sessionOf(h, "coordinator", identity.MARACCoordinator))
	page := browse(t, h, "GET", "/marac/meetings/"+m.ID, token, nil)
	if page.Status != http.StatusOK {
		t.Fatalf("meeting page: %d", page.Status)
	}
	if n := strings.Count(page.Body, "Protection lapses before this meeting"); n != 1 || strings.Contains(page.Body, "Orchard Road") {
		t.Fatalf("%d flags on the agenda, want 1 (the case whose only order ends first); or the orders show", n)
	}
	row := page.Body[strings.Index(page.Body, r.Reference):]
	if i := strings.Index(row, "</tr>"); !strings.Contains(row[:i], "Protection lapses") {
		t.Error("the flag is not on the case whose protection lapses")
	}
}

// The Victims' Code and the outcome are the force's: an agency's timeline
// shows the orders' events, not those.
func TestJusticeTimelineForAgencies(t *testing.T) {
	h := startPagesHub(t)
	id := h.referral("medium", 48*time.Hour)
	upd := url.Values{"event": {"arrest"}}
	dateForm(upd, "event_on", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	form := url.Values{"kind": {"bail_pre_charge"}, "conditions": {"No contact"}}
	dateForm(form, "starts_on", time.Now().UTC().AddDate(0, 0, -1))
	out := url.Values{"outcome": {"cautioned"}}
	dateForm(out, "decided_on", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	for path, f := range map[string]url.Values{"/victim-updates/new": upd, "/orders/new": form, "/outcome": out} {
		if a := h.do(http.MethodPost, "/referrals/"+id+path, "officer", f); a.status != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", path, a.status, a.body)
		}
	}
	h.expect(h.do(http.MethodGet, "/referrals/"+id, "officer", nil), 200, "Victim update owed", "Outcome recorded", "Order recorded")
	housing := h.do(http.MethodGet, "/referrals/"+id, "housing", nil)
	h.expect(housing, 200, "Order recorded")
	if strings.Contains(housing.body, "Victim update owed") || strings.Contains(housing.body, "Outcome recorded") {
		t.Error("housing's timeline shows the force's Victims' Code or outcome events")
	}
}

// The referral page lists the further suspects and the others at risk.
func TestPeopleAtRiskOnThePage(t *testing.T) {
	h := maracHub(t)
	body := exampleReferral()
	body["suspects"] = []any{map[string]any{"name": "Second Suspectson", "relationship": "acquaintance", "orders": "bail: no contact"}}
	body["others_at_risk"] = []any{map[string]any{"name": "Nell Newpartner", "relationship": "new_partner"}}
	r := createReferral(t, h, body)
	token, _ := pageSession(t, h, sessionOf(h, "officer", identity.Officer))
	page := browse(t, h, "GET", "/referrals/"+r.ID, token, nil)
	for _, want := range []string{"Other suspect 1", "Second Suspectson", "Acquaintance", "bail: no contact", "Also at risk 1", "Nell Newpartner", "New partner"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// The referral form asks the victim's rights and, with the victim's
// agreement, the equality details; a draft keeps them, and answers given
// without agreement are dropped.
func TestFormAsksRightsAndEquality(t *testing.T) {
	h := startPagesHub(t)
	a := h.do(http.MethodPost, "/referrals/new", "officer", url.Values{"victim.name": {"Ysolde Brackenridge"}, "victim.safe_contact.method": {"text"}, "action": {"continue"}})
	draft := strings.TrimSuffix(a.location, "/contact")
	draftID := strings.TrimPrefix(draft, "/referrals/new/")
	h.expect(h.do(http.MethodGet, draft+"/needs", "officer", nil), 200, "Equality details (optional)", "Enhanced rights", "Ethnic group")
	a = h.do(http.MethodPost, draft+"/needs", "officer", url.Values{"victim_code.enhanced": {"no"}, "equality.agreed": {"yes"},
		"equality.sex": {"female"}, "equality.age_band": {"35_44"}, "action": {"continue"}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("needs: %d %s", a.status, a.body)
	}
	d, err := h.db.Draft(context.Background(), pagePeople["officer"].Subject, draftID)
	if err != nil {
		t.Fatal(err)
	}
	if e := d.Submission.Equality; e == nil || !e.Agreed || e.Sex != "female" || e.AgeBand != "35_44" || d.Submission.VictimCode == nil || *d.Submission.VictimCode.Enhanced {
		t.Fatalf("the draft holds %+v %+v", d.Submission.Equality, d.Submission.VictimCode)
	}
	h.expect(h.do(http.MethodGet, draft+"/needs", "officer", nil), 200, `value="female" selected`, `value="no" checked`)
	h.do(http.MethodPost, draft+"/needs", "officer", url.Values{"equality.agreed": {"no"}, "equality.sex": {"male"}, "action": {"continue"}})
	if d, _ := h.db.Draft(context.Background(), pagePeople["officer"].Subject, draftID); d.Submission.Equality != nil || d.Submission.VictimCode != nil {
		t.Fatalf("answers without agreement kept: %+v %+v", d.Submission.Equality, d.Submission.VictimCode)
	}
}

// The form takes further suspects and others at risk, names a missing
// name, and keeps them in the draft.
func TestFormAsksOtherPeople(t *testing.T) {
	h := startPagesHub(t)
	a := h.do(http.MethodPost, "/referrals/new", "officer", url.Values{"victim.name": {"Ysolde Brackenridge"}, "victim.safe_contact.method": {"text"}, "action": {"continue"}})
	draft := strings.TrimSuffix(a.location, "/contact")
	draftID := strings.TrimPrefix(draft, "/referrals/new/")
	h.expect(h.do(http.MethodGet, draft+"/risk", "officer", nil), 200, "Others at risk (optional)", "Person at risk 1: name")
	bad := h.do(http.MethodPost, draft+"/risk", "officer", url.Values{"risk.level": {"high"}, "others_at_risk[0].relationship": {"new_partner"}, "action": {"continue"}})
	h.expect(bad, http.StatusUnprocessableEntity, `href="#others_at_risk-0-name"`)
	a = h.do(http.MethodPost, draft+"/risk", "officer", url.Values{"risk.level": {"high"}, "others_at_risk[0].relationship": {"new_partner"},
		"others_at_risk[0].name": {"Nell Newpartner"}, "action": {"continue"}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("risk: %d %s", a.status, a.body)
	}
	a = h.do(http.MethodPost, draft+"/suspect", "officer", url.Values{"suspect.name": {"Sid Suspectson"}, "suspects[1].name": {"Second Suspectson"},
		"suspects[1].relationship": {"acquaintance"}, "action": {"continue"}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("suspect: %d %s", a.status, a.body)
	}
	d, err := h.db.Draft(context.Background(), pagePeople["officer"].Subject, draftID)
	if err != nil {
		t.Fatal(err)
	}
	s := d.Submission
	if len(s.OthersAtRisk) != 1 || s.OthersAtRisk[0].Name != "Nell Newpartner" || len(s.Suspects) != 1 || s.Suspects[0].Relationship != "acquaintance" {
		t.Fatalf("the draft holds %+v and %+v", s.OthersAtRisk, s.Suspects)
	}
	h.expect(h.do(http.MethodGet, draft+"/suspect", "officer", nil), 200, `value="Second Suspectson"`)
	h.expect(h.do(http.MethodGet, draft+"/check", "officer", nil), 200, "Nell Newpartner", "Second Suspectson")
}

// The officer's forms whose path names an order or an update, not the
// referral, are closed as the referral's own routes are once it is
// restricted: another officer gets a 404 and changes nothing, while the
// raising officer still can.
func TestJusticeFormsClosedByRestriction(t *testing.T) {
	h := startPagesHub(t)
	id := h.referral("medium", 48*time.Hour)
	today := time.Now().UTC()
	form := url.Values{"kind": {"stalking_protection_order"}, "conditions": {"Must not enter Orchard Road"}}
	dateForm(form, "starts_on", today.AddDate(0, 0, -10))
	if a := h.do(http.MethodPost, "/referrals/"+id+"/orders/new", "officer", form); a.status != http.StatusSeeOther {
		t.Fatalf("order form: %d %s", a.status, a.body)
	}
	page := h.do(http.MethodGet, "/referrals/"+id, "officer", nil)
	orderID := regexp.MustCompile(`/orders/(o-[0-9a-f]+)/breach`).FindStringSubmatch(page.body)[1]
	if a := h.do(http.MethodPost, "/referrals/"+id+"/restriction", "officer", url.Values{"restricted": {"yes"}}); a.status != http.StatusSeeOther {
		t.Fatalf("restricting: %d %s", a.status, a.body)
	}
	// Each post takes a fresh form: the helper adds the poster's CSRF token.
	change := func() url.Values {
		return url.Values{"action": {"vary"}, "conditions": {"Must not enter Elm Street"}, "reason": {"Varied"}}
	}
	breach := url.Values{"summary": {"Seen on Orchard Road"}}
	dateForm(breach, "occurred_on", today.AddDate(0, 0, -1))
	for _, path := range []string{"/orders/" + orderID + "/change", "/orders/" + orderID + "/breach"} {
		if a := h.do(http.MethodGet, path, "officer2", nil); a.status != http.StatusNotFound {
			t.Errorf("another officer opens %s: %d", path, a.status)
		}
	}
	if a := h.do(http.MethodPost, "/orders/"+orderID+"/change", "officer2", change()); a.status != http.StatusNotFound {
		t.Errorf("another officer varies the order: %d", a.status)
	}
	if a := h.do(http.MethodPost, "/orders/"+orderID+"/breach", "officer2", breach); a.status != http.StatusNotFound {
		t.Errorf("another officer records a breach: %d", a.status)
	}
	page = h.do(http.MethodGet, "/referrals/"+id, "officer", nil)
	if strings.Contains(page.body, "Elm Street") || strings.Contains(page.body, "Order breached") {
		t.Fatal("a closed form changed the order")
	}
	if a := h.do(http.MethodPost, "/orders/"+orderID+"/change", "officer", change()); a.status != http.StatusSeeOther {
		t.Fatalf("the raising officer varies the order: %d %s", a.status, a.body)
	}
	h.expect(h.do(http.MethodGet, "/referrals/"+id, "officer", nil), 200, "Must not enter Elm Street")
}

package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/store"
)

// day is today moved by n days, as the API writes dates.
func day(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format(time.DateOnly) }

type orderOut struct {
	Referral string `json:"referral"`
	ETag     string `json:"etag"`
	Order    struct {
		ID         string `json:"id"`
		Kind       string `json:"kind"`
		Status     string `json:"status"`
		Conditions string `json:"conditions"`
		EndsOn     string `json:"ends_on"`
		Breaches   int    `json:"breaches"`
		History    []struct{ Change, Reason string }
	} `json:"order"`
}

func spo(endsIn int) map[string]any {
	return map[string]any{"kind": "stalking_protection_order", "conditions": "Must not enter Orchard Road; must not contact the victim",
		"starts_on": day(-30), "ends_on": day(endsIn), "court": "Northshire Magistrates' Court", "reference": "SPO/26/0042"}
}

func addOrder(t *testing.T, h *apptest.Hub, referralID string, body any) orderOut {
	t.Helper()
	res := h.Do("POST", "/api/v1/referrals/"+referralID+"/orders", "officer", body)
	if res.Status != http.StatusCreated {
		t.Fatalf("add order: %d %s", res.Status, res.Body)
	}
	var o orderOut
	res.JSON(t, &o)
	if o.Order.ID == "" || res.Header.Get("ETag") == "" {
		t.Fatalf("201 without an id or ETag: %s", res.Body)
	}
	return o
}

type ordersSection []struct {
	ID, Kind, Status, Conditions string
	EndsOn                       string `json:"ends_on"`
}

func readOrders(t *testing.T, h *apptest.Hub, referralID, persona string) (ordersSection, bool) {
	t.Helper()
	res := h.Do("GET", "/api/v1/referrals/"+referralID, persona, nil)
	if res.Status != 200 {
		t.Fatalf("%s reads: %d", persona, res.Status)
	}
	var r released
	res.JSON(t, &r)
	raw, ok := r.Sections["orders"]
	if !ok {
		return nil, false
	}
	var os ordersSection
	if err := json.Unmarshal(raw, &os); err != nil {
		t.Fatal(err)
	}
	return os, true
}

// The orders register: who may record an order, who sees it, and every
// kind of bad input named.
func TestOrdersAPI(t *testing.T) {
	h := apptest.Start(t, nil)
	body := exampleReferral()
	// Consent lets housing see who the victim is; Victim Support, sent the
	// referral too, has no consent and so may not see identity.
	body["consent"].(map[string]any)["agencies"] = []string{"housing"}
	r := createReferral(t, h, body)

	if res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/orders", "housing", spo(200)); res.Status != http.StatusForbidden {
		t.Fatalf("agency staff creating an order: %d", res.Status)
	}
	if res := h.Do("POST", "/api/v1/referrals/r-missing/orders", "officer", spo(200)); res.Status != http.StatusNotFound {
		t.Fatalf("order on a missing referral: %d", res.Status)
	}
	for _, tc := range []struct {
		name  string
		edit  func(map[string]any)
		field string
	}{
		{"unknown kind", func(m map[string]any) { m["kind"] = "asbo" }, "kind"},
		{"no conditions", func(m map[string]any) { m["conditions"] = " " }, "conditions"},
		{"no start", func(m map[string]any) { delete(m, "starts_on") }, "starts_on"},
		{"bad end date", func(m map[string]any) { m["ends_on"] = "31/12/2026" }, "ends_on"},
		{"ends before it starts", func(m map[string]any) { m["ends_on"] = day(-40) }, "ends_on"},
		{"unknown field", func(m map[string]any) { m["colour"] = "red" }, "colour"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := spo(200)
			tc.edit(b)
			res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/orders", "officer", b)
			var e struct {
				Error struct{ Fields map[string]string }
			}
			res.JSON(t, &e)
			if res.Status != 422 || e.Error.Fields[tc.field] == "" {
				t.Fatalf("%d %s, want 422 naming %s", res.Status, res.Body, tc.field)
			}
		})
	}
	o := addOrder(t, h, r.ID, spo(200))
	if o.Order.Status != "active" || o.Order.Kind != "stalking_protection_order" || o.Referral != r.ID {
		t.Fatalf("created %+v", o)
	}

	got, ok := readOrders(t, h, r.ID, "housing")
	if !ok || len(got) != 1 || got[0].Status != "active" || got[0].EndsOn != day(200) || !strings.Contains(got[0].Conditions, "Orchard Road") {
		t.Fatalf("housing sees orders %+v (%v)", got, ok)
	}
	if got, ok := readOrders(t, h, r.ID, "victim-support"); ok {
		t.Fatalf("an agency that may not see identity sees orders: %+v", got)
	}
	res := h.Do("GET", "/api/v1/referrals/"+r.ID, "victim-support", nil)
	if strings.Contains(string(res.Body), "Orchard Road") || !strings.Contains(string(res.Body), `"category":"orders"`) {
		t.Fatalf("victim support's read: %s", res.Body)
	}
	if res := h.Do("GET", "/api/v1/orders/"+o.Order.ID, "housing", nil); res.Status != http.StatusForbidden {
		t.Fatalf("agency staff reading the register: %d", res.Status)
	}
	// The supervisor's read of the order is a release of its referral, in the audit log.
	releases := func() int {
		var audit struct{ Entries []map[string]any }
		h.Do("GET", "/api/v1/referrals/"+r.ID+"/audit", "auditor", nil).JSON(t, &audit)
		n := 0
		for _, e := range audit.Entries {
			if e["action"] == "release" && strings.Contains(fmt.Sprint(e["actor"]), "supervisor") {
				n++
			}
		}
		return n
	}
	n := releases()
	if res := h.Do("GET", "/api/v1/orders/"+o.Order.ID, "supervisor", nil); res.Status != 200 || !strings.Contains(string(res.Body), "Orchard Road") {
		t.Fatalf("the supervisor reads the order: %d", res.Status)
	}
	if got := releases(); got != n+1 {
		t.Errorf("reading an order: %d releases to the supervisor in the audit log, then %d", n, got)
	}
}

// Vary, extend and discharge: If-Match required and checked, a reason
// always, history kept, a discharged order final.
func TestOrderChanges(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	o := addOrder(t, h, r.ID, spo(20))
	path := "/api/v1/orders/" + o.Order.ID
	extend := map[string]any{"action": "extend", "ends_on": day(400), "reason": "Court extended the order for a year"}

	if res := h.Do("PATCH", path, "officer", extend); res.Status != http.StatusPreconditionRequired {
		t.Fatalf("without If-Match: %d", res.Status)
	}
	if res := h.Do("PATCH", path, "officer", extend, "If-Match", `"7"`); res.Status != http.StatusPreconditionFailed {
		t.Fatalf("stale If-Match: %d", res.Status)
	}
	if res := h.Do("PATCH", path, "housing", extend, "If-Match", o.ETag); res.Status != http.StatusForbidden {
		t.Fatalf("agency staff changing an order: %d", res.Status)
	}
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no reason", map[string]any{"action": "extend", "ends_on": day(400)}, "reason"},
		{"unknown action", map[string]any{"action": "revoke", "reason": "x"}, "action"},
		{"extend without a date", map[string]any{"action": "extend", "reason": "x"}, "ends_on"},
		{"an extension that shortens", map[string]any{"action": "extend", "ends_on": day(10), "reason": "x"}, "ends_on"},
		{"discharge in the future", map[string]any{"action": "discharge", "discharged_on": day(3), "reason": "x"}, "discharged_on"},
		{"vary with nothing", map[string]any{"action": "vary", "reason": "x"}, "conditions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := h.Do("PATCH", path, "officer", tc.body, "If-Match", o.ETag)
			var e struct {
				Error struct{ Fields map[string]string }
			}
			res.JSON(t, &e)
			if res.Status != 422 || e.Error.Fields[tc.field] == "" {
				t.Fatalf("%d %s, want 422 naming %s", res.Status, res.Body, tc.field)
			}
		})
	}
	res := h.Do("PATCH", path, "officer", extend, "If-Match", o.ETag)
	var ext orderOut
	res.JSON(t, &ext)
	if res.Status != 200 || ext.Order.EndsOn != day(400) || res.Header.Get("ETag") == o.ETag || len(ext.Order.History) != 2 ||
		ext.Order.History[1].Change != "extended" || ext.Order.History[1].Reason != "Court extended the order for a year" {
		t.Fatalf("extend: %d %s", res.Status, res.Body)
	}
	vary := map[string]any{"action": "vary", "conditions": "Must not enter Orchard Road or Elm Street", "reason": "Victim moved"}
	res = h.Do("PATCH", path, "officer", vary, "If-Match", res.Header.Get("ETag"))
	var varied orderOut
	res.JSON(t, &varied)
	if res.Status != 200 || !strings.Contains(varied.Order.Conditions, "Elm Street") {
		t.Fatalf("vary: %d %s", res.Status, res.Body)
	}
	res = h.Do("PATCH", path, "officer", map[string]any{"action": "discharge", "reason": "Discharged on appeal"}, "If-Match", res.Header.Get("ETag"))
	var gone orderOut
	res.JSON(t, &gone)
	if res.Status != 200 || gone.Order.Status != "discharged" || len(gone.Order.History) != 4 {
		t.Fatalf("discharge: %d %s", res.Status, res.Body)
	}
	if res := h.Do("PATCH", path, "officer", vary, "If-Match", res.Header.Get("ETag")); res.Status != http.StatusConflict {
		t.Fatalf("changing a discharged order: %d", res.Status)
	}
	if got, _ := readOrders(t, h, r.ID, "officer"); len(got) != 1 || got[0].Status != "discharged" {
		t.Fatalf("the referral lists %+v", got)
	}
}

// A breach is an incident: the count and last date move, the timeline
// shows it, the receiving agencies are told, and the officer is offered a
// new referral for the breach.
func TestBreach(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	o := addOrder(t, h, r.ID, spo(200))
	path := "/api/v1/orders/" + o.Order.ID + "/breaches"
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no date", map[string]any{"summary": "seen on Orchard Road"}, "occurred_on"},
		{"future", map[string]any{"occurred_on": day(2), "summary": "x"}, "occurred_on"},
		{"before the order", map[string]any{"occurred_on": day(-60), "summary": "x"}, "occurred_on"},
		{"no summary", map[string]any{"occurred_on": day(-1)}, "summary"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := h.Do("POST", path, "officer", tc.body)
			var e struct {
				Error struct{ Fields map[string]string }
			}
			res.JSON(t, &e)
			if res.Status != 422 || e.Error.Fields[tc.field] == "" {
				t.Fatalf("%d %s, want 422 naming %s", res.Status, res.Body, tc.field)
			}
		})
	}
	if res := h.Do("POST", path, "housing", map[string]any{"occurred_on": day(-1), "summary": "x"}); res.Status != http.StatusForbidden {
		t.Fatalf("agency staff recording a breach: %d", res.Status)
	}
	res := h.Do("POST", path, "officer", map[string]any{"occurred_on": day(-1), "summary": "Seen on Orchard Road at 9pm"})
	var b struct {
		ID        string
		Incidents struct {
			Count int
			Last  string
		}
		NewReferral struct {
			Offence string
			Form    string
		} `json:"new_referral"`
	}
	res.JSON(t, &b)
	if res.Status != 201 || b.ID == "" || b.Incidents.Count != 7 || b.Incidents.Last != day(-1) ||
		b.NewReferral.Offence != "breach_of_order" || !strings.Contains(b.NewReferral.Form, o.Order.ID) || !strings.Contains(b.NewReferral.Form, r.ID) {
		t.Fatalf("breach: %d %s", res.Status, res.Body)
	}
	got := h.Do("GET", "/api/v1/referrals/"+r.ID, "officer", nil)
	var rr released
	got.JSON(t, &rr)
	var offence struct{ Incidents struct{ Count int } }
	json.Unmarshal(rr.Sections["offence"], &offence)
	if offence.Incidents.Count != 7 || !strings.Contains(string(rr.Sections["offence"]), "followed to work twice") {
		t.Fatalf("offence section after the breach: %s", rr.Sections["offence"])
	}
	if os, _ := readOrders(t, h, r.ID, "officer"); len(os) != 1 {
		t.Fatalf("orders %+v", os)
	}
	// The referral for the breach, linked to the pattern it continues; a
	// referral about someone else cannot be named.
	nb := exampleReferral()
	nb["offence"], nb["linked_to"] = "breach_of_order", r.ID
	breachRef := createReferral(t, h, nb)
	pattern, err := h.App.DB.LinkedView(context.Background(), breachRef.ID)
	if err != nil || len(pattern.Referrals) != 2 {
		t.Fatalf("the breach's referral is linked to %+v (%v)", pattern.Referrals, err)
	}
	other := exampleReferral()
	other["victim"].(map[string]any)["name"], other["suspect"] = "Someone Else", map[string]any{"name": "Another Person"}
	other["linked_to"] = r.ID
	if res := h.Do("POST", "/api/v1/referrals", "officer", other); res.Status != 422 || !strings.Contains(string(res.Body), `"linked_to"`) {
		t.Fatalf("linked to a referral of other people: %d %s", res.Status, res.Body)
	}
	events, err := h.App.DB.Events(context.Background(), r.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(events, func(e referral.Event) bool { return e.Kind == "order_breached" }) {
		t.Fatalf("no breach on the timeline: %+v", events)
	}
	sent, err := h.App.DB.Outbox(context.Background(), store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var told []string
	for _, n := range sent {
		if n.Kind == notify.OrderBreached {
			told = append(told, n.To)
			if strings.Contains(n.To+n.Link, "Orchard") {
				t.Fatal("personal data in a notice")
			}
		}
	}
	if len(told) != 2 {
		t.Fatalf("breach notices went to %v, want housing and Victim Support", told)
	}
}

// Orders ending: the officer's list, a supervisor's whole team, and the
// notices 28 and 7 days before, each once.
func TestOrdersEnding(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	soon := addOrder(t, h, r.ID, spo(10))
	addOrder(t, h, r.ID, spo(40))
	bail := spo(5)
	bail["kind"] = "bail_pre_charge"
	addOrder(t, h, r.ID, bail)

	list := func(persona, q string) []string {
		res := h.Do("GET", "/api/v1/orders"+q, persona, nil)
		if res.Status != 200 {
			t.Fatalf("%s list: %d %s", persona, res.Status, res.Body)
		}
		var out struct {
			Orders []struct {
				ID, Kind string
				DaysLeft int `json:"days_left"`
			}
		}
		res.JSON(t, &out)
		var kinds []string
		for _, o := range out.Orders {
			kinds = append(kinds, o.Kind+":"+itoa(o.DaysLeft))
		}
		return kinds
	}
	if got := list("officer", "?ending_within=28d"); !slices.Equal(got, []string{"bail_pre_charge:5", "stalking_protection_order:10"}) {
		t.Fatalf("officer's orders ending: %v", got)
	}
	if got := list("supervisor", "?ending_within=7d"); !slices.Equal(got, []string{"bail_pre_charge:5"}) {
		t.Fatalf("supervisor's orders ending in a week: %v", got)
	}
	if got := list("officer2", "?ending_within=28d"); len(got) != 0 {
		t.Fatalf("another officer sees %v", got)
	}
	if res := h.Do("GET", "/api/v1/orders?ending_within=a-month", "officer", nil); res.Status != 422 {
		t.Fatalf("bad ending_within: %d", res.Status)
	}
	if res := h.Do("GET", "/api/v1/orders?ending_within=28d", "housing", nil); res.Status != 403 {
		t.Fatalf("agency staff: %d", res.Status)
	}
	_ = soon
	ctx := context.Background()
	n, err := h.App.DB.NoteOrdersEnding(ctx, time.Now())
	if err != nil || n != 2 {
		t.Fatalf("first sweep noted %d (%v), want the two orders ending within 28 days", n, err)
	}
	if n, _ := h.App.DB.NoteOrdersEnding(ctx, time.Now()); n != 0 {
		t.Fatalf("second sweep noted %d again", n)
	}
	// Three days on, the SPO is within seven days: its last notice is owed.
	if n, _ := h.App.DB.NoteOrdersEnding(ctx, time.Now().AddDate(0, 0, 3)); n != 1 {
		t.Fatalf("the seven-day notice: %d", n)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// Victims' Code updates: due dates by the victim's rights, overdue for the
// officer and the supervisor's team, told with how; the outcome.
func TestVictimUpdatesAndOutcome(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral()) // stalking: enhanced by default
	var rr struct {
		VictimCode struct {
			Enhanced bool
			Reason   string
		} `json:"victim_code"`
	}
	h.Do("GET", "/api/v1/referrals/"+r.ID, "officer", nil).JSON(t, &rr)
	if !rr.VictimCode.Enhanced || rr.VictimCode.Reason == "" {
		t.Fatalf("a stalking victim's rights: %+v", rr.VictimCode)
	}
	if res := h.Do("GET", "/api/v1/referrals/"+r.ID, "housing", nil); strings.Contains(string(res.Body), "victim_code") {
		t.Fatal("an agency sees the Victims' Code record")
	}
	harassment := exampleReferral()
	harassment["offence"] = "harassment"
	h2 := createReferral(t, h, harassment)
	explicit := exampleReferral()
	explicit["victim_code"] = map[string]any{"enhanced": false}
	h.Do("GET", "/api/v1/referrals/"+createReferral(t, h, explicit).ID, "officer", nil).JSON(t, &rr)
	if rr.VictimCode.Enhanced {
		t.Fatal("the officer's no was not kept")
	}

	add := func(id, event, on string) map[string]any {
		res := h.Do("POST", "/api/v1/referrals/"+id+"/victim-updates", "officer", map[string]any{"event": event, "event_on": on})
		var u map[string]any
		res.JSON(t, &u)
		if res.Status != 201 || u["id"] == "" {
			t.Fatalf("add update: %d %s", res.Status, res.Body)
		}
		return u
	}
	charge := add(r.ID, "charge", "2026-11-27") // a Friday
	if charge["due_by"] != "2026-11-30" || charge["overdue"] != true {
		t.Fatalf("enhanced, Friday: %v", charge)
	}
	if u := add(h2.ID, "arrest", "2025-12-19"); u["due_by"] != "2025-12-30" {
		t.Fatalf("standard, over Christmas 2025: %v", u)
	}
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unknown event", map[string]any{"event": "lunch", "event_on": "2026-11-27"}, "event"},
		{"no date", map[string]any{"event": "charge"}, "event_on"},
		{"future", map[string]any{"event": "charge", "event_on": day(5)}, "event_on"},
	} {
		res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/victim-updates", "officer", tc.body)
		var e struct {
			Error struct{ Fields map[string]string }
		}
		res.JSON(t, &e)
		if res.Status != 422 || e.Error.Fields[tc.field] == "" {
			t.Fatalf("%s: %d %s", tc.name, res.Status, res.Body)
		}
	}
	if res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/victim-updates", "housing", map[string]any{"event": "charge", "event_on": "2026-11-27"}); res.Status != 403 {
		t.Fatalf("agency staff: %d", res.Status)
	}

	overdue := func(persona string) int {
		res := h.Do("GET", "/api/v1/victim-updates?overdue=true", persona, nil)
		var out struct {
			VictimUpdates []map[string]any `json:"victim_updates"`
		}
		res.JSON(t, &out)
		if res.Status != 200 {
			t.Fatalf("%s: %d", persona, res.Status)
		}
		return len(out.VictimUpdates)
	}
	if overdue("officer") != 2 || overdue("supervisor") != 2 || overdue("officer2") != 0 {
		t.Fatalf("overdue: officer %d, supervisor %d, officer2 %d", overdue("officer"), overdue("supervisor"), overdue("officer2"))
	}
	path := "/api/v1/victim-updates/" + charge["id"].(string)
	if res := h.Do("PATCH", path, "officer", map[string]any{"told_on": "2026-12-01", "method": "pigeon"}); res.Status != 422 || !strings.Contains(string(res.Body), `"method"`) {
		t.Fatalf("bad method: %d %s", res.Status, res.Body)
	}
	res := h.Do("PATCH", path, "officer", map[string]any{"told_on": "2026-12-01", "method": "phone", "note": "Told by phone in her safe time"})
	var told map[string]any
	res.JSON(t, &told)
	if res.Status != 200 || told["told_on"] != "2026-12-01" || told["overdue"] != false {
		t.Fatalf("told: %d %s", res.Status, res.Body)
	}
	if overdue("officer") != 1 {
		t.Fatal("a told update is still overdue")
	}
	var list struct {
		VictimUpdates []map[string]any `json:"victim_updates"`
	}
	h.Do("GET", "/api/v1/referrals/"+r.ID+"/victim-updates", "officer", nil).JSON(t, &list)
	if len(list.VictimUpdates) != 1 || list.VictimUpdates[0]["method"] != "phone" {
		t.Fatalf("the referral's updates: %+v", list)
	}

	if res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/outcome", "officer", map[string]any{"outcome": "acquitted", "decided_on": "2026-12-01"}); res.Status != 422 {
		t.Fatalf("bad outcome: %d", res.Status)
	}
	if res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/outcome", "officer", map[string]any{"outcome": "charged", "decided_on": "2026-12-01"}); res.Status != 201 {
		t.Fatalf("outcome: %d %s", res.Status, res.Body)
	}
	var withOutcome struct {
		Outcome   string
		DecidedOn string `json:"decided_on"`
	}
	h.Do("GET", "/api/v1/referrals/"+r.ID, "officer", nil).JSON(t, &withOutcome)
	if withOutcome.Outcome != "charged" || withOutcome.DecidedOn != "2026-12-01" {
		t.Fatalf("outcome on the referral: %+v", withOutcome)
	}
}

// Several suspects, others at risk and the victim's equality details: the
// first two travel in the suspect and risk categories, the last in none.
func TestPeopleAtRiskAndEquality(t *testing.T) {
	h := apptest.Start(t, nil)
	body := exampleReferral()
	body["suspects"] = []any{map[string]any{"name": "Second Suspectson", "relationship": "acquaintance"}}
	body["others_at_risk"] = []any{map[string]any{"name": "Nell Newpartner", "relationship": "new_partner", "notes": "followed from work"}}
	body["equality"] = map[string]any{"agreed": true, "sex": "female", "age_band": "35_44", "ethnicity": "not_stated", "interpreter": "no"}
	r := createReferral(t, h, body)
	var officer struct {
		Sections struct {
			Suspect struct {
				Name     string
				Suspects []struct{ Name string }
			}
			Risk struct {
				OthersAtRisk []struct{ Name, Relationship string } `json:"others_at_risk"`
			}
		}
	}
	res := h.Do("GET", "/api/v1/referrals/"+r.ID, "officer", nil)
	res.JSON(t, &officer)
	if officer.Sections.Suspect.Name != "Sid Suspectson" || len(officer.Sections.Suspect.Suspects) != 1 || officer.Sections.Suspect.Suspects[0].Name != "Second Suspectson" ||
		len(officer.Sections.Risk.OthersAtRisk) != 1 || officer.Sections.Risk.OthersAtRisk[0].Relationship != "new_partner" {
		t.Fatalf("the officer reads %s", res.Body)
	}
	housing := h.Do("GET", "/api/v1/referrals/"+r.ID, "housing", nil)
	if !strings.Contains(string(housing.Body), "Nell Newpartner") || strings.Contains(string(housing.Body), "Second Suspectson") {
		t.Fatalf("housing (risk, not suspect) reads %s", housing.Body)
	}
	for _, b := range [][]byte{res.Body, housing.Body} {
		if strings.Contains(string(b), "age_band") || strings.Contains(string(b), "35_44") {
			t.Fatal("equality details are released")
		}
	}
	for _, tc := range []struct {
		name  string
		edit  func(map[string]any)
		field string
	}{
		{"equality without agreement", func(m map[string]any) { m["equality"] = map[string]any{"sex": "female"} }, "equality.agreed"},
		{"an unknown answer", func(m map[string]any) { m["equality"] = map[string]any{"agreed": true, "sex": "robot"} }, "equality.sex"},
		{"someone at risk without a relationship", func(m map[string]any) { m["others_at_risk"] = []any{map[string]any{"name": "X"}} }, "others_at_risk[0].relationship"},
		{"a second suspect with a bad date", func(m map[string]any) { m["suspects"] = []any{map[string]any{"name": "Y", "date_of_birth": "1/1/80"}} }, "suspects[0].date_of_birth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := exampleReferral()
			tc.edit(b)
			res := h.Do("POST", "/api/v1/referrals", "officer", b)
			var e struct {
				Error struct{ Fields map[string]string }
			}
			res.JSON(t, &e)
			if res.Status != 422 || e.Error.Fields[tc.field] == "" {
				t.Fatalf("%d %s, want 422 naming %s", res.Status, res.Body, tc.field)
			}
		})
	}
}

package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/app/apptest"
)

// exampleReferral is the body of ../shared/api.md "A referral as created",
// at medium risk so that only consent (not the high-risk rules) opens it.
func exampleReferral() map[string]any {
	var m map[string]any
	json.Unmarshal([]byte(`{
  "crime_reference": "MP/26/001234",
  "offence": "stalking_fear_alarm_distress",
  "summary": "Repeated unwanted contact since March; followed to work twice.",
  "incidents": {"count": 6, "first": "2026-03-02", "last": "2026-11-20"},
  "aggravating_factors": [{"factor": "domestic_abuse"}, {"factor": "hate_crime", "strand": "disability"}],
  "risk": {"tool": "dash", "score": 9, "level": "medium", "assessed_on": "2026-11-21"},
  "victim": {
    "name": "Rowena Testperson", "date_of_birth": "1990-04-02", "address": "14 Example Row", "phone": "07700900123", "email": "rowena@example.com",
    "safe_contact": {"method": "phone", "times": "weekdays 10-12", "instructions": "do not leave voicemail"},
    "health": "anxiety, on medication", "needs": "wants help to move", "views": "does not want the suspect told"
  },
  "suspect": {"name": "Sid Suspectson", "date_of_birth": "1985-09-30", "relationship": "ex_partner", "address": "2 Other Road", "orders": "bail: no contact"},
  "children": [{"name": "Kit Testperson", "date_of_birth": "2018-06-01", "school": "Hill Primary", "lives_with_victim": true}],
  "agencies": [{"agency": "housing", "request": "assess for sanctuary scheme"}, {"agency": "victim-support", "request": "ISVA support"}],
  "consent": {"decision": "given", "agencies": ["housing", "victim-support"], "categories": ["identity", "contact", "safe_contact", "needs", "risk"], "method": "verbal", "obtained_on": "2026-11-21", "review_on": "2027-05-21"}
}`), &m)
	return m
}

type released struct {
	ID        string                     `json:"id"`
	Reference string                     `json:"reference"`
	Sections  map[string]json.RawMessage `json:"sections"`
	Withheld  []struct{ Category, Reason string }
	Shares    []struct {
		Agency, Status, ETag, Request string
		Overdue                       bool
	}
}

func (r released) shown() []string {
	var out []string
	for c := range r.Sections {
		out = append(out, c)
	}
	return out
}

func (r released) has(c string) bool { _, ok := r.Sections[c]; return ok }

func createReferral(t *testing.T, h *apptest.Hub, body any) released {
	t.Helper()
	res := h.Do("POST", "/api/v1/referrals", "officer", body)
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var r released
	res.JSON(t, &r)
	return r
}

func TestCreateAndReadAsOfficer(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	if !regexp.MustCompile(`^SH-\d{4}-\d{6}$`).MatchString(r.Reference) || r.ID == "" {
		t.Fatalf("reference %q id %q", r.Reference, r.ID)
	}
	if len(r.Sections) != 9 || len(r.Withheld) != 0 {
		t.Fatalf("the officer sees %v, withheld %v", r.shown(), r.Withheld)
	}
	if len(r.Shares) != 2 || r.Shares[0].Status != "sent" {
		t.Fatalf("shares %+v", r.Shares)
	}
	got := h.Do("GET", "/api/v1/referrals/"+r.ID, "officer", nil)
	if got.Status != 200 || !strings.Contains(string(got.Body), "Rowena Testperson") {
		t.Fatalf("officer read: %d", got.Status)
	}
}

// A referral keeps several hate-crime strands and other safe-contact
// methods as sent: the officer reads them back, and a partner sees the other
// methods inside safe contact, released as safe contact is.
func TestSeveralStrandsAndSafeContactMethods(t *testing.T) {
	h := apptest.Start(t, nil)
	body := exampleReferral()
	body["aggravating_factors"] = []any{map[string]any{"factor": "hate_crime", "strand": "disability"},
		map[string]any{"factor": "domestic_abuse"}, map[string]any{"factor": "hate_crime", "strand": "race"}}
	body["victim"].(map[string]any)["safe_contact"].(map[string]any)["other_methods"] = []any{"text", "letter"}
	r := createReferral(t, h, body)
	var off struct {
		Sections struct {
			Offence struct {
				AggravatingFactors []struct{ Factor, Strand string } `json:"aggravating_factors"`
			}
			SafeContact struct {
				Method       string
				OtherMethods []string `json:"other_methods"`
			} `json:"safe_contact"`
		}
	}
	for _, persona := range []string{"officer", "housing"} {
		res := h.Do("GET", "/api/v1/referrals/"+r.ID, persona, nil)
		if res.Status != 200 {
			t.Fatalf("%s read: %d", persona, res.Status)
		}
		res.JSON(t, &off)
		if sc := off.Sections.SafeContact; sc.Method != "phone" || strings.Join(sc.OtherMethods, ",") != "text,letter" {
			t.Fatalf("%s sees safe contact %+v", persona, sc)
		}
	}
	var strands []string
	for _, f := range off.Sections.Offence.AggravatingFactors {
		if f.Factor == "hate_crime" {
			strands = append(strands, f.Strand)
		}
	}
	if strings.Join(strands, ",") != "disability,race" {
		t.Fatalf("strands read back %v", strands)
	}
}

// Each required field of ../shared/api.md, and each kind of bad input, gives
// 422 naming the field.
func TestCreateRefusesBadInput(t *testing.T) {
	h := apptest.Start(t, nil)
	del := func(path ...string) func(map[string]any) {
		return func(m map[string]any) {
			for _, p := range path[:len(path)-1] {
				m = m[p].(map[string]any)
			}
			delete(m, path[len(path)-1])
		}
	}
	set := func(v any, path ...string) func(map[string]any) {
		return func(m map[string]any) {
			for _, p := range path[:len(path)-1] {
				m = m[p].(map[string]any)
			}
			m[path[len(path)-1]] = v
		}
	}
	cases := []struct {
		name  string
		edit  func(map[string]any)
		field string
	}{
		{"offence missing", del("offence"), "offence"},
		{"summary missing", del("summary"), "summary"},
		{"risk level missing", del("risk", "level"), "risk.level"},
		{"victim name missing", del("victim", "name"), "victim.name"},
		{"safe contact method missing", del("victim", "safe_contact", "method"), "victim.safe_contact.method"},
		{"agencies missing", del("agencies"), "agencies"},
		{"consent decision missing", del("consent", "decision"), "consent.decision"},
		{"unknown field", set("blue", "victim", "eye_colour"), "eye_colour"},
		{"bad enum", set("burglary", "offence"), "offence"},
		{"future date", set("2099-01-01", "risk", "assessed_on"), "risk.assessed_on"},
		{"unknown agency", set([]any{map[string]any{"agency": "mi5"}}, "agencies"), "agencies[0].agency"},
		{"police as recipient", set([]any{map[string]any{"agency": "police"}}, "agencies"), "agencies[0].agency"},
		{"agency twice", set([]any{map[string]any{"agency": "housing"}, map[string]any{"agency": "housing"}}, "agencies"), "agencies[1].agency"},
		{"dash 15 recorded as medium", set(map[string]any{"tool": "dash", "score": 15, "level": "medium"}, "risk"), "risk.level"},
		{"dash 14 recorded as standard", set(map[string]any{"tool": "dash", "score": 14, "level": "standard"}, "risk"), "risk.level"},
		{"strand twice", set([]any{map[string]any{"factor": "hate_crime", "strand": "race"}, map[string]any{"factor": "hate_crime", "strand": "race"}}, "aggravating_factors"), "aggravating_factors[1].strand"},
		{"second hate crime without strand", set([]any{map[string]any{"factor": "hate_crime", "strand": "race"}, map[string]any{"factor": "hate_crime"}}, "aggravating_factors"), "aggravating_factors[1].strand"},
		{"other method repeats method", set([]any{"text", "phone"}, "victim", "safe_contact", "other_methods"), "victim.safe_contact.other_methods"},
		{"other method twice", set([]any{"text", "text"}, "victim", "safe_contact", "other_methods"), "victim.safe_contact.other_methods"},
		{"other method unknown", set([]any{"pigeon"}, "victim", "safe_contact", "other_methods"), "victim.safe_contact.other_methods"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := exampleReferral()
			c.edit(body)
			res := h.Do("POST", "/api/v1/referrals", "officer", body)
			var e struct {
				Error struct {
					Code   string
					Fields map[string]string
				}
			}
			res.JSON(t, &e)
			if res.Status != 422 || e.Error.Fields[c.field] == "" {
				t.Fatalf("%d %s: want 422 naming %s", res.Status, res.Body, c.field)
			}
		})
	}
	if res := h.Do("POST", "/api/v1/referrals", "officer", `{"offence": `); res.Status != 400 {
		t.Fatalf("malformed JSON: %d", res.Status)
	}
	if res := h.Do("GET", "/api/v1/referrals", "officer", nil); !strings.Contains(string(res.Body), `"referrals":[]`) {
		t.Fatalf("something was half-saved: %s", res.Body)
	}
	if res := h.Do("POST", "/api/v1/referrals", "housing", exampleReferral()); res.Status != 403 {
		t.Fatalf("agency staff creating a referral: %d", res.Status)
	}
}

func TestIdempotencyKey(t *testing.T) {
	h := apptest.Start(t, nil)
	body := exampleReferral()
	first := h.Do("POST", "/api/v1/referrals", "officer", body, "Idempotency-Key", "abc-1")
	again := h.Do("POST", "/api/v1/referrals", "officer", body, "Idempotency-Key", "abc-1")
	var a, b released
	first.JSON(t, &a)
	again.JSON(t, &b)
	if first.Status != 201 || again.Status != 200 || a.ID != b.ID {
		t.Fatalf("repeat: %d %d %s %s", first.Status, again.Status, a.ID, b.ID)
	}
	body["summary"] = "Something else."
	if clash := h.Do("POST", "/api/v1/referrals", "officer", body, "Idempotency-Key", "abc-1"); clash.Status != 409 {
		t.Fatalf("same key, other body: %d", clash.Status)
	}
}

func status(h *apptest.Hub, id, agency, persona string, body map[string]any, headers ...string) apptest.Response {
	return h.Do("POST", "/api/v1/referrals/"+id+"/shares/"+agency+"/status", persona, body, headers...)
}

func TestShareTransitionsAndIfMatch(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	steps := []struct {
		name string
		body map[string]any
		want int
	}{
		{"close before accepting", map[string]any{"status": "closed", "outcome": "x"}, 409},
		{"in progress before accepting", map[string]any{"status": "in_progress"}, 409},
		{"decline without reason", map[string]any{"status": "declined"}, 422},
		{"unknown status", map[string]any{"status": "lost"}, 422},
		{"unknown field", map[string]any{"status": "accepted", "mood": "happy"}, 422},
		{"accept", map[string]any{"status": "accepted"}, 200},
		{"accept again", map[string]any{"status": "accepted"}, 409},
		{"decline after accepting", map[string]any{"status": "declined", "reason": "x"}, 409},
		{"start work", map[string]any{"status": "in_progress"}, 200},
		{"close without outcome", map[string]any{"status": "closed"}, 422},
		{"close", map[string]any{"status": "closed", "outcome": "Sanctuary measures fitted"}, 200},
		{"reopen", map[string]any{"status": "accepted"}, 409},
	}
	for _, s := range steps {
		if res := status(h, r.ID, "housing", "housing", s.body); res.Status != s.want {
			t.Fatalf("%s: %d %s, want %d", s.name, res.Status, res.Body, s.want)
		}
	}
	// victim-support declines, with If-Match.
	got := h.Do("GET", "/api/v1/referrals/"+r.ID, "victim-support", nil)
	etag := got.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if res := status(h, r.ID, "victim-support", "victim-support", map[string]any{"status": "declined", "reason": "Out of area"}, "If-Match", `"999"`); res.Status != 412 {
		t.Fatalf("stale If-Match: %d", res.Status)
	}
	if res := status(h, r.ID, "victim-support", "victim-support", map[string]any{"status": "declined", "reason": "Out of area"}, "If-Match", etag); res.Status != 200 {
		t.Fatalf("fresh If-Match: %d %s", res.Status, res.Body)
	}
	if res := status(h, r.ID, "victim-support", "housing", map[string]any{"status": "accepted"}); res.Status != 404 {
		t.Fatalf("housing answering for victim-support: %d", res.Status)
	}
	var police released
	h.Do("GET", "/api/v1/referrals/"+r.ID, "officer", nil).JSON(t, &police)
	statuses := map[string]string{}
	for _, s := range police.Shares {
		statuses[s.Agency] = s.Status
	}
	if statuses["housing"] != "closed" || statuses["victim-support"] != "declined" {
		t.Fatalf("the officer sees %v", statuses)
	}
}

func TestInboxIsolation(t *testing.T) {
	h := apptest.Start(t, nil)
	toHousing := createReferral(t, h, exampleReferral())
	body := exampleReferral()
	body["agencies"] = []any{map[string]any{"agency": "health", "request": "GP review"}}
	toHealth := createReferral(t, h, body)

	var inbox struct{ Referrals []struct{ ID string } }
	h.Do("GET", "/api/v1/referrals", "health", nil).JSON(t, &inbox)
	if len(inbox.Referrals) != 1 || inbox.Referrals[0].ID != toHealth.ID {
		t.Fatalf("health's inbox: %+v", inbox.Referrals)
	}
	if res := h.Do("GET", "/api/v1/referrals/"+toHousing.ID, "health", nil); res.Status != 404 {
		t.Fatalf("health reading housing's referral: %d", res.Status)
	}
	missing := h.Do("GET", "/api/v1/referrals/r-doesnotexist", "health", nil)
	hidden := h.Do("GET", "/api/v1/referrals/"+toHousing.ID, "probation", nil)
	var a, b struct {
		Error struct{ Code, Message string }
	}
	missing.JSON(t, &a)
	hidden.JSON(t, &b)
	if missing.Status != 404 || hidden.Status != 404 || a.Error != b.Error {
		t.Fatalf("a hidden referral can be told from a missing one: %s / %s", missing.Body, hidden.Body)
	}
	for _, f := range []string{"?status=sent", "?risk=medium", "?overdue=false"} {
		var in struct{ Referrals []struct{ ID string } }
		h.Do("GET", "/api/v1/referrals"+f, "housing", nil).JSON(t, &in)
		if len(in.Referrals) != 1 || in.Referrals[0].ID != toHousing.ID {
			t.Fatalf("housing inbox %s: %+v", f, in.Referrals)
		}
	}
	if res := h.Do("GET", "/api/v1/referrals?risk=extreme", "housing", nil); res.Status != 422 {
		t.Fatalf("bad filter: %d", res.Status)
	}
}

// The promise of the consent and sharing issue, through the API.
func TestConsentWithdrawalAndOverride(t *testing.T) {
	h := apptest.Start(t, nil)
	body := exampleReferral()
	body["consent"].(map[string]any)["categories"] = []any{"identity", "contact", "safe_contact", "needs"}
	r := createReferral(t, h, body)
	read := func() released {
		t.Helper()
		res := h.Do("GET", "/api/v1/referrals/"+r.ID, "housing", nil)
		if res.Status != 200 {
			t.Fatalf("housing read: %d %s", res.Status, res.Body)
		}
		var v released
		res.JSON(t, &v)
		if strings.Contains(string(res.Body), "anxiety") {
			t.Fatal("health content reached housing")
		}
		return v
	}

	first := read()
	for _, c := range []string{"identity", "contact", "safe_contact", "needs"} {
		if !first.has(c) {
			t.Fatalf("consented %s withheld: %v", c, first.shown())
		}
	}
	if first.has("health") || len(first.Sections) != 4 {
		t.Fatalf("housing sees %v", first.shown())
	}

	res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/consent", "officer", map[string]any{"decision": "withdrawn", "obtained_on": "2026-11-22"})
	if res.Status != 201 {
		t.Fatalf("withdraw: %d %s", res.Status, res.Body)
	}
	if after := read(); len(after.Sections) != 0 {
		t.Fatalf("after withdrawal housing still sees %v", after.shown())
	}

	res = h.Do("POST", "/api/v1/referrals/"+r.ID+"/overrides", "officer", map[string]any{
		"basis": "dpa2018_sch8_safeguarding", "rationale": "Victim at risk of harm at home; housing must secure the property.",
		"agencies": []string{"housing"}, "categories": []string{"identity", "safe_contact"}, "until": "2027-02-01"})
	if res.Status != 201 {
		t.Fatalf("override request: %d %s", res.Status, res.Body)
	}
	var o struct{ ID string }
	res.JSON(t, &o)
	if pending := read(); len(pending.Sections) != 0 {
		t.Fatalf("a pending request released %v", pending.shown())
	}
	if res := h.Do("POST", "/api/v1/overrides/"+o.ID+"/decision", "officer", map[string]any{"approve": true}); res.Status != 403 {
		t.Fatalf("an officer approved: %d", res.Status)
	}
	if res := h.Do("POST", "/api/v1/overrides/"+o.ID+"/decision", "supervisor", map[string]any{"approve": true, "note": "Proportionate"}); res.Status != 200 {
		t.Fatalf("approve: %d %s", res.Status, res.Body)
	}
	approved := read()
	if !approved.has("identity") || !approved.has("safe_contact") || len(approved.Sections) != 2 {
		t.Fatalf("after the override housing sees %v", approved.shown())
	}

	var log struct {
		Entries []struct {
			Action      string
			ActorAgency string `json:"actor_agency"`
		}
	}
	res = h.Do("GET", "/api/v1/referrals/"+r.ID+"/audit", "auditor", nil)
	res.JSON(t, &log)
	reads := 0
	for _, e := range log.Entries {
		if e.Action == "release" && e.ActorAgency == "housing" {
			reads++
		}
	}
	if reads != 4 {
		t.Fatalf("the audit lists %d housing reads, want 4: %s", reads, res.Body)
	}
	if res := h.Do("GET", "/api/v1/referrals/"+r.ID+"/audit", "housing", nil); res.Status != 403 {
		t.Fatalf("housing reading the audit: %d", res.Status)
	}
}

// Codes for a decline's reason and a close's outcome: optional, from their
// list, only with their status, and shown with the share to every reader
// of it (the free text only to those entitled to it).
func TestShareCodes(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	type shareAnswer struct {
		Status, Reason, Outcome string
		ReasonCode              string `json:"reason_code"`
		OutcomeCode             string `json:"outcome_code"`
		Error                   struct {
			Code   string
			Fields map[string]string
		}
	}
	steps := []struct {
		name, agency string
		body         map[string]any
		want         int
		field        string // the field a 422 must name
		code         string // the code the answer must carry
	}{
		{"an unknown reason code", "victim-support", map[string]any{"status": "declined", "reason": "x", "reason_code": "busy"}, 422, "reason_code", ""},
		{"an outcome's code as the reason", "victim-support", map[string]any{"status": "declined", "reason": "x", "reason_code": "referred_on"}, 422, "reason_code", ""},
		{"a reason code on an acceptance", "housing", map[string]any{"status": "accepted", "reason_code": "out_of_area"}, 422, "reason_code", ""},
		{"an outcome code on a decline", "victim-support", map[string]any{"status": "declined", "reason": "x", "outcome_code": "other"}, 422, "outcome_code", ""},
		{"a code without words", "victim-support", map[string]any{"status": "declined", "reason_code": "no_capacity"}, 422, "reason", ""},
		{"a coded decline", "victim-support", map[string]any{"status": "declined", "reason": "Our caseworkers are full until March", "reason_code": "no_capacity"}, 200, "", "no_capacity"},
		{"accept", "housing", map[string]any{"status": "accepted"}, 200, "", ""},
		{"an unknown outcome code", "housing", map[string]any{"status": "closed", "outcome": "x", "outcome_code": "done"}, 422, "outcome_code", ""},
		{"a reason code on a close", "housing", map[string]any{"status": "closed", "outcome": "x", "outcome_code": "other", "reason_code": "other"}, 422, "reason_code", ""},
		{"a coded close", "housing", map[string]any{"status": "closed", "outcome": "Sanctuary measures fitted", "outcome_code": "safety_measures"}, 200, "", "safety_measures"},
	}
	for _, s := range steps {
		res := status(h, r.ID, s.agency, s.agency, s.body)
		var a shareAnswer
		res.JSON(t, &a)
		if res.Status != s.want {
			t.Fatalf("%s: %d %s, want %d", s.name, res.Status, res.Body, s.want)
		}
		if s.field != "" && a.Error.Fields[s.field] == "" {
			t.Errorf("%s: %s does not name %s", s.name, res.Body, s.field)
		}
		if s.want == 200 && a.ReasonCode+a.OutcomeCode != s.code {
			t.Errorf("%s: the share answered carries %q %q, want %q", s.name, a.ReasonCode, a.OutcomeCode, s.code)
		}
	}

	var police struct{ Shares []shareAnswer }
	h.Do("GET", "/api/v1/referrals/"+r.ID, "officer", nil).JSON(t, &police)
	got := map[string]shareAnswer{}
	for _, sh := range police.Shares {
		got[sh.Status] = sh
	}
	if d := got["declined"]; d.ReasonCode != "no_capacity" || d.OutcomeCode != "" || d.Reason != "Our caseworkers are full until March" {
		t.Errorf("the officer reads the decline as %+v", d)
	}
	if c := got["closed"]; c.OutcomeCode != "safety_measures" || c.ReasonCode != "" || c.Outcome != "Sanctuary measures fitted" {
		t.Errorf("the officer reads the close as %+v", c)
	}
	var list struct {
		Referrals []struct{ Shares []shareAnswer }
	}
	h.Do("GET", "/api/v1/referrals", "officer", nil).JSON(t, &list)
	if len(list.Referrals) != 1 || len(list.Referrals[0].Shares) != 2 {
		t.Fatalf("the officer's list: %+v", list)
	}
	for _, sh := range list.Referrals[0].Shares {
		if sh.ReasonCode+sh.OutcomeCode != got[sh.Status].ReasonCode+got[sh.Status].OutcomeCode || sh.Reason != "" || sh.Outcome != "" {
			t.Errorf("the list shows %+v: codes, and no free text, are wanted", sh)
		}
	}

	// Without a code, as api.md's contract has it, a decline still goes through.
	other := createReferral(t, h, exampleReferral())
	res := status(h, other.ID, "housing", "housing", map[string]any{"status": "declined", "reason": "Out of area"})
	if res.Status != 200 || strings.Contains(string(res.Body), "reason_code") {
		t.Fatalf("an uncoded decline: %d %s", res.Status, res.Body)
	}
}

package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/vocab"
	"github.com/stalking-hub/hub/internal/web"
)

// openapiDoc reads the OpenAPI document from the file the hub embeds.
func openapiDoc(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	return doc
}

// jsonAt walks a path of keys through decoded JSON, nil when any is missing.
func jsonAt(v any, keys ...string) map[string]any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	m, _ := v.(map[string]any)
	return m
}

// resolveRef follows a local $ref ("#/components/...") to what it names.
func resolveRef(doc map[string]any, v map[string]any) (map[string]any, error) {
	for range 10 {
		ref, ok := v["$ref"].(string)
		if !ok {
			return v, nil
		}
		path, ok := strings.CutPrefix(ref, "#/")
		if !ok {
			return nil, fmt.Errorf("%s is not a local reference", ref)
		}
		next := jsonAt(doc, strings.Split(path, "/")...)
		if next == nil {
			return nil, fmt.Errorf("%s names nothing", ref)
		}
		v = next
	}
	return nil, fmt.Errorf("references go round in a circle")
}

var routeParamPattern = regexp.MustCompile(`:([a-z_]+)`)

// apiOperations are the method and path (as the document writes it) of every
// /api/v1 route in the table, with the route.
func apiOperations(routes []web.Route) map[string]web.Route {
	out := map[string]web.Route{}
	for _, r := range routes {
		p, ok := strings.CutPrefix(r.Path, "/api/v1")
		if !ok {
			continue
		}
		out[strings.ToLower(r.Method)+" "+routeParamPattern.ReplaceAllString(p, "{$1}")] = r
	}
	return out
}

var openapiMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// The document and the route table describe the same API: every /api/v1
// route has an operation and every operation a route; every reference
// resolves; and every secured operation declares the error answers the
// gate and the handlers give, in the error schema of the contract.
func TestOpenAPIMatchesTheRoutes(t *testing.T) {
	doc := openapiDoc(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Fatalf("openapi version %q", v)
	}
	h := apptest.Start(t, nil)
	ops := apiOperations(h.App.Web.Routes())
	if len(ops) < 12 {
		t.Fatalf("only %d API routes found", len(ops))
	}
	paths := jsonAt(doc, "paths")
	documented := map[string]bool{}
	for p, item := range paths {
		for m := range item.(map[string]any) {
			if !slices.Contains(openapiMethods, m) {
				continue
			}
			key := m + " " + p
			documented[key] = true
			if _, ok := ops[key]; !ok {
				t.Errorf("the document has %s, which is not a route", key)
			}
		}
	}
	for key := range ops {
		if !documented[key] {
			t.Errorf("the route %s is not in openapi.json", key)
		}
	}

	// Every $ref anywhere resolves.
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			if _, ok := x["$ref"]; ok {
				if _, err := resolveRef(doc, x); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			}
			for k, e := range x {
				walk(e, at+"/"+k)
			}
		case []any:
			for i, e := range x {
				walk(e, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(doc, "#")

	errorSchema := func(resp map[string]any) bool {
		r, err := resolveRef(doc, resp)
		if err != nil {
			return false
		}
		s := jsonAt(r, "content", "application/json", "schema")
		return s != nil && s["$ref"] == "#/components/schemas/Error"
	}
	for key, r := range ops {
		method, path, _ := strings.Cut(key, " ")
		op := jsonAt(paths, path, method)
		if op == nil {
			continue
		}
		responses := jsonAt(op, "responses")
		need := []string{}
		if r.Access != web.Public {
			need = append(need, "401")
		}
		if r.Access == web.Roles {
			need = append(need, "403")
		}
		if strings.Contains(path, "{") {
			need = append(need, "404")
		}
		params, _ := op["parameters"].([]any)
		takesInput := op["requestBody"] != nil
		for _, p := range params {
			if pm, err := resolveRef(doc, p.(map[string]any)); err == nil && pm["in"] == "query" {
				takesInput = true
			}
		}
		if takesInput {
			need = append(need, "422")
		}
		for _, status := range need {
			resp := jsonAt(responses, status)
			if resp == nil {
				t.Errorf("%s does not declare %s", key, status)
			} else if !errorSchema(resp) {
				t.Errorf("%s: the %s answer is not the Error schema", key, status)
			}
		}
		for status, resp := range responses {
			if strings.HasPrefix(status, "4") && !errorSchema(resp.(map[string]any)) {
				t.Errorf("%s: the %s answer is not the Error schema", key, status)
			}
		}
		for _, p := range params {
			pm, err := resolveRef(doc, p.(map[string]any))
			if err != nil || pm["in"] != "path" {
				continue
			}
			if !strings.Contains(path, "{"+pm["name"].(string)+"}") {
				t.Errorf("%s: path parameter %v is not in the path", key, pm["name"])
			}
		}
		for _, name := range regexp.MustCompile(`\{([a-z_]+)\}`).FindAllStringSubmatch(path, -1) {
			found := slices.ContainsFunc(params, func(p any) bool {
				pm, err := resolveRef(doc, p.(map[string]any))
				return err == nil && pm["in"] == "path" && pm["name"] == name[1]
			})
			if !found {
				t.Errorf("%s: the path parameter %s is not described", key, name[1])
			}
		}
	}
	for _, name := range []string{"Unauthorized", "Forbidden", "NotFound", "Invalid"} {
		if r := jsonAt(doc, "components", "responses", name); r == nil || !errorSchema(r) {
			t.Errorf("components.responses.%s is not the Error schema", name)
		}
	}
}

// conform lists how v departs from schema: missing required properties,
// wrong types, values outside an enum. It reads only what the document uses.
func conform(doc map[string]any, schema map[string]any, v any, at string) []string {
	s, err := resolveRef(doc, schema)
	if err != nil {
		return []string{at + ": " + err.Error()}
	}
	var types []string
	switch x := s["type"].(type) {
	case string:
		types = []string{x}
	case []any:
		for _, e := range x {
			types = append(types, e.(string))
		}
	}
	kind := "null"
	switch x := v.(type) {
	case string:
		kind = "string"
	case bool:
		kind = "boolean"
	case float64:
		kind = "number"
		if x == float64(int64(x)) {
			kind = "integer"
		}
	case []any:
		kind = "array"
	case map[string]any:
		kind = "object"
	}
	if len(types) > 0 && !slices.Contains(types, kind) && !(kind == "integer" && slices.Contains(types, "number")) {
		return []string{fmt.Sprintf("%s: a %s, want %v", at, kind, types)}
	}
	var out []string
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		out = append(out, fmt.Sprintf("%s: %v is not one of %v", at, v, enum))
	}
	switch x := v.(type) {
	case map[string]any:
		req, _ := s["required"].([]any)
		for _, r := range req {
			if _, ok := x[r.(string)]; !ok {
				out = append(out, fmt.Sprintf("%s: no %s", at, r))
			}
		}
		props := jsonAt(s, "properties")
		for k, e := range x {
			if p := jsonAt(props, k); p != nil {
				out = append(out, conform(doc, p, e, at+"."+k)...)
			} else if ap, ok := s["additionalProperties"].(map[string]any); ok {
				out = append(out, conform(doc, ap, e, at+"."+k)...)
			} else if s["additionalProperties"] == false {
				out = append(out, fmt.Sprintf("%s: %s is not in the schema", at, k))
			}
		}
	case []any:
		if items := jsonAt(s, "items"); items != nil {
			for i, e := range x {
				out = append(out, conform(doc, items, e, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return out
}

// Real answers of the hub match the response schemas the document gives them.
func TestOpenAPIDescribesRealAnswers(t *testing.T) {
	doc := openapiDoc(t)
	h := apptest.Start(t, nil)
	ref := createReferral(t, h, exampleReferral())
	var o struct{ ID string }
	h.Do("POST", "/api/v1/referrals/"+ref.ID+"/overrides", "officer", map[string]any{"basis": "vital_interests", "rationale": "Risk to life.",
		"agencies": []string{"housing"}, "categories": []string{"identity"}, "until": "2099-01-01"}).JSON(t, &o)
	ord := addOrder(t, h, ref.ID, spo(20))
	var upd struct{ ID string }
	h.Do("POST", "/api/v1/referrals/"+ref.ID+"/victim-updates", "officer", map[string]any{"event": "arrest", "event_on": "2026-11-02"}).JSON(t, &upd)
	cases := []struct {
		method, path, persona string
		body                  any
		status                int
	}{
		{"GET", "/api/v1/me", "housing", nil, 200},
		{"GET", "/api/v1/me", "", nil, 401},
		{"GET", "/api/v1/agencies", "officer", nil, 200},
		{"POST", "/api/v1/referrals", "officer", exampleReferral(), 201},
		{"POST", "/api/v1/referrals", "officer", map[string]any{"offence": "stalking"}, 422},
		{"POST", "/api/v1/referrals", "housing", exampleReferral(), 403},
		{"GET", "/api/v1/referrals", "housing", nil, 200},
		{"GET", "/api/v1/referrals/" + ref.ID, "housing", nil, 200},
		{"GET", "/api/v1/referrals/" + ref.ID, "probation", nil, 404},
		{"POST", "/api/v1/referrals/" + ref.ID + "/shares/housing/status", "housing", map[string]any{"status": "accepted"}, 200},
		{"POST", "/api/v1/referrals/" + ref.ID + "/shares/victim-support/status", "victim-support", map[string]any{"status": "declined", "reason": "x", "reason_code": "busy"}, 422},
		{"POST", "/api/v1/referrals/" + ref.ID + "/shares/victim-support/status", "victim-support", map[string]any{"status": "declined", "reason": "Full until March", "reason_code": "no_capacity"}, 200},
		{"GET", "/api/v1/referrals/" + ref.ID, "officer", nil, 200},
		{"POST", "/api/v1/referrals/" + ref.ID + "/consent", "officer", map[string]any{"decision": "withdrawn", "obtained_on": "2026-01-02"}, 201},
		{"POST", "/api/v1/referrals/" + ref.ID + "/overrides", "officer", map[string]any{"basis": "vital_interests", "rationale": "Risk to life.",
			"agencies": []string{"housing"}, "categories": []string{"identity"}, "until": "2099-01-01"}, 201},
		{"POST", "/api/v1/overrides/" + o.ID + "/decision", "supervisor", map[string]any{"approve": true}, 200},
		{"POST", "/api/v1/overrides/" + o.ID + "/decision", "supervisor", map[string]any{"approve": true}, 409},
		{"GET", "/api/v1/referrals/" + ref.ID + "/audit", "officer", nil, 200},
		{"GET", "/api/v1/audit?limit=5", "auditor", nil, 200},
		{"POST", "/api/v1/referrals/" + ref.ID + "/orders", "officer", spo(300), 201},
		{"POST", "/api/v1/referrals/" + ref.ID + "/orders", "housing", spo(300), 403},
		{"POST", "/api/v1/referrals/" + ref.ID + "/orders", "officer", map[string]any{"kind": "asbo"}, 422},
		{"GET", "/api/v1/orders?ending_within=28d", "officer", nil, 200},
		{"GET", "/api/v1/orders/" + ord.Order.ID, "supervisor", nil, 200},
		{"PATCH", "/api/v1/orders/" + ord.Order.ID, "officer", map[string]any{"action": "extend", "ends_on": day(90), "reason": "Extended"}, 428},
		{"PATCH", "/api/v1/orders/" + ord.Order.ID, "officer", map[string]any{"action": "extend", "ends_on": day(90), "reason": "Extended"}, 200},
		{"POST", "/api/v1/orders/" + ord.Order.ID + "/breaches", "officer", map[string]any{"occurred_on": day(-2), "summary": "Seen on Orchard Road"}, 201},
		{"GET", "/api/v1/referrals/" + ref.ID, "housing", nil, 200},
		{"POST", "/api/v1/referrals/" + ref.ID + "/victim-updates", "officer", map[string]any{"event": "charge", "event_on": "2026-11-27"}, 201},
		{"GET", "/api/v1/referrals/" + ref.ID + "/victim-updates", "officer", nil, 200},
		{"GET", "/api/v1/victim-updates?overdue=true", "supervisor", nil, 200},
		{"PATCH", "/api/v1/victim-updates/" + upd.ID, "officer", map[string]any{"told_on": "2026-11-03", "method": "phone"}, 200},
		{"POST", "/api/v1/referrals/" + ref.ID + "/outcome", "officer", map[string]any{"outcome": "cautioned", "decided_on": "2026-11-30"}, 201},
		{"POST", "/api/v1/referrals/" + ref.ID + "/risk", "officer", map[string]any{"tool": "dash", "score": 16, "level": "high", "reason": "new incidents"}, 201},
		{"POST", "/api/v1/referrals/" + ref.ID + "/risk", "officer", map[string]any{"tool": "dash", "score": 16, "level": "medium", "reason": "x"}, 422},
		{"PATCH", "/api/v1/referrals/" + ref.ID, "officer", map[string]any{"summary": "Followed to work three times.", "reason": "a new incident"}, 428},
		{"PATCH", "/api/v1/referrals/" + ref.ID, "officer", map[string]any{"summary": "Followed to work three times."}, 422},
		{"PATCH", "/api/v1/referrals/" + ref.ID, "officer", map[string]any{"summary": "Followed to work three times.", "reason": "a new incident"}, 200},
		{"GET", "/api/v1/referrals/" + ref.ID, "officer", nil, 200},
		{"POST", "/api/v1/referrals/preview", "officer", exampleReferral(), 200},
		{"POST", "/api/v1/referrals/preview", "officer", map[string]any{"offence": "stalking"}, 422},
		{"POST", "/api/v1/referrals/" + ref.ID + "/shares", "officer", map[string]any{"agency": "idva", "request": "Safety planning"}, 201},
		{"POST", "/api/v1/referrals/" + ref.ID + "/shares", "officer", map[string]any{"agency": "idva"}, 409},
		{"POST", "/api/v1/referrals/" + ref.ID + "/messages", "officer", map[string]any{"agency": "idva", "body": "Can you call the victim?"}, 201},
		{"POST", "/api/v1/referrals/" + ref.ID + "/messages", "idva", map[string]any{"body": "Yes, today."}, 201},
		{"GET", "/api/v1/referrals/" + ref.ID + "/messages", "officer", nil, 200},
		{"POST", "/api/v1/referrals/" + ref.ID + "/shares/idva/withdraw", "officer", map[string]any{}, 422},
		{"POST", "/api/v1/referrals/" + ref.ID + "/shares/idva/withdraw", "officer", map[string]any{"reason": "Not needed"}, 200},
		{"POST", "/api/v1/referrals/" + ref.ID + "/shares/idva/withdraw", "officer", map[string]any{"reason": "Not needed"}, 409},
		{"GET", "/api/v1/referrals/" + ref.ID + "/messages", "idva", nil, 200},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s %s %d", c.method, c.path, c.status), func(t *testing.T) {
			var headers []string
			if c.method == "PATCH" && c.status != http.StatusPreconditionRequired {
				headers = []string{"If-Match", h.Do("GET", c.path, "officer", nil).Header.Get("ETag")}
			}
			res := h.Do(c.method, c.path, c.persona, c.body, headers...)
			if res.Status != c.status {
				t.Fatalf("status %d, want %d: %s", res.Status, c.status, res.Body)
			}
			route := routeParamPattern.ReplaceAllString(strings.TrimPrefix(c.path, "/api/v1"), "{$1}")
			route, _, _ = strings.Cut(route, "?")
			var op map[string]any
			for p, item := range jsonAt(doc, "paths") {
				pattern := "^" + regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(regexp.QuoteMeta(p), "[^/]+") + "$"
				if regexp.MustCompile(pattern).MatchString(route) {
					op = jsonAt(item, strings.ToLower(c.method))
				}
			}
			if item := jsonAt(doc, "paths", route); item != nil {
				// A fixed path (/referrals/preview) wins over a template that also matches it.
				op = jsonAt(item, strings.ToLower(c.method))
			}
			resp := jsonAt(op, "responses", fmt.Sprint(c.status))
			if resp == nil {
				t.Fatalf("the document gives no %d answer for %s %s", c.status, c.method, route)
			}
			resp, err := resolveRef(doc, resp)
			if err != nil {
				t.Fatal(err)
			}
			schema := jsonAt(resp, "content", "application/json", "schema")
			if schema == nil {
				t.Fatalf("the %d answer has no schema", c.status)
			}
			var v any
			if err := json.Unmarshal(res.Body, &v); err != nil {
				t.Fatalf("not JSON: %s", res.Body)
			}
			for _, p := range conform(doc, schema, v, "body") {
				t.Error(p)
			}
		})
	}
	if res := h.Do("GET", "/api/v1/openapi.json", "", nil); res.Status != http.StatusOK || !json.Valid(res.Body) {
		t.Fatalf("the served document: %d", res.Status)
	}
}

// openapiEnums are the document's enums, by where they are: the JSON path
// of keys, with a parameter named by its name rather than its place.
func openapiEnums(v any, at string, out map[string][]string) {
	switch v := v.(type) {
	case map[string]any:
		if enum, ok := v["enum"].([]any); ok {
			for _, e := range enum {
				out[at] = append(out[at], fmt.Sprint(e))
			}
		}
		for k, x := range v {
			openapiEnums(x, at+"/"+k, out)
		}
	case []any:
		for i, x := range v {
			key := fmt.Sprint(i)
			if p, ok := x.(map[string]any); ok && p["in"] != nil {
				key = fmt.Sprint(p["name"])
			}
			openapiEnums(x, at+"/"+key, out)
		}
	}
}

// enumVocabularies say which vocabulary of the registry each enum of the
// document is. Paths are those of openapiEnums, without "/properties".
var enumVocabularies = map[string]string{
	"components/schemas/Role":                                                            "role",
	"components/schemas/Category":                                                        "category",
	"components/schemas/Terms/without_consent/items/min_risk":                            "risk_level",
	"components/schemas/NewReferral/offence":                                             "offence",
	"components/schemas/NewReferral/aggravating_factors/items/factor":                    "aggravating_factor",
	"components/schemas/NewReferral/aggravating_factors/items/strand":                    "hate_crime_strand",
	"components/schemas/NewReferral/risk/tool":                                           "risk_tool",
	"components/schemas/NewReferral/risk/level":                                          "risk_level",
	"components/schemas/NewReferral/victim/safe_contact/method":                          "contact_method",
	"components/schemas/NewReferral/victim/safe_contact/other_methods/items":             "contact_method",
	"components/schemas/NewReferral/suspect/relationship":                                "relationship",
	"components/schemas/NewReferral/suspects/items/relationship":                         "relationship",
	"components/schemas/NewReferral/others_at_risk/items/relationship":                   "person_at_risk_relationship",
	"components/schemas/NewReferral/equality/sex":                                        "equality.sex",
	"components/schemas/NewReferral/equality/age_band":                                   "equality.age_band",
	"components/schemas/NewReferral/equality/ethnicity":                                  "equality.ethnicity",
	"components/schemas/NewReferral/equality/disability":                                 "equality.disability",
	"components/schemas/NewReferral/equality/sexual_orientation":                         "equality.sexual_orientation",
	"components/schemas/NewReferral/equality/gender_identity":                            "equality.gender_identity",
	"components/schemas/NewReferral/equality/interpreter":                                "equality.interpreter",
	"components/schemas/Referral/risk_level":                                             "risk_level",
	"components/schemas/ShareStatus":                                                     "share_status",
	"components/schemas/DeclineReasonCode":                                               "decline_reason",
	"components/schemas/OutcomeCode":                                                     "closing_outcome",
	"components/schemas/ReferralList/referrals/items/risk_level":                         "risk_level",
	"components/schemas/ConsentInput/decision":                                           "consent_decision",
	"components/schemas/ConsentInput/method":                                             "consent_method",
	"components/schemas/Consent/decision":                                                "consent_decision",
	"components/schemas/Override/status":                                                 "override_status",
	"components/schemas/MaracQueue/referrals/items/risk_level":                           "risk_level",
	"components/schemas/MaracQueue/referrals/items/criteria/items":                       "marac_criterion",
	"components/schemas/MaracNewCase/criterion":                                          "marac_criterion",
	"components/schemas/MaracCase/risk_level":                                            "risk_level",
	"components/schemas/MaracCase/criterion":                                             "marac_criterion",
	"components/schemas/MaracCaseDetail/risk_level":                                      "risk_level",
	"components/schemas/MaracCaseDetail/criterion":                                       "marac_criterion",
	"components/schemas/MaracActionUpdate/status":                                        "marac_action_status",
	"components/schemas/MaracAction/status":                                              "marac_action_status",
	"components/schemas/MaracPapers/cases/items/risk_level":                              "risk_level",
	"components/schemas/MaracPapers/cases/items/criterion":                               "marac_criterion",
	"components/schemas/LinkIncident/risk_level":                                         "risk_level",
	"components/schemas/EventType":                                                       "event_type",
	"components/schemas/OrderKind":                                                       "order_kind",
	"components/schemas/VictimCodeEvent":                                                 "victim_code_event",
	"components/schemas/JusticeOutcome":                                                  "justice_outcome",
	"components/schemas/TellMethod":                                                      "contact_method",
	"components/schemas/Order/status":                                                    "order_status",
	"components/schemas/Order/history/items/change":                                      "order_change",
	"components/schemas/RiskEntry/tool":                                                  "risk_tool",
	"components/schemas/RiskEntry/level":                                                 "risk_level",
	"components/schemas/RiskReassessment/tool":                                           "risk_tool",
	"components/schemas/RiskReassessment/level":                                          "risk_level",
	"paths/referrals/get/parameters/risk/schema":                                         "risk_level",
	"paths/marac/cases/{id}/patch/requestBody/content/application/json/schema/criterion": "marac_criterion",
	"paths/marac/actions/get/parameters/status/schema":                                   "marac_action_status",
}

// notVocabularies are the enums of the document that are not controlled
// vocabularies of the domain, and why.
var notVocabularies = map[string]string{
	"components/schemas/Error/error/code":                "the error codes of package problem, one table with their statuses",
	"components/schemas/Referral/purpose":                "why a referral was released: the hub's purposes, not a recorded value",
	"components/schemas/LinkIncident/via":                "which person links two referrals: a field's name",
	"components/schemas/LinkDecision/via":                "which person links two referrals: a field's name",
	"components/schemas/OrderChange/action":              "a request's verb; what it records is the order_change vocabulary",
	"components/schemas/Preview/warnings/items/code":     "the one warning of a preview",
	"paths/referrals/get/parameters/sort/schema":         "how a list is sorted",
	"paths/victim-updates/get/parameters/overdue/schema": "a filter switch",
}

// Every enum of the document is a vocabulary of the registry, code for code
// in the registry's order, or is named above as not one; every vocabulary
// of the API is in the document. A code added to one and not the other
// fails here.
func TestOpenAPIEnumsAreTheRegistry(t *testing.T) {
	enums := map[string][]string{}
	openapiEnums(openapiDoc(t), "", enums)
	used := map[string]bool{}
	for at, got := range enums {
		key := strings.NewReplacer("/properties/", "/", "/api/v1", "").Replace(strings.TrimPrefix(at, "/"))
		key = strings.Replace(key, "paths//", "paths/", 1)
		if _, ok := notVocabularies[key]; ok {
			used[key] = true
			continue
		}
		name, ok := enumVocabularies[key]
		if !ok {
			t.Errorf("the enum at %s %v is not tied to a vocabulary of internal/vocab: add it to enumVocabularies", key, got)
			continue
		}
		used[key] = true
		list, ok := vocab.Lookup(name)
		if !ok {
			t.Errorf("%s: no vocabulary %q", key, name)
			continue
		}
		if want := list.Values(); !slices.Equal(got, want) {
			t.Errorf("%s lists %v, the registry's %s %v", key, got, name, want)
		}
	}
	for key := range enumVocabularies {
		if !used[key] {
			t.Errorf("enumVocabularies names %s, which has no enum in the document", key)
		}
	}
	for key := range notVocabularies {
		if !used[key] {
			t.Errorf("notVocabularies names %s, which has no enum in the document", key)
		}
	}
	inDocument := map[string]bool{}
	for _, name := range enumVocabularies {
		inDocument[name] = true
	}
	// Not enums of the document: lawful bases, which configuration extends,
	// and the equality questions, which are keys of an object.
	for _, v := range vocab.All() {
		if !inDocument[v.Name] && v.Name != "lawful_basis" && v.Name != "equality" {
			t.Errorf("the vocabulary %s is in no enum of the document", v.Name)
		}
	}
}

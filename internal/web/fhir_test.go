package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/fhir/fhirtest"
)

// fhirGet reads a FHIR resource as the persona and checks it against the R4 schema.
func fhirGet(t *testing.T, h *apptest.Hub, path, persona string, status int) apptest.Response {
	t.Helper()
	res := h.Do("GET", "/fhir/r4"+path, persona, nil)
	if res.Status != status {
		t.Fatalf("GET %s as %s: %d %s", path, persona, res.Status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	if err := fhirtest.Validate(res.Body); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, res.Body)
	}
	return res
}

// contentStrings are strings of each category's content in exampleReferral.
var contentStrings = map[string][]string{
	"identity":     {"Rowena Testperson", "1990-04-02"},
	"contact":      {"14 Example Row", "07700900123", "rowena@example.com"},
	"safe_contact": {"do not leave voicemail", "weekdays 10-12"},
	"offence":      {"MP/26/001234", "Repeated unwanted contact", "followed to work twice"},
	"suspect":      {"Sid Suspectson", "2 Other Road", "bail: no contact", "1985-09-30"},
	"health":       {"anxiety, on medication"},
	"children":     {"Kit Testperson", "Hill Primary", "2018-06-01"},
	"needs":        {"wants help to move", "does not want the suspect told"},
}

func releaseEntries(t *testing.T, h *apptest.Hub, id, actorAgency string) int {
	t.Helper()
	var a struct {
		Entries []struct {
			Action      string `json:"action"`
			ActorAgency string `json:"actor_agency"`
		} `json:"entries"`
	}
	h.Do("GET", "/api/v1/referrals/"+id+"/audit", "auditor", nil).JSON(t, &a)
	n := 0
	for _, e := range a.Entries {
		if e.Action == "release" && e.ActorAgency == actorAgency {
			n++
		}
	}
	return n
}

// The ServiceRequest carries what the release shows the reader and nothing
// of a withheld category; reading it is audited like any read; a reader
// with no share gets the same 404 as for a referral that does not exist.
func TestFHIRServiceRequestWithholdsWhatIsWithheld(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	var api released
	h.Do("GET", "/api/v1/referrals/"+r.ID, "housing", nil).JSON(t, &api)
	before := releaseEntries(t, h, r.ID, "housing")
	res := fhirGet(t, h, "/ServiceRequest/"+r.ID, "housing", http.StatusOK)
	if after := releaseEntries(t, h, r.ID, "housing"); after != before+1 {
		t.Fatalf("release entries for housing: %d before, %d after the FHIR read", before, after)
	}
	body := string(res.Body)
	if len(api.Withheld) == 0 || !api.has("identity") {
		t.Fatalf("the fixture should show identity and withhold some categories to housing: shown %v", api.shown())
	}
	for _, w := range api.Withheld {
		for _, s := range contentStrings[w.Category] {
			if strings.Contains(body, s) {
				t.Errorf("withheld category %s appears in the ServiceRequest: %q", w.Category, s)
			}
		}
	}
	for _, c := range api.shown() {
		if ss := contentStrings[c]; len(ss) > 0 && !strings.Contains(body, ss[0]) {
			t.Errorf("shown category %s is missing from the ServiceRequest (%q)", c, ss[0])
		}
	}
	var sr struct {
		ResourceType, ID, Status, Intent string
		Identifier                       []struct{ Value string }
		Performer                        []struct{ Identifier struct{ Value string } }
	}
	json.Unmarshal(res.Body, &sr)
	if sr.ResourceType != "ServiceRequest" || sr.ID != r.ID || sr.Status != "active" || sr.Intent != "order" ||
		len(sr.Identifier) != 1 || sr.Identifier[0].Value != r.Reference || len(sr.Performer) != 1 || sr.Performer[0].Identifier.Value != "housing" {
		t.Fatalf("ServiceRequest %s", res.Body)
	}
	whole := string(fhirGet(t, h, "/ServiceRequest/"+r.ID, "officer", http.StatusOK).Body)
	for c, ss := range contentStrings {
		for _, s := range ss {
			if !strings.Contains(whole, s) {
				t.Errorf("the officer's ServiceRequest lacks %s: %q", c, s)
			}
		}
	}
	for _, persona := range []string{"health", ""} {
		status := http.StatusNotFound
		if persona == "" {
			status = http.StatusUnauthorized
		}
		out := fhirGet(t, h, "/ServiceRequest/"+r.ID, persona, status)
		if !strings.Contains(string(out.Body), `"OperationOutcome"`) {
			t.Fatalf("error as %q: %s", persona, out.Body)
		}
	}
	fhirGet(t, h, "/ServiceRequest/r-nothere", "housing", http.StatusNotFound)
}

type task struct {
	ID           string
	Status       string
	Description  string
	StatusReason *struct{ Text string }
	Output       []struct {
		ValueString string
		ValueCode   string
	}
	Owner struct{ Identifier struct{ Value string } }
}

// Each share status maps to its Task status as api.md says, with the decline
// reason as statusReason and the closing outcome as output; a Task search
// does not mark the share viewed; another agency cannot read the Task.
func TestFHIRTaskFollowsTheShare(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, housingOnly())
	var bundle struct {
		ResourceType, Type string
		Entry              []struct{ Resource task }
	}
	fhirGet(t, h, "/Task?owner=housing", "housing", http.StatusOK).JSON(t, &bundle)
	if bundle.ResourceType != "Bundle" || bundle.Type != "searchset" || len(bundle.Entry) != 1 || bundle.Entry[0].Resource.Status != "requested" ||
		bundle.Entry[0].Resource.Owner.Identifier.Value != "housing" || bundle.Entry[0].Resource.Description != "" {
		t.Fatalf("search: %+v", bundle)
	}
	id := bundle.Entry[0].Resource.ID
	var still released
	h.Do("GET", "/api/v1/referrals/"+r.ID, "officer", nil).JSON(t, &still)
	if still.Shares[0].Status != "sent" {
		t.Fatalf("a Task search marked the share %s", still.Shares[0].Status)
	}
	var other struct{ Entry []any }
	fhirGet(t, h, "/Task?owner=housing", "victim-support", http.StatusOK).JSON(t, &other)
	if len(other.Entry) != 0 {
		t.Fatalf("victim support found housing's Tasks: %+v", other)
	}
	read := func(persona string) task {
		t.Helper()
		var tk task
		fhirGet(t, h, "/Task/"+id, persona, http.StatusOK).JSON(t, &tk)
		return tk
	}
	if tk := read("officer"); tk.Status != "requested" || tk.Description != "assess for sanctuary scheme" {
		t.Fatalf("sent: %+v", tk)
	}
	if tk := read("housing"); tk.Status != "received" {
		t.Fatalf("after housing's first read: %+v", tk)
	}
	for _, step := range []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"status": "accepted"}, "accepted"},
		{map[string]any{"status": "in_progress"}, "in-progress"},
		{map[string]any{"status": "closed", "outcome": "sanctuary locks fitted", "outcome_code": "safety_measures"}, "completed"},
	} {
		if res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/shares/housing/status", "housing", step.body); res.Status != 200 {
			t.Fatalf("%v: %d %s", step.body, res.Status, res.Body)
		}
		if tk := read("housing"); tk.Status != step.want {
			t.Fatalf("after %v: %+v", step.body, tk)
		}
	}
	closed := read("housing")
	if len(closed.Output) == 0 || closed.Output[0].ValueString != "sanctuary locks fitted" {
		t.Fatalf("closed Task output %+v", closed.Output)
	}
	fhirGet(t, h, "/Task/"+id, "victim-support", http.StatusNotFound)

	d := createReferral(t, h, housingOnly())
	if res := h.Do("POST", "/api/v1/referrals/"+d.ID+"/shares/housing/status", "housing", map[string]any{"status": "declined", "reason": "outside our area"}); res.Status != 200 {
		t.Fatalf("decline: %d %s", res.Status, res.Body)
	}
	fhirGet(t, h, "/Task?owner=housing", "housing", http.StatusOK).JSON(t, &bundle)
	for _, e := range bundle.Entry {
		if e.Resource.Status == "rejected" {
			if tk := read2(t, h, e.Resource.ID); tk.StatusReason == nil || tk.StatusReason.Text != "outside our area" {
				t.Fatalf("declined Task: %+v", tk)
			}
			return
		}
	}
	t.Fatalf("no rejected Task in %+v", bundle)
}

func read2(t *testing.T, h *apptest.Hub, id string) task {
	t.Helper()
	var tk task
	fhirGet(t, h, "/Task/"+id, "housing", http.StatusOK).JSON(t, &tk)
	return tk
}

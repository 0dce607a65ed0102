package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/app/apptest"
)

type linkCandidate struct {
	ID, Reference, Via, Offence string
	Risk                        string `json:"risk_level"`
}

type linksDoc struct {
	Referral     string `json:"referral"`
	RepeatVictim bool   `json:"repeat_victim"`
	Candidates   []linkCandidate
	Linked       struct {
		Referrals []struct{ ID, Via string }
		Incidents int
		First     string
		Last      string
		Offences  []struct {
			Offence string
			Count   int
		}
		RiskOverTime []struct{ Date, Reference, Level string } `json:"risk_over_time"`
	}
}

func (d linksDoc) candidate(id, via string) bool {
	return slices.ContainsFunc(d.Candidates, func(c linkCandidate) bool { return c.ID == id && c.Via == via })
}

func (d linksDoc) linked() []string {
	var out []string
	for _, r := range d.Linked.Referrals {
		out = append(out, r.ID)
	}
	slices.Sort(out)
	return out
}

func getLinks(t *testing.T, h *apptest.Hub, id, persona string) linksDoc {
	t.Helper()
	res := h.Do("GET", "/api/v1/referrals/"+id+"/links", persona, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("links of %s as %s: %d %s", id, persona, res.Status, res.Body)
	}
	var d linksDoc
	res.JSON(t, &d)
	return d
}

// referralFor is the example referral about another victim and suspect.
func referralFor(victim, dob, suspect string) map[string]any {
	b := exampleReferral()
	b["victim"].(map[string]any)["name"] = victim
	b["victim"].(map[string]any)["date_of_birth"] = dob
	b["suspect"].(map[string]any)["name"] = suspect
	return b
}

func TestLinksOfTheSameVictim(t *testing.T) {
	h := apptest.Start(t, nil)
	first := createReferral(t, h, referralFor("Rowena Testperson", "1990-04-02", "Sid Suspectson"))
	// The same person written another way: case, spacing and punctuation.
	again := createReferral(t, h, referralFor("  ROWENA   testperson. ", "1990-04-02", "Another Suspect"))
	namesake := createReferral(t, h, referralFor("Rowena Testperson", "1979-12-12", "Third Suspect"))

	d := getLinks(t, h, again.ID, "officer")
	if len(d.Candidates) != 1 || !d.candidate(first.ID, "victim") || !d.RepeatVictim {
		t.Fatalf("the same victim: %+v", d)
	}
	if d.Candidates[0].Reference != first.Reference || d.Candidates[0].Risk != "medium" || strings.Contains(string(h.Do("GET", "/api/v1/referrals/"+again.ID+"/links", "officer", nil).Body), "Rowena") {
		t.Fatalf("a candidate shows metadata only: %+v", d.Candidates[0])
	}
	if d := getLinks(t, h, namesake.ID, "supervisor"); len(d.Candidates) != 0 || d.RepeatVictim {
		t.Fatalf("another date of birth: %+v", d)
	}

	// Confirm: the linked view shows both, from either side, and the
	// suggestion is gone.
	res := h.Do("POST", "/api/v1/referrals/"+again.ID+"/links", "officer", map[string]any{"other": first.ID, "via": "victim", "confirm": true})
	if res.Status != http.StatusOK {
		t.Fatalf("confirm: %d %s", res.Status, res.Body)
	}
	var after linksDoc
	res.JSON(t, &after)
	want := []string{first.ID, again.ID}
	slices.Sort(want)
	if len(after.Candidates) != 0 || !slices.Equal(after.linked(), want) {
		t.Fatalf("after confirming: %+v", after)
	}
	if after.Linked.Incidents != 12 || after.Linked.First != "2026-03-02" || after.Linked.Last < "2026-11-20" ||
		len(after.Linked.Offences) != 1 || after.Linked.Offences[0].Count != 2 || len(after.Linked.RiskOverTime) != 2 {
		t.Fatalf("the pattern: %+v", after.Linked)
	}
	if d := getLinks(t, h, first.ID, "officer2"); !slices.Equal(d.linked(), want) || d.candidate(again.ID, "victim") {
		t.Fatalf("from the first referral: %+v", d)
	}

	// Reject: no longer suggested, and not linked.
	fourth := createReferral(t, h, referralFor("Rowena Testperson", "1990-04-02", "Fourth Suspect"))
	if d := getLinks(t, h, fourth.ID, "officer"); !d.candidate(first.ID, "victim") || !d.candidate(again.ID, "victim") {
		t.Fatalf("fourth before deciding: %+v", d)
	}
	res = h.Do("POST", "/api/v1/referrals/"+fourth.ID+"/links", "officer", map[string]any{"other": first.ID, "via": "victim", "confirm": false})
	if res.Status != http.StatusOK {
		t.Fatalf("reject: %d %s", res.Status, res.Body)
	}
	if d := getLinks(t, h, fourth.ID, "officer"); d.candidate(first.ID, "victim") || !d.candidate(again.ID, "victim") || len(d.Linked.Referrals) != 1 {
		t.Fatalf("fourth after rejecting the first: %+v", d)
	}

	// The decision is in the audit log of the referral.
	audit := h.Do("GET", "/api/v1/referrals/"+fourth.ID+"/audit", "supervisor", nil)
	if !strings.Contains(string(audit.Body), `"action":"link_decided"`) {
		t.Fatalf("audit of the decision: %s", audit.Body)
	}
}

func TestLinksRefusals(t *testing.T) {
	h := apptest.Start(t, nil)
	a := createReferral(t, h, referralFor("Una Ulster", "1988-08-08", "Sam Same"))
	b := createReferral(t, h, referralFor("Vic Vance", "1970-07-07", "Sam Same"))
	if d := getLinks(t, h, b.ID, "officer"); !d.candidate(a.ID, "suspect") || d.RepeatVictim {
		t.Fatalf("the same suspect: %+v", d)
	}
	decide := func(persona, id string, body any) int {
		return h.Do("POST", "/api/v1/referrals/"+id+"/links", persona, body).Status
	}
	cases := []struct {
		name    string
		persona string
		id      string
		body    any
		want    int
	}{
		{"agency staff of a recipient", "housing", b.ID, map[string]any{"other": a.ID, "via": "suspect", "confirm": true}, 403},
		{"another agency", "probation", b.ID, map[string]any{"other": a.ID, "via": "suspect", "confirm": true}, 403},
		{"auditor", "auditor", b.ID, map[string]any{"other": a.ID, "via": "suspect", "confirm": true}, 403},
		{"no such referral", "officer", "r-missing", map[string]any{"other": a.ID, "via": "suspect", "confirm": true}, 404},
		{"not the same victim", "officer", b.ID, map[string]any{"other": a.ID, "via": "victim", "confirm": true}, 422},
		{"unknown via", "officer", b.ID, map[string]any{"other": a.ID, "via": "neighbour", "confirm": true}, 422},
		{"no confirm", "officer", b.ID, map[string]any{"other": a.ID, "via": "suspect"}, 422},
		{"unknown field", "officer", b.ID, map[string]any{"other": a.ID, "via": "suspect", "confirm": true, "why": "x"}, 422},
		{"not JSON", "officer", b.ID, `{"other":`, 400},
	}
	for _, c := range cases {
		if got := decide(c.persona, c.id, c.body); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	for _, persona := range []string{"housing", "victim-support", "coordinator", "auditor", "admin"} {
		if res := h.Do("GET", "/api/v1/referrals/"+b.ID+"/links", persona, nil); res.Status != 403 {
			t.Errorf("%s reading links: %d", persona, res.Status)
		}
	}
	if res := h.Do("GET", "/api/v1/referrals/r-missing/links", "officer", nil); res.Status != 404 {
		t.Errorf("missing referral: %d", res.Status)
	}
	if d := getLinks(t, h, b.ID, "officer"); !d.candidate(a.ID, "suspect") || len(d.Linked.Referrals) != 1 {
		t.Fatalf("a refused decision changed something: %+v", d)
	}
}

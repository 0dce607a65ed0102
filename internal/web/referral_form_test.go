package web

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/referral"
)

var formNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// formServer is just enough of a server for the form's decisions: the
// agencies and the validator, on a fixed clock.
func formServer() *Server {
	now := func() time.Time { return formNow }
	dir := agency.NewDirectory([]agency.Agency{{ID: "police", Name: "Police"}, {ID: "housing", Name: "Housing"}, {ID: "victim-support", Name: "Victim Support"}})
	return &Server{Deps: Deps{Agencies: dir, Now: now}, validator: referral.NewValidator(now)}
}

func TestFieldOfPath(t *testing.T) {
	sub := referral.Submission{Agencies: []referral.Request{{Agency: "housing"}, {Agency: "victim-support"}}}
	cases := map[string]string{
		"victim.safe_contact.method":    "victim.safe_contact.method",
		"aggravating_factors[1].strand": "aggravating_factors.strand",
		"aggravating_factors[0].factor": "aggravating_factors",
		"agencies":                      "agencies",
		"agencies[1].agency":            "agencies",
		"agencies[1].request":           "request.victim-support",
		"agencies[7].request":           "agencies",
		"consent.agencies[0]":           "consent.agencies",
		"consent.categories[2]":         "consent.categories",
		"children[0].name":              "children",
		"consent.review_on":             "consent.review_on",
	}
	for path, want := range cases {
		if got := fieldOfPath(path, sub); got != want {
			t.Errorf("fieldOfPath(%q) = %q, want %q", path, got, want)
		}
	}
}

// A submission survives the trip through the form's fields, and answers
// that a choice no longer chosen revealed are dropped.
func TestFormValuesRoundTrip(t *testing.T) {
	score := 15
	sub := referral.Submission{
		CrimeReference: "MP/26/1", Offence: "stalking", Summary: "Followed.\nTwice.",
		Incidents:          referral.Incidents{Count: 6, First: "2026-03-02", Last: "2026-11-20"},
		AggravatingFactors: []referral.AggravatingFactor{{Factor: "domestic_abuse"}, {Factor: "hate_crime", Strand: "disability"}, {Factor: "hate_crime", Strand: "race"}},
		Risk:               referral.RiskAssessment{Tool: "dash", Score: &score, Level: "high", AssessedOn: "2026-11-21"},
		Victim: referral.Victim{Name: "A", DateOfBirth: "1990-04-02", Address: "1 Road", Phone: "0770", Email: "a@example.com",
			SafeContact: referral.SafeContact{Method: "phone", OtherMethods: []string{"letter", "text"}, Times: "am", Instructions: "no voicemail"}, Health: "h", Needs: "n", Views: "v"},
		Suspect:      referral.Suspect{Name: "S", DateOfBirth: "1985-09-30", Relationship: "ex_partner", Address: "2 Road", Orders: "bail"},
		Children:     []referral.Child{{Name: "K"}},
		Agencies:     []referral.Request{{Agency: "housing", Request: "sanctuary"}, {Agency: "victim-support"}},
		Consent:      referral.ConsentGiven{Decision: "given", Agencies: []string{"housing"}, Categories: []string{"identity", "risk"}, Method: "verbal", ObtainedOn: "2026-11-21", ReviewOn: "2027-05-21"},
		ConcernMARAC: "concern",
	}
	labels := labelsOf(formServer().referralSteps())
	got := referral.Submission{Children: sub.Children}
	if errs := readForm(&got, formValues(sub), labels); len(errs) != 0 {
		t.Fatalf("errors reading back: %v", errs)
	}
	if !reflect.DeepEqual(got, sub) {
		t.Fatalf("round trip changed the submission:\n got %+v\nwant %+v", got, sub)
	}

	v := formValues(sub)
	v["aggravating_factors"] = []string{"domestic_abuse"}
	v.Set("consent.decision", "refused")
	readForm(&got, v, labels)
	if len(got.AggravatingFactors) != 1 || got.AggravatingFactors[0].Strand != "" {
		t.Errorf("a strand outlived its hate crime: %+v", got.AggravatingFactors)
	}
	if got.Consent.Agencies != nil || got.Consent.Categories != nil || got.Consent.Method != "" || got.Consent.ReviewOn != "" {
		t.Errorf("consent details outlived the consent: %+v", got.Consent)
	}

	v.Set("incidents.count", "six")
	v.Set("risk.assessed_on-day", "31")
	v.Set("risk.assessed_on-month", "2")
	errs := readForm(&got, v, labels)
	if errs["incidents.count"] != "Number of incidents must be a whole number, like 6" || errs["risk.assessed_on"] != "Date of the assessment must be a real date" {
		t.Errorf("errors %v", errs)
	}
}

// Each step shows the gaps of the referral that are its own, and no other's.
func TestStepErrorsBelongToTheirStep(t *testing.T) {
	s := formServer()
	steps := s.referralSteps()
	fields, err := s.referralErrors(referral.Submission{}, officerPrincipal())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"victim":   {"victim.name", "victim.safe_contact.method"},
		"contact":  nil,
		"offence":  {"offence", "summary"},
		"risk":     {"risk.level"},
		"suspect":  nil,
		"children": nil,
		"needs":    nil,
		"agencies": {"agencies"},
		"consent":  {"consent.decision", "consent.obtained_on"},
	}
	for _, st := range steps {
		var got []string
		for n := range stepErrors(st, referral.Submission{}, fields) {
			got = append(got, n)
		}
		slices.Sort(got)
		if !reflect.DeepEqual(got, want[st.Slug]) {
			t.Errorf("step %s: errors on %v, want %v", st.Slug, got, want[st.Slug])
		}
	}
	victim, _, _ := stepBySlug(steps, "victim")
	if got := stepErrors(victim, referral.Submission{}, fields)["victim.safe_contact.method"]; got != "Choose how agencies may contact the victim safely" {
		t.Errorf("the safe contact message is %q", got)
	}
}

// A DASH score of 14 or more recorded below high is an error on the risk
// step, under the level question, in words an officer understands.
func TestRiskLevelBelowDASHThresholdIsAFormError(t *testing.T) {
	s := formServer()
	score := 15
	sub := referral.Submission{Risk: referral.RiskAssessment{Tool: "dash", Score: &score, Level: "medium"}}
	fields, err := s.referralErrors(sub, officerPrincipal())
	if err != nil {
		t.Fatal(err)
	}
	st, _, _ := stepBySlug(s.referralSteps(), "risk")
	msg := stepErrors(st, sub, fields)["risk.level"]
	if !strings.Contains(msg, "DASH score of 15 is high risk") {
		t.Fatalf("risk step errors %v", stepErrors(st, sub, fields))
	}
	sub.Risk.Level = "high"
	fields, _ = s.referralErrors(sub, officerPrincipal())
	if m := stepErrors(st, sub, fields)["risk.level"]; m != "" {
		t.Fatalf("high with DASH 15 refused: %s", m)
	}
}

func officerPrincipal() identity.Principal {
	return identity.Principal{Subject: "iss|officer", Name: "PC Test", Roles: []identity.Role{identity.Officer}}
}

func TestAfterStep(t *testing.T) {
	steps := []step{{Slug: "victim"}, {Slug: "contact"}, {Slug: "consent"}}
	cases := []struct {
		i           int
		action, ret string
		want        string
	}{
		{0, "continue", "", "/referrals/new/d-1/contact"},
		{2, "continue", "", "/referrals/new/d-1/check"},
		{0, "continue", "check", "/referrals/new/d-1/check"},
		{1, "later", "", "/referrals"},
		{1, "later", "check", "/referrals"},
	}
	for _, c := range cases {
		if got := afterStep("d-1", steps, c.i, c.action, c.ret); got != c.want {
			t.Errorf("afterStep(%d, %q, %q) = %q, want %q", c.i, c.action, c.ret, got, c.want)
		}
	}
}

// An agency is offered only the answers its share's lifecycle allows, and
// never "viewed", which is the hub's to set.
func TestStatusChoices(t *testing.T) {
	cases := map[referral.ShareStatus][]string{
		referral.Sent:       {"accepted", "declined"},
		referral.Viewed:     {"accepted", "declined"},
		referral.Accepted:   {"in_progress", "closed"},
		referral.InProgress: {"closed"},
		referral.Declined:   nil,
		referral.Closed:     nil,
	}
	for from, want := range cases {
		var got []string
		for _, c := range statusChoices(from) {
			got = append(got, c.Value)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("from %s: %v, want %v", from, got, want)
		}
	}
}

func TestErrorSummaryFollowsThePage(t *testing.T) {
	qs := []question{
		{Name: "a", Kind: textKind},
		{Name: "when", Kind: dateKind},
		{Name: "pick", Kind: radiosKind, Choices: []choice{{Value: "x", Reveal: []question{{Name: "why", Kind: textareaKind}}}}},
	}
	got := errorSummary(qs, map[string]string{"why": "3", "a": "1", "when": "2", "stray": "4"})
	want := []fieldError{{"a", "1"}, {"when-day", "2"}, {"why", "3"}, {"form", "4"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errorSummary = %v, want %v", got, want)
	}
}

func TestFriendly(t *testing.T) {
	q := question{Label: "Risk level", Required: "Choose the risk level"}
	cases := map[string]string{
		"Risk level is required":                      "Choose the risk level",
		"Risk level is not one of the allowed values": "Choose the risk level",
		"Risk assessed on cannot be in the future":    "Risk level must be today or in the past",
		"Risk level is too long":                      "Risk level is too long",
		"Something else entirely":                     "Something else entirely",
	}
	for in, want := range cases {
		if got := friendly(q, in); got != want {
			t.Errorf("friendly(%q) = %q, want %q", in, got, want)
		}
	}
	if got := friendly(question{Label: "Full name"}, "Victim name is required"); got != "Enter full name" {
		t.Errorf("without a message of its own: %q", got)
	}
}

// A list's filters keep what the list knows and drop what it does not.
func TestListFilterOf(t *testing.T) {
	f, kept := listFilterOf(url.Values{"status": {"declined"}, "risk": {"extreme"}, "overdue": {"true"}, "cursor": {"abc"}})
	if f.Status != referral.Declined || f.Risk != "" || !f.Overdue || f.Cursor != "abc" {
		t.Errorf("filter %+v", f)
	}
	if kept.Encode() != "overdue=true&status=declined" {
		t.Errorf("kept %q", kept.Encode())
	}
	applied := appliedFilters("/inbox", kept)
	want := []appliedFilter{{"Status: Declined", "/inbox?overdue=true"}, {"Only overdue", "/inbox?status=declined"}}
	if !reflect.DeepEqual(applied, want) {
		t.Errorf("applied %v, want %v", applied, want)
	}
}

func TestCounts(t *testing.T) {
	cases := []struct{ got, want string }{
		{needAttention(0), "None need attention"},
		{needAttention(1), "1 needs attention"},
		{needAttention(3), "3 need attention"},
		{plural(1, "draft", "drafts"), "1 draft"},
		{plural(2, "draft", "drafts"), "2 drafts"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}

package marac

import (
	"slices"
	"testing"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/identity"
)

func TestMembers(t *testing.T) {
	d := agency.NewDirectory([]agency.Agency{
		{ID: "police"},
		{ID: "housing", Agreement: map[agency.Purpose]agency.Terms{agency.Referral: {}, agency.MARAC: {}}},
		{ID: "victim-support", Agreement: map[agency.Purpose]agency.Terms{agency.Referral: {}}},
		{ID: "probation", Agreement: map[agency.Purpose]agency.Terms{agency.MARAC: {}}},
	})
	if got := Members(d); !slices.Equal(got, []string{"housing", "probation"}) {
		t.Fatalf("Members = %v", got)
	}
}

func TestMaySeePapers(t *testing.T) {
	cases := []struct {
		name         string
		p            identity.Principal
		acknowledged bool
		want         bool
	}{
		{"coordinator", coordinator, false, true},
		{"agency staff before acknowledging", housing, false, false},
		{"agency staff after acknowledging", housing, true, true},
		{"officer before acknowledging", officer, false, false},
		{"officer after acknowledging", officer, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MaySeePapers(c.p, c.acknowledged); got != c.want {
				t.Fatalf("MaySeePapers = %v, want %v", got, c.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	for _, c := range Criteria {
		if got, err := ParseCriterion(string(c)); err != nil || got != c {
			t.Errorf("ParseCriterion(%s) = %v %v", c, got, err)
		}
	}
	for _, s := range ActionStatuses {
		if got, err := ParseActionStatus(string(s)); err != nil || got != s {
			t.Errorf("ParseActionStatus(%s) = %v %v", s, got, err)
		}
	}
	if _, err := ParseCriterion("high"); err == nil {
		t.Error("parsed an unknown criterion")
	}
	if _, err := ParseActionStatus("closed"); err == nil {
		t.Error("parsed an unknown action status")
	}
}

func TestMaySeeAction(t *testing.T) {
	cases := []struct {
		name   string
		p      identity.Principal
		agency string
		want   bool
	}{
		{"coordinator", coordinator, "housing", true},
		{"staff of the owning agency", housing, "housing", true},
		{"staff of another agency", health, "housing", false},
		{"an officer", officer, "housing", false},
		{"staff without an agency, action without one", identity.Principal{Roles: []identity.Role{identity.AgencyStaff}}, "", false},
		{"an agency id without the staff role", identity.Principal{Roles: []identity.Role{identity.Auditor}, Agency: "housing"}, "housing", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MaySeeAction(Action{Agency: c.agency}, c.p); got != c.want {
				t.Fatalf("MaySeeAction = %v, want %v", got, c.want)
			}
		})
	}
}

func TestAttendee(t *testing.T) {
	cases := []struct {
		name   string
		p      identity.Principal
		agency string
	}{
		{"agency staff attend for their agency", housing, "housing"},
		{"an officer attends for the police", officer, agency.Police},
		{"the coordinator runs the meeting for no agency", coordinator, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Attendee("mm-1", c.p)
			if a.Agency != c.agency || a.Person != c.p.Subject || a.MeetingID != "mm-1" || !a.AcknowledgedAt.IsZero() {
				t.Fatalf("Attendee = %+v, want agency %q", a, c.agency)
			}
		})
	}
}

func TestMayAcknowledge(t *testing.T) {
	cases := []struct {
		name      string
		p         identity.Principal
		attending []string
		want      bool
	}{
		{"the coordinator, with no agency recorded", coordinator, nil, true},
		{"staff of an attending agency", housing, []string{"health", "housing"}, true},
		{"staff of an agency not attending", health, []string{"housing"}, false},
		{"an officer when the police attend", officer, []string{agency.Police}, true},
		{"an officer when the police do not", officer, []string{"housing"}, false},
		{"no agency at all", identity.Principal{Subject: "x", Roles: []identity.Role{identity.Auditor}}, []string{""}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MayAcknowledge(c.p, c.attending); got != c.want {
				t.Fatalf("MayAcknowledge = %v, want %v", got, c.want)
			}
		})
	}
}

package web

import (
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/problem"
)

var (
	maracCoordinator = identity.Principal{Subject: "c", Roles: []identity.Role{identity.MARACCoordinator}}
	maracOfficer     = identity.Principal{Subject: "o", Roles: []identity.Role{identity.Officer}}
	maracSupervisor  = identity.Principal{Subject: "s", Roles: []identity.Role{identity.Supervisor}}
	maracHousing     = identity.Principal{Subject: "h", Roles: []identity.Role{identity.AgencyStaff}, Agency: "housing"}
	maracOutsider    = identity.Principal{Subject: "v", Roles: []identity.Role{identity.AgencyStaff}, Agency: "victim-support"}
	maracAuditor     = identity.Principal{Subject: "a", Roles: []identity.Role{identity.Auditor}, Agency: "housing"}
)

func TestMARACParticipant(t *testing.T) {
	members := []string{"housing", "idva"}
	cases := []struct {
		name                string
		p                   identity.Principal
		participant, member bool
	}{
		{"the coordinator", maracCoordinator, true, false},
		{"an officer attends for the force", maracOfficer, true, false},
		{"a supervisor attends for the force", maracSupervisor, true, false},
		{"staff of a member agency", maracHousing, true, true},
		{"staff of an agency that is no member", maracOutsider, false, false},
		{"staff without an agency", identity.Principal{Roles: []identity.Role{identity.AgencyStaff}}, false, false},
		{"an agency id without the staff role", maracAuditor, false, false},
		{"no role", identity.Principal{Subject: "n"}, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := maracParticipant(c.p, members); got != c.participant {
				t.Errorf("maracParticipant = %v, want %v", got, c.participant)
			}
			if got := maracMember(c.p, members); got != c.member {
				t.Errorf("maracMember = %v, want %v", got, c.member)
			}
		})
	}
}

func TestMARACContentRows(t *testing.T) {
	cases := []struct {
		name string
		json string
		noun string
		want []releasedRow
	}{
		{"fields in their order", `{"name":"Rowena","date_of_birth":"1990-04-02"}`, "Item",
			[]releasedRow{{"Name", "Rowena"}, {"Date of birth", "1990-04-02"}}},
		{"nested fields by their path", `{"summary":"x","incidents":{"count":6,"first":"2026-03-02"}}`, "Item",
			[]releasedRow{{"Summary", "x"}, {"Incidents: count", "6"}, {"Incidents: first", "2026-03-02"}}},
		{"a list of children", `[{"name":"Kit","lives_with_victim":true},{"name":"Lou","lives_with_victim":false}]`, "Child",
			[]releasedRow{{"Child 1: name", "Kit"}, {"Child 1: lives with victim", "Yes"}, {"Child 2: name", "Lou"}, {"Child 2: lives with victim", "No"}}},
		{"a list inside a section", `{"aggravating_factors":[{"factor":"hate_crime","strand":"disability"}]}`, "Item",
			[]releasedRow{{"Aggravating factors 1: factor", "hate_crime"}, {"Aggravating factors 1: strand", "disability"}}},
		{"empty values left out", `{"address":"","phone":"0770","score":null}`, "Item", []releasedRow{{"Phone", "0770"}}},
		{"nothing", ``, "Item", nil},
		{"not JSON", `{"name":`, "Item", []releasedRow{{"Content", "This section could not be shown"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := contentRows([]byte(c.json), c.noun); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("contentRows = %v, want %v", got, c.want)
			}
		})
	}
}

func TestMARACNextStatuses(t *testing.T) {
	closing := []marac.ActionStatus{marac.Done, marac.NotPossible, marac.NotDone}
	cases := []struct {
		name string
		from marac.ActionStatus
		p    identity.Principal
		want []marac.ActionStatus
	}{
		{"the owner closes an open action", marac.Open, maracHousing, closing},
		{"the coordinator closes an open action", marac.Open, maracCoordinator, closing},
		{"the coordinator reopens", marac.NotDone, maracCoordinator, []marac.ActionStatus{marac.Open}},
		{"the owner cannot reopen", marac.Done, maracHousing, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := nextStatuses(c.from, c.p); !slices.Equal(got, c.want) {
				t.Fatalf("nextStatuses = %v, want %v", got, c.want)
			}
		})
	}
}

func TestMARACFormErrors(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		status int
		fields map[string]string
		passes bool // the error goes on to the error handler
	}{
		{"validation", problem.Fields(map[string]string{"note": "Say why"}), http.StatusUnprocessableEntity, map[string]string{"note": "Say why"}, false},
		{"a conflict on the field named", problem.New(problem.Conflict, "the referral is already on this meeting's agenda"), http.StatusConflict,
			map[string]string{"referral": "The referral is already on this meeting's agenda."}, false},
		{"not found", marac.NotFound("Case"), 0, nil, true},
		{"forbidden", problem.New(problem.Forbidden, "no"), 0, nil, true},
		{"an internal error", http.ErrHandlerTimeout, 0, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, fields, err := formErrors(c.err, "referral")
			if (err != nil) != c.passes || status != c.status || !reflect.DeepEqual(fields, c.fields) {
				t.Fatalf("formErrors = %d %v %v", status, fields, err)
			}
		})
	}
}

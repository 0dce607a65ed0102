package marac

import (
	"github.com/stalking-hub/hub/internal/category"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
)

var (
	coordinator = identity.Principal{Subject: "iss|coord", Roles: []identity.Role{identity.MARACCoordinator}}
	housing     = identity.Principal{Subject: "iss|h", Roles: []identity.Role{identity.AgencyStaff}, Agency: "housing"}
	health      = identity.Principal{Subject: "iss|n", Roles: []identity.Role{identity.AgencyStaff}, Agency: "health"}
	officer     = identity.Principal{Subject: "iss|o", Roles: []identity.Role{identity.Officer}}
)

func TestActionOverdue(t *testing.T) {
	due := date("2026-12-10")
	cases := []struct {
		name   string
		status ActionStatus
		now    time.Time
		want   bool
	}{
		{"open, the day before", Open, time.Date(2026, 12, 9, 12, 0, 0, 0, time.UTC), false},
		{"open, on the due day until midnight", Open, time.Date(2026, 12, 10, 23, 59, 59, 0, time.UTC), false},
		{"open, the day after", Open, time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC), true},
		{"open, long after", Open, date("2027-03-01"), true},
		{"done is never overdue", Done, date("2027-03-01"), false},
		{"not possible is never overdue", NotPossible, date("2027-03-01"), false},
		{"not done is closed, not overdue", NotDone, date("2027-03-01"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ActionOverdue(Action{Status: c.status, Due: due}, c.now); got != c.want {
				t.Fatalf("ActionOverdue = %v, want %v", got, c.want)
			}
		})
	}
}

func TestUpdateAction(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		from   ActionStatus
		to     string
		note   string
		by     identity.Principal
		code   problem.Code // empty when the change is allowed
		field  string       // the field a validation error names
		status ActionStatus // the status after an allowed change
	}{
		{"owner: open to done, no note needed", Open, "done", "", housing, "", "", Done},
		{"owner: open to not possible with the changed circumstance", Open, "not_possible", "Victim moved out of the area", housing, "", "", NotPossible},
		{"owner: not possible needs the changed circumstance", Open, "not_possible", "  ", housing, problem.Invalid, "note", ""},
		{"owner: open to not done with a reason", Open, "not_done", "No capacity this month", housing, "", "", NotDone},
		{"owner: not done needs a reason", Open, "not_done", "", housing, problem.Invalid, "note", ""},
		{"coordinator: open to done", Open, "done", "Confirmed at the meeting", coordinator, "", "", Done},
		{"unknown status", Open, "finished", "", housing, problem.Invalid, "status", ""},
		{"open to open", Open, "open", "", housing, problem.Conflict, "", ""},
		{"done to done", Done, "done", "", housing, problem.Conflict, "", ""},
		{"done to not done without reopening", Done, "not_done", "x", coordinator, problem.Conflict, "", ""},
		{"not possible to done without reopening", NotPossible, "done", "", housing, problem.Conflict, "", ""},
		{"coordinator reopens", NotDone, "open", "Agreed to try again", coordinator, "", "", Open},
		{"the owner cannot reopen", Done, "open", "", housing, problem.Forbidden, "", ""},
		{"another agency is told it does not exist", Open, "done", "", health, problem.NotFound, "", ""},
		{"an officer is told it does not exist", Open, "done", "", officer, problem.NotFound, "", ""},
		{"a note over the limit", Open, "done", strings.Repeat("x", MaxNote+1), housing, problem.Invalid, "note", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Action{ID: "a1", Agency: "housing", Status: c.from, Version: 3}
			got, err := UpdateAction(a, c.to, c.note, Writer{Agency: c.by.Agency, Default: category.Needs, HasDefault: true}, c.by, now)
			if c.code != "" {
				if err == nil || err.Code != c.code {
					t.Fatalf("err = %v, want %s", err, c.code)
				}
				if c.field != "" && err.Fields[c.field] == "" {
					t.Fatalf("err fields %v do not name %s", err.Fields, c.field)
				}
				if got != a {
					t.Fatalf("a refused change altered the action: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if got.Status != c.status || got.Note.Empty() != (strings.TrimSpace(c.note) == "") || got.UpdatedBy != c.by.Subject || !got.UpdatedAt.Equal(now) || got.Version != 3 {
				t.Fatalf("updated to %+v", got)
			}
		})
	}
}

func TestOnAgenda(t *testing.T) {
	m := Meeting{Date: date("2026-12-03")}
	cases := []struct {
		name string
		open int
		now  time.Time
		want bool
	}{
		{"before the meeting", 0, date("2026-11-20"), true},
		{"on the day", 0, time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC), true},
		{"after, with no open action", 0, date("2026-12-04"), false},
		{"after, with an open action", 1, date("2027-02-01"), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := OnAgenda(m, c.open, c.now); got != c.want {
				t.Fatalf("OnAgenda = %v, want %v", got, c.want)
			}
		})
	}
}

func TestOutstanding(t *testing.T) {
	members := []string{"housing", "health", "idva"}
	cases := []struct {
		name      string
		submitted []Research
		want      []string
	}{
		{"none submitted", nil, members},
		{"one submitted", []Research{{Agency: "health"}}, []string{"housing", "idva"}},
		{"all submitted", []Research{{Agency: "idva"}, {Agency: "housing"}, {Agency: "health"}}, nil},
		{"a non-member's research does not count for a member", []Research{{Agency: "police"}}, members},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Outstanding(members, c.submitted); !slices.Equal(got, c.want) {
				t.Fatalf("Outstanding = %v, want %v", got, c.want)
			}
		})
	}
}

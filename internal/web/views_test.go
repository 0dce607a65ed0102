package web

import (
	"reflect"
	"testing"

	"github.com/stalking-hub/hub/internal/identity"
)

func TestNavigation(t *testing.T) {
	cases := []struct {
		name  string
		roles []identity.Role
		want  []string
	}{
		{"no role", nil, []string{"/"}},
		{"officer", []identity.Role{identity.Officer}, []string{"/", "/referrals"}},
		{"supervisor", []identity.Role{identity.Supervisor}, []string{"/", "/referrals", "/overrides", "/reports/outcomes"}},
		{"agency staff", []identity.Role{identity.AgencyStaff}, []string{"/", "/inbox", "/marac/actions"}},
		{"coordinator", []identity.Role{identity.MARACCoordinator}, []string{"/", "/marac", "/reports/outcomes"}},
		{"admin", []identity.Role{identity.Admin}, []string{"/", "/admin/memberships", "/admin/webhooks"}},
		{"admin and auditor", []identity.Role{identity.Auditor, identity.Admin}, []string{"/", "/audit", "/reports/outcomes", "/admin/memberships", "/admin/webhooks"}},
	}
	for _, c := range cases {
		var got []string
		for _, n := range navigation(identity.Principal{Roles: c.roles}) {
			got = append(got, n.Href)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: navigation %v, want %v", c.name, got, c.want)
		}
	}
}

func TestFieldErrors(t *testing.T) {
	cases := []struct {
		name  string
		errs  map[string]string
		order []string
		want  []fieldError
	}{
		{"none", nil, []string{"email"}, nil},
		{"page order, not map order", map[string]string{"role": "R", "agency": "A", "email": "E"}, []string{"email", "role", "agency"},
			[]fieldError{{"email", "E"}, {"role", "R"}, {"agency", "A"}}},
		{"only those in error", map[string]string{"agency": "A"}, []string{"email", "role", "agency"},
			[]fieldError{{"agency", "A"}}},
		{"unnamed fields follow, sorted", map[string]string{"zeta": "Z", "email": "E", "alpha": "A"}, []string{"email"},
			[]fieldError{{"email", "E"}, {"alpha", "A"}, {"zeta", "Z"}}},
	}
	for _, c := range cases {
		if got := fieldErrors(c.errs, c.order...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSentence(t *testing.T) {
	cases := map[string]string{
		"":                                  "",
		"this form has expired; go back":    "This form has expired; go back.",
		"Page not found":                    "Page not found.",
		"Something went wrong on our side.": "Something went wrong on our side.",
		"  éclair  ":                        "Éclair.",
		"sign in again?":                    "Sign in again?",
	}
	for in, want := range cases {
		if got := sentence(in); got != want {
			t.Errorf("sentence(%q) = %q, want %q", in, got, want)
		}
	}
}

package devidp

import (
	"slices"
	"strings"
	"testing"
)

func TestPersonas(t *testing.T) {
	want := []struct {
		id     string
		roles  []string
		agency string
	}{
		{"officer", []string{"officer"}, ""},
		{"officer2", []string{"officer"}, ""},
		{"supervisor", []string{"supervisor"}, ""},
		{"housing", []string{"agency_staff"}, "housing"},
		{"health", []string{"agency_staff"}, "health"},
		{"victim-support", []string{"agency_staff"}, "victim-support"},
		{"idva", []string{"agency_staff"}, "idva"},
		{"childrens-services", []string{"agency_staff"}, "childrens-services"},
		{"adult-social-care", []string{"agency_staff"}, "adult-social-care"},
		{"probation", []string{"agency_staff"}, "probation"},
		{"coordinator", []string{"marac_coordinator"}, ""},
		{"auditor", []string{"auditor"}, ""},
		{"admin", []string{"admin"}, ""},
	}
	if len(Personas) != len(want) {
		t.Fatalf("%d personas, want %d", len(Personas), len(want))
	}
	emails := map[string]bool{}
	for i, w := range want {
		p := Personas[i]
		if p.ID != w.id || !slices.Equal(p.Roles, w.roles) || p.Agency != w.agency {
			t.Errorf("persona %d = %s %v %q, want %s %v %q", i, p.ID, p.Roles, p.Agency, w.id, w.roles, w.agency)
		}
		if p.Name == "" || p.Title == "" || !strings.Contains(p.Email, "@") || emails[p.Email] {
			t.Errorf("persona %s: name %q, title %q, e-mail %q must be set and the e-mail unique", p.ID, p.Name, p.Title, p.Email)
		}
		emails[p.Email] = true
		c := p.claims()
		if _, has := c["hub_agency"]; has != (w.agency != "") {
			t.Errorf("persona %s: hub_agency present %v, want %v", p.ID, has, w.agency != "")
		}
	}
}

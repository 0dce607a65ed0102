package consent

import (
	"github.com/stalking-hub/hub/internal/sharing/sealed"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
)

var bases = []string{"dpa2018_sch8_safeguarding", "crime_and_disorder_act_s115", "vital_interests"}

func pending() Override {
	return Override{
		ID:          "o1",
		Basis:       "dpa2018_sch8_safeguarding",
		Rationale:   sealed.NewText("r-1", category.Risk, "police", "suspect has found the new address; housing must act today"),
		Agencies:    []string{"housing"},
		Categories:  category.SetOf(category.Identity, category.SafeContact, category.Risk),
		Until:       date(2026, 12, 21),
		RequestedBy: "iss|officer",
		RequestedAt: now.Add(-time.Hour),
		Status:      OverridePending,
	}
}

func approved() Override {
	o := pending()
	o.Status = OverrideApproved
	o.DecidedBy = "iss|supervisor"
	o.DecidedAt = now.Add(-time.Minute)
	return o
}

func TestOverrideCovers(t *testing.T) {
	with := func(base Override, change func(*Override)) Override {
		change(&base)
		return base
	}
	tests := []struct {
		name   string
		o      Override
		agency string
		cat    category.Category
		now    time.Time
		want   bool
	}{
		{"approved, in scope", approved(), "housing", category.Identity, now, true},
		{"pending", pending(), "housing", category.Identity, now, false},
		{"refused", with(approved(), func(o *Override) { o.Status = OverrideRefused }), "housing", category.Identity, now, false},
		{"lapsed at Until", approved(), "housing", category.Identity, date(2026, 12, 21), false},
		{"just before Until", approved(), "housing", category.Identity, date(2026, 12, 21).Add(-time.Second), true},
		{"approved by its own requester", with(approved(), func(o *Override) { o.DecidedBy = o.RequestedBy }), "housing", category.Identity, now, false},
		{"approved with no decider", with(approved(), func(o *Override) { o.DecidedBy = "" }), "housing", category.Identity, now, false},
		{"approved with no requester", with(approved(), func(o *Override) { o.RequestedBy = "" }), "housing", category.Identity, now, false},
		{"agency not in scope", approved(), "health", category.Identity, now, false},
		{"category not in scope", approved(), "housing", category.Health, now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.o.Covers(tt.agency, tt.cat, tt.now); got != tt.want {
				t.Fatalf("Covers = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidateOverride(t *testing.T) {
	with := func(change func(*Override)) Override {
		o := pending()
		change(&o)
		return o
	}
	tests := []struct {
		name   string
		o      Override
		fields []string
	}{
		{"valid", pending(), nil},
		{"basis not lawful", with(func(o *Override) { o.Basis = "consent" }), []string{"basis"}},
		{"basis missing", with(func(o *Override) { o.Basis = "" }), []string{"basis"}},
		{"rationale blank", with(func(o *Override) { o.Rationale = sealed.Text{} }), []string{"rationale"}},
		{"no agencies", with(func(o *Override) { o.Agencies = nil }), []string{"agencies"}},
		{"unknown agency", with(func(o *Override) { o.Agencies = []string{"housing", "gym"} }), []string{"agencies[1]"}},
		{"police", with(func(o *Override) { o.Agencies = []string{"police"} }), []string{"agencies[0]"}},
		{"agency twice", with(func(o *Override) { o.Agencies = []string{"housing", "housing"} }), []string{"agencies[1]"}},
		{"no categories", with(func(o *Override) { o.Categories = 0 }), []string{"categories"}},
		{"unknown category bit", with(func(o *Override) { o.Categories = 1 << 10 }), []string{"categories"}},
		{"no end", with(func(o *Override) { o.Until = time.Time{} }), []string{"until"}},
		{"end in the past", with(func(o *Override) { o.Until = now.Add(-time.Second) }), []string{"until"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateOverride(tt.o, bases, known, now)
			if len(tt.fields) == 0 {
				if err != nil {
					t.Fatalf("want valid, got %v %v", err, err.Fields)
				}
				return
			}
			if err == nil || err.Code != problem.Invalid || len(err.Fields) != len(tt.fields) {
				t.Fatalf("got %v, want exactly fields %v", err, tt.fields)
			}
			for _, f := range tt.fields {
				if err.Fields[f] == "" {
					t.Fatalf("field %q not named; got %v", f, err.Fields)
				}
			}
		})
	}
}

func TestDecide(t *testing.T) {
	const fresh = 10 * time.Minute
	supervisor := identity.Principal{Subject: "iss|supervisor", Roles: []identity.Role{identity.Supervisor}, AuthTime: now.Add(-2 * time.Minute).Unix()}
	with := func(p identity.Principal, change func(*identity.Principal)) identity.Principal {
		change(&p)
		return p
	}
	tests := []struct {
		name     string
		o        Override
		approver identity.Principal
		approve  bool
		note     string
		code     problem.Code // empty: the decision is made
		field    string       // for Invalid
		want     OverrideStatus
	}{
		{"supervisor approves", pending(), supervisor, true, "", "", "", OverrideApproved},
		{"supervisor refuses with a note", pending(), supervisor, false, "not proportionate yet", "", "", OverrideRefused},
		{"refusal needs a note", pending(), supervisor, false, "  ", problem.Invalid, "note", ""},
		{"officer cannot decide", pending(), with(supervisor, func(p *identity.Principal) { p.Roles = []identity.Role{identity.Officer} }), true, "", problem.Forbidden, "", ""},
		{"agency staff cannot decide", pending(), with(supervisor, func(p *identity.Principal) { p.Roles = []identity.Role{identity.AgencyStaff}; p.Agency = "housing" }), true, "", problem.Forbidden, "", ""},
		{"requester cannot approve their own", pending(), with(supervisor, func(p *identity.Principal) { p.Subject = "iss|officer" }), true, "", problem.Forbidden, "", ""},
		{"requester cannot refuse their own", pending(), with(supervisor, func(p *identity.Principal) { p.Subject = "iss|officer" }), false, "changed my mind", problem.Forbidden, "", ""},
		{"no subject", pending(), with(supervisor, func(p *identity.Principal) { p.Subject = "" }), true, "", problem.Forbidden, "", ""},
		{"already approved", approved(), supervisor, true, "", problem.Conflict, "", ""},
		{"already refused", func() Override { o := pending(); o.Status = OverrideRefused; return o }(), supervisor, true, "", problem.Conflict, "", ""},
		{"stale sign-in", pending(), with(supervisor, func(p *identity.Principal) { p.AuthTime = now.Add(-fresh - time.Second).Unix() }), true, "", problem.Unauthorized, "", ""},
		{"sign-in exactly at the limit", pending(), with(supervisor, func(p *identity.Principal) { p.AuthTime = now.Add(-fresh).Unix() }), true, "", "", "", OverrideApproved},
		{"unknown time of sign-in", pending(), with(supervisor, func(p *identity.Principal) { p.AuthTime = 0 }), true, "", problem.Unauthorized, "", ""},
		{"sign-in stamped slightly ahead", pending(), with(supervisor, func(p *identity.Principal) { p.AuthTime = now.Add(30 * time.Second).Unix() }), true, "", "", "", OverrideApproved},
		{"sign-in far in the future", pending(), with(supervisor, func(p *identity.Principal) { p.AuthTime = now.Add(time.Hour).Unix() }), true, "", problem.Unauthorized, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decide(tt.o, tt.approver, tt.approve, tt.note, now, fresh)
			if tt.code != "" {
				if problem.CodeOf(err) != tt.code {
					t.Fatalf("err = %v, want code %s", err, tt.code)
				}
				if tt.code == problem.Unauthorized {
					if pe, _ := problem.As(err); pe.Message != SignInAgain {
						t.Fatalf("message = %q, want %q", pe.Message, SignInAgain)
					}
				}
				if tt.field != "" {
					if pe, _ := problem.As(err); pe.Fields[tt.field] == "" {
						t.Fatalf("fields = %v, want %q named", pe.Fields, tt.field)
					}
				}
				if got.Status != tt.o.Status || got.DecidedBy != tt.o.DecidedBy {
					t.Fatalf("a refused decision changed the override: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if got.Status != tt.want || got.DecidedBy != tt.approver.Subject || !got.DecidedAt.Equal(now) || got.Note != strings.TrimSpace(tt.note) {
				t.Fatalf("decided = %+v", got)
			}
			if tt.want == OverrideApproved && !got.Covers("housing", category.Identity, now) {
				t.Fatalf("an approval by a supervisor should cover its scope")
			}
		})
	}
}

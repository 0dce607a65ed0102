package marac

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC)

// fieldNames returns the sorted names of a validation error's fields.
func fieldNames(fields map[string]string) []string {
	return slices.Sorted(maps.Keys(fields))
}

func TestNewMeeting(t *testing.T) {
	panels := []string{"north", "south"}
	cases := []struct {
		name   string
		in     NewMeeting
		fields []string
	}{
		{"a meeting next month", NewMeeting{Date: "2026-12-03", Panel: "north"}, nil},
		{"today", NewMeeting{Date: "2026-11-21", Panel: "south"}, nil},
		{"yesterday", NewMeeting{Date: "2026-11-20", Panel: "north"}, []string{"date"}},
		{"not a date", NewMeeting{Date: "03/12/2026", Panel: "north"}, []string{"date"}},
		{"no date", NewMeeting{Panel: "north"}, []string{"date"}},
		{"no panel", NewMeeting{Date: "2026-12-03"}, []string{"panel"}},
		{"unknown panel", NewMeeting{Date: "2026-12-03", Panel: "west"}, []string{"panel"}},
		{"both wrong", NewMeeting{Date: "soon", Panel: "west"}, []string{"date", "panel"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := c.in.Validate(panels, now)
			if c.fields == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if m.Panel != c.in.Panel || m.Date.Format(time.DateOnly) != c.in.Date || m.Date.Location() != time.UTC {
					t.Fatalf("meeting %+v", m)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if got := fieldNames(err.Fields); !slices.Equal(got, c.fields) {
				t.Fatalf("fields %v, want %v", err.Fields, c.fields)
			}
		})
	}
}

func TestNewCase(t *testing.T) {
	cases := []struct {
		name   string
		in     NewCase
		fields []string
	}{
		{"visible high risk, no note", NewCase{Referral: "r-1", Criterion: "visible_high_risk"}, nil},
		{"repeat with a note", NewCase{Referral: "r-1", Criterion: "repeat", Note: "Third referral this year"}, nil},
		{"professional judgement with the concern", NewCase{Referral: "r-1", Criterion: "professional_judgement", Note: "Escalating threats"}, nil},
		{"professional judgement must say the concern", NewCase{Referral: "r-1", Criterion: "professional_judgement", Note: " "}, []string{"note"}},
		{"no referral", NewCase{Criterion: "repeat"}, []string{"referral"}},
		{"unknown criterion", NewCase{Referral: "r-1", Criterion: "high"}, []string{"criterion"}},
		{"note too long", NewCase{Referral: "r-1", Criterion: "repeat", Note: strings.Repeat("é", MaxNote+1)}, []string{"note"}},
		{"note at the limit", NewCase{Referral: "r-1", Criterion: "repeat", Note: strings.Repeat("é", MaxNote)}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.in.Validate()
			if c.fields == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got.ReferralID != c.in.Referral || string(got.Criterion) != c.in.Criterion || got.Note != strings.TrimSpace(c.in.Note) {
					t.Fatalf("case %+v", got)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if f := fieldNames(err.Fields); !slices.Equal(f, c.fields) {
				t.Fatalf("fields %v, want %v", err.Fields, c.fields)
			}
		})
	}
}

func TestNewResearch(t *testing.T) {
	yes, no := true, false
	cases := []struct {
		name   string
		in     NewResearch
		fields []string
	}{
		{"known with an open case", NewResearch{Summary: "Tenant since 2019; open ASB case", KnownToService: &yes, OpenCase: &yes}, nil},
		{"known, no open case", NewResearch{Summary: "Closed case 2024", KnownToService: &yes, OpenCase: &no}, nil},
		{"not known, no summary needed", NewResearch{KnownToService: &no, OpenCase: &no}, nil},
		{"known needs a summary", NewResearch{KnownToService: &yes, OpenCase: &no}, []string{"summary"}},
		{"answers missing are not no", NewResearch{Summary: "x"}, []string{"known_to_service", "open_case"}},
		{"an open case means known", NewResearch{KnownToService: &no, OpenCase: &yes}, []string{"open_case"}},
		{"summary too long", NewResearch{Summary: strings.Repeat("x", MaxNote+1), KnownToService: &yes, OpenCase: &no}, []string{"summary"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.in.Validate()
			if c.fields == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got.Summary != c.in.Summary || got.KnownToService != *c.in.KnownToService || got.OpenCase != *c.in.OpenCase {
					t.Fatalf("research %+v", got)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if f := fieldNames(err.Fields); !slices.Equal(f, c.fields) {
				t.Fatalf("fields %v, want %v", err.Fields, c.fields)
			}
		})
	}
}

func TestNewAction(t *testing.T) {
	owners := []string{"housing", "health"}
	cases := []struct {
		name   string
		in     NewAction
		fields []string
	}{
		{"an action", NewAction{Agency: "housing", Description: "Fit a sanctuary lock", Due: "2026-12-20"}, nil},
		{"due today", NewAction{Agency: "health", Description: "Flag the GP record", Due: "2026-11-21"}, nil},
		{"due yesterday", NewAction{Agency: "health", Description: "Flag the GP record", Due: "2026-11-20"}, []string{"due"}},
		{"no agency", NewAction{Description: "x", Due: "2026-12-20"}, []string{"agency"}},
		{"an agency that may not own actions", NewAction{Agency: "probation", Description: "x", Due: "2026-12-20"}, []string{"agency"}},
		{"no description", NewAction{Agency: "housing", Description: "  ", Due: "2026-12-20"}, []string{"description"}},
		{"description too long", NewAction{Agency: "housing", Description: strings.Repeat("x", MaxDescription+1), Due: "2026-12-20"}, []string{"description"}},
		{"no due date", NewAction{Agency: "housing", Description: "x"}, []string{"due"}},
		{"everything missing", NewAction{}, []string{"agency", "description", "due"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.in.Validate(owners, now)
			if c.fields == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got.Agency != c.in.Agency || got.Description != c.in.Description || got.Due.Format(time.DateOnly) != c.in.Due || got.Status != Open {
					t.Fatalf("action %+v", got)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if f := fieldNames(err.Fields); !slices.Equal(f, c.fields) {
				t.Fatalf("fields %v, want %v", err.Fields, c.fields)
			}
		})
	}
}

package marac

import (
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
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
		{"note with the category chosen", NewCase{Referral: "r-1", Criterion: "repeat", Note: "Mental health crisis", NoteCategory: "health"}, nil},
		{"note with an unknown category", NewCase{Referral: "r-1", Criterion: "repeat", Note: "x", NoteCategory: "gossip"}, []string{"note_category"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.in.Validate(coordinatorWriter)
			if c.fields == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got.ReferralID != c.in.Referral || string(got.Criterion) != c.in.Criterion || got.Note != sealedAs(coordinatorWriter, c.in.NoteCategory, c.in.Note) {
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
		{"summary as needs, not health", NewResearch{Summary: "Asked for counselling", KnownToService: &yes, OpenCase: &no, Category: "needs"}, nil},
		{"summary with an unknown category", NewResearch{Summary: "x", KnownToService: &yes, OpenCase: &no, Category: "rumour"}, []string{"category"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.in.Validate(healthWriter)
			if c.fields == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				want := sealedAs(healthWriter, c.in.Category, c.in.Summary)
				if c.in.Summary == "" {
					// Research carries its category even when empty: its answers follow it.
					want = sealed.NewText("", category.Health, "health", "")
				}
				if got.Summary != want || got.Agency != "health" || got.KnownToService != *c.in.KnownToService || got.OpenCase != *c.in.OpenCase {
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
			got, err := c.in.Validate(owners, coordinatorWriter, now)
			if c.fields == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got.Agency != c.in.Agency || got.Description != sealedAs(coordinatorWriter, "", c.in.Description) || got.Due.Format(time.DateOnly) != c.in.Due || got.Status != Open {
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

var (
	coordinatorWriter = Writer{Agency: "marac-coordinator", Default: category.Risk, HasDefault: true}
	healthWriter      = Writer{Agency: "health", Default: category.Health, HasDefault: true}
)

// sealedAs is body as w writes it, trimmed, in the category named (w's
// default when none); no text at all when body is blank.
func sealedAs(w Writer, chosen, body string) sealed.Text {
	body = strings.TrimSpace(body)
	if body == "" {
		return sealed.Text{}
	}
	c := w.Default
	if chosen != "" {
		c, _ = category.Parse(chosen)
	}
	return sealed.NewText("", c, w.Agency, body)
}

func TestWriterWithoutDefaultMustChoose(t *testing.T) {
	yes, no := true, false
	_, err := NewResearch{Summary: "Known", KnownToService: &yes, OpenCase: &no}.Validate(Writer{Agency: "education"})
	if err == nil || err.Fields["category"] == "" {
		t.Fatalf("research from an agency with no default category and none chosen: %v", err)
	}
	got, err := NewResearch{Summary: "Known", KnownToService: &yes, OpenCase: &no, Category: "children"}.Validate(Writer{Agency: "education"})
	if err != nil || got.Summary != sealed.NewText("", category.Children, "education", "Known") {
		t.Fatalf("research with its category chosen: %+v %v", got, err)
	}
}

package consent

import (
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/problem"
)

var (
	now      = time.Date(2026, 11, 21, 14, 30, 0, 0, time.UTC)
	today    = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	tomorrow = today.AddDate(0, 0, 1)
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func known(id string) bool {
	switch id {
	case "housing", "health", "idva", "police":
		return true
	}
	return false
}

func given() Consent {
	return Consent{
		ID:         "c1",
		Decision:   Given,
		Agencies:   []string{"housing", "idva"},
		Categories: category.SetOf(category.Identity, category.SafeContact, category.Needs),
		Method:     Verbal,
		ObtainedOn: date(2026, 11, 1),
		ReviewOn:   date(2027, 5, 1),
		RecordedBy: "iss|officer",
		RecordedAt: date(2026, 11, 1).Add(10 * time.Hour),
	}
}

func TestCurrent(t *testing.T) {
	at := func(id string, d Decision, recorded time.Time) Consent {
		return Consent{ID: id, Decision: d, RecordedAt: recorded}
	}
	t1 := date(2026, 10, 1)
	t2 := date(2026, 10, 5)
	t3 := date(2026, 10, 9)
	tests := []struct {
		name    string
		history []Consent
		wantID  string
		wantOK  bool
	}{
		{"empty history", nil, "", false},
		{"one record", []Consent{at("a", Given, t1)}, "a", true},
		{"the latest rules", []Consent{at("a", Given, t1), at("b", Refused, t2)}, "b", true},
		{"withdrawal after consent ends it", []Consent{at("a", Given, t1), at("b", Withdrawn, t2)}, "b", true},
		{"consent given again after a withdrawal", []Consent{at("a", Given, t1), at("b", Withdrawn, t2), at("c", Given, t3)}, "c", true},
		{"out of order history: latest by time", []Consent{at("a", Given, t1), at("c", Withdrawn, t3), at("b", Given, t2)}, "c", true},
		{"same instant: later in the history wins", []Consent{at("a", Given, t2), at("b", Withdrawn, t2)}, "b", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Current(tt.history)
			if ok != tt.wantOK || got.ID != tt.wantID {
				t.Fatalf("Current = %q, %v; want %q, %v", got.ID, ok, tt.wantID, tt.wantOK)
			}
		})
	}
}

func TestConsentCovers(t *testing.T) {
	with := func(change func(*Consent)) Consent {
		c := given()
		change(&c)
		return c
	}
	tests := []struct {
		name   string
		c      Consent
		agency string
		cat    category.Category
		now    time.Time
		want   bool
	}{
		{"given, in scope", given(), "housing", category.Identity, now, true},
		{"second agency in scope", given(), "idva", category.Needs, now, true},
		{"agency not in scope", given(), "health", category.Identity, now, false},
		{"category not in scope", given(), "housing", category.Health, now, false},
		{"refused", with(func(c *Consent) { c.Decision = Refused }), "housing", category.Identity, now, false},
		{"withdrawn", with(func(c *Consent) { c.Decision = Withdrawn }), "housing", category.Identity, now, false},
		{"not sought", with(func(c *Consent) { c.Decision = NotSought }), "housing", category.Identity, now, false},
		{"the day before review", given(), "housing", category.Identity, date(2027, 4, 30).Add(23*time.Hour + 59*time.Minute), true},
		{"on the review date it has lapsed", given(), "housing", category.Identity, date(2027, 5, 1), false},
		{"past the review date", given(), "housing", category.Identity, date(2027, 6, 1), false},
		{"no review date covers nothing", with(func(c *Consent) { c.ReviewOn = time.Time{} }), "housing", category.Identity, now, false},
		{"not yet obtained", given(), "housing", category.Identity, date(2026, 10, 31), false},
		{"empty agency never matches", given(), "", category.Identity, now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Covers(tt.agency, tt.cat, tt.now); got != tt.want {
				t.Fatalf("Covers(%s, %s) = %v, want %v", tt.agency, tt.cat, got, tt.want)
			}
		})
	}
}

func TestValidateConsent(t *testing.T) {
	with := func(change func(*Consent)) Consent {
		c := given()
		change(&c)
		return c
	}
	tests := []struct {
		name   string
		c      Consent
		fields []string // the fields named; none means valid
	}{
		{"valid given consent", given(), nil},
		{"valid refusal", Consent{Decision: Refused, ObtainedOn: today}, nil},
		{"valid withdrawal", Consent{Decision: Withdrawn, ObtainedOn: today, Method: Written}, nil},
		{"valid not sought", Consent{Decision: NotSought, Reason: "seeking it would alert the suspect"}, nil},
		{"unknown decision", with(func(c *Consent) { c.Decision = "maybe" }), []string{"decision"}},
		{"not sought needs a reason", Consent{Decision: NotSought, Reason: "  "}, []string{"reason"}},
		{"second agency unknown", with(func(c *Consent) { c.Agencies = []string{"housing", "bank"} }), []string{"agencies[1]"}},
		{"police is not a recipient", with(func(c *Consent) { c.Agencies = []string{"police"} }), []string{"agencies[0]"}},
		{"agency twice", with(func(c *Consent) { c.Agencies = []string{"housing", "idva", "housing"} }), []string{"agencies[2]"}},
		{"given needs agencies", with(func(c *Consent) { c.Agencies = nil }), []string{"agencies"}},
		{"given needs categories", with(func(c *Consent) { c.Categories = 0 }), []string{"categories"}},
		{"categories outside the nine", with(func(c *Consent) { c.Categories |= 1 << 12 }), []string{"categories"}},
		{"given needs a method", with(func(c *Consent) { c.Method = "" }), []string{"method"}},
		{"unknown method", with(func(c *Consent) { c.Method = "telepathy" }), []string{"method"}},
		{"obtained_on required", with(func(c *Consent) { c.ObtainedOn = time.Time{} }), []string{"obtained_on"}},
		{"obtained today is fine", with(func(c *Consent) { c.ObtainedOn = today.Add(23 * time.Hour) }), nil},
		{"obtained_on in the future", with(func(c *Consent) { c.ObtainedOn = tomorrow }), []string{"obtained_on"}},
		{"given needs review_on", with(func(c *Consent) { c.ReviewOn = time.Time{} }), []string{"review_on"}},
		{"review_on before obtained_on", with(func(c *Consent) { c.ObtainedOn = date(2026, 11, 20); c.ReviewOn = date(2026, 11, 19) }), []string{"review_on"}},
		{"review_on equal to obtained_on", with(func(c *Consent) { c.ObtainedOn = today; c.ReviewOn = today }), []string{"review_on"}},
		{"review_on already passed", with(func(c *Consent) { c.ObtainedOn = date(2026, 1, 1); c.ReviewOn = date(2026, 6, 1) }), []string{"review_on"}},
		{"refusal with a review date before it", Consent{Decision: Refused, ObtainedOn: today, ReviewOn: date(2026, 1, 1)}, []string{"review_on"}},
		{"several at once", Consent{Decision: Given, Agencies: []string{"bank"}}, []string{"agencies[0]", "categories", "method", "obtained_on", "review_on"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateConsent(tt.c, known, now)
			if len(tt.fields) == 0 {
				if err != nil {
					t.Fatalf("want valid, got %v %v", err, err.Fields)
				}
				return
			}
			if err == nil {
				t.Fatalf("want fields %v, got valid", tt.fields)
			}
			if err.Code != problem.Invalid {
				t.Fatalf("code = %s, want invalid", err.Code)
			}
			if len(err.Fields) != len(tt.fields) {
				t.Fatalf("fields = %v, want exactly %v", err.Fields, tt.fields)
			}
			for _, f := range tt.fields {
				if err.Fields[f] == "" {
					t.Fatalf("field %q not named; got %v", f, err.Fields)
				}
			}
		})
	}
}

package referral

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/vocab"
)

const example = `{
  "crime_reference": "MP/26/001234",
  "offence": "stalking_fear_alarm_distress",
  "summary": "Repeated unwanted contact since March; followed to work twice.",
  "incidents": {"count": 6, "first": "2026-03-02", "last": "2026-11-20"},
  "aggravating_factors": [{"factor": "domestic_abuse"}, {"factor": "hate_crime", "strand": "disability"}],
  "risk": {"tool": "dash", "score": 15, "level": "high", "assessed_on": "2026-11-21"},
  "victim": {
    "name": "Alex Example", "date_of_birth": "1990-04-02", "address": "1 Sample Street", "phone": "07700900000", "email": "alex@example.com",
    "safe_contact": {"method": "phone", "times": "weekdays 10-12", "instructions": "do not leave voicemail"},
    "health": "anxiety", "needs": "wants help to move", "views": "does not want the suspect told"
  },
  "suspect": {"name": "Sam Sample", "date_of_birth": "1985-09-30", "relationship": "ex_partner", "address": "2 Test Road", "orders": "bail: no contact"},
  "children": [{"name": "Kit Example", "date_of_birth": "2018-06-01", "school": "Hill Primary", "lives_with_victim": true}],
  "agencies": [{"agency": "housing", "request": "assess for sanctuary scheme"}, {"agency": "victim-support", "request": "ISVA support"}],
  "consent": {"decision": "given", "agencies": ["housing", "victim-support"], "categories": ["identity", "contact", "safe_contact", "needs", "risk"], "method": "verbal", "obtained_on": "2026-11-21", "review_on": "2027-05-21"}
}`

func directory() *agency.Directory {
	return agency.NewDirectory([]agency.Agency{{ID: "police"}, {ID: "housing"}, {ID: "victim-support"}})
}

func validator26() *Validator {
	return NewValidator(func() time.Time { return time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) })
}

func TestExampleIsValid(t *testing.T) {
	s, perr := Decode([]byte(example))
	if perr != nil {
		t.Fatal(perr)
	}
	if perr := validator26().Validate(s, directory()); perr != nil {
		t.Fatalf("%v %v", perr, perr.Fields)
	}
	sec := s.Sections()
	for _, c := range category.All() {
		if sec[c] == nil && c != category.Orders { // orders come from the register, not the submission
			t.Errorf("no %s section", c)
		}
	}
	if strings.Contains(string(sec[category.Identity]), "07700900000") || !strings.Contains(string(sec[category.Contact]), "07700900000") {
		t.Error("the phone number is in the wrong section")
	}
}

// Each row breaks the example one way and names the field that must be reported.
func TestValidationNamesTheField(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		field string
	}{
		{"offence missing", func(m map[string]any) { delete(m, "offence") }, "offence"},
		{"summary missing", func(m map[string]any) { delete(m, "summary") }, "summary"},
		{"risk level missing", func(m map[string]any) { delete(obj(m, "risk"), "level") }, "risk.level"},
		{"victim name missing", func(m map[string]any) { delete(obj(m, "victim"), "name") }, "victim.name"},
		{"safe contact method missing", func(m map[string]any) { delete(obj(obj(m, "victim"), "safe_contact"), "method") }, "victim.safe_contact.method"},
		{"agencies missing", func(m map[string]any) { delete(m, "agencies") }, "agencies"},
		{"agencies empty", func(m map[string]any) { m["agencies"] = []any{} }, "agencies"},
		{"consent decision missing", func(m map[string]any) { delete(obj(m, "consent"), "decision") }, "consent.decision"},
		{"bad offence", func(m map[string]any) { m["offence"] = "burglary" }, "offence"},
		{"bad risk level", func(m map[string]any) { obj(m, "risk")["level"] = "extreme" }, "risk.level"},
		{"future assessment", func(m map[string]any) { obj(m, "risk")["assessed_on"] = "2026-11-30" }, "risk.assessed_on"},
		{"future birth", func(m map[string]any) { obj(m, "victim")["date_of_birth"] = "2027-01-01" }, "victim.date_of_birth"},
		{"not a date", func(m map[string]any) { obj(m, "incidents")["first"] = "2nd March" }, "incidents.first"},
		{"unknown agency", func(m map[string]any) { m["agencies"] = []any{map[string]any{"agency": "mi6"}} }, "agencies[0].agency"},
		{"police as recipient", func(m map[string]any) { m["agencies"] = []any{map[string]any{"agency": "police"}} }, "agencies[0].agency"},
		{"agency twice", func(m map[string]any) {
			m["agencies"] = []any{map[string]any{"agency": "housing"}, map[string]any{"agency": "housing"}}
		}, "agencies[1].agency"},
		{"hate crime without strand", func(m map[string]any) { m["aggravating_factors"] = []any{map[string]any{"factor": "hate_crime"}} }, "aggravating_factors[0].strand"},
		{"bad strand", func(m map[string]any) {
			m["aggravating_factors"] = []any{map[string]any{"factor": "hate_crime", "strand": "football"}}
		}, "aggravating_factors[0].strand"},
		{"not sought without reason", func(m map[string]any) { obj(m, "consent")["decision"] = "not_sought" }, "consent.reason"},
		{"consent category unknown", func(m map[string]any) { obj(m, "consent")["categories"] = []any{"bank"} }, "consent.categories[0]"},
		{"last before first", func(m map[string]any) { obj(m, "incidents")["last"] = "2026-01-01" }, "incidents.last"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m map[string]any
			json.Unmarshal([]byte(example), &m)
			c.edit(m)
			b, _ := json.Marshal(m)
			s, perr := Decode(b)
			if perr == nil {
				perr = validator26().Validate(s, directory())
			}
			if perr == nil {
				t.Fatal("accepted")
			}
			if _, ok := perr.Fields[c.field]; !ok {
				t.Fatalf("fields %v do not name %s", perr.Fields, c.field)
			}
		})
	}
}

func TestUnknownFieldRefused(t *testing.T) {
	_, perr := Decode([]byte(`{"offence":"stalking","victim":{"name":"x","shoe_size":9}}`))
	if perr == nil || perr.Fields["shoe_size"] == "" {
		t.Fatalf("unknown field: %v", perr)
	}
	if _, perr := Decode([]byte(`{"offence":`)); perr == nil || perr.Code != "malformed" {
		t.Fatalf("broken JSON: %v", perr)
	}
}

func obj(m map[string]any, k string) map[string]any { return m[k].(map[string]any) }

// Every vocab= tag of a submission names a vocabulary of the registry: a
// misspelt name would refuse every value of its field.
func TestVocabTagsNameTheRegistry(t *testing.T) {
	seen := map[reflect.Type]bool{}
	tags := 0
	var walk func(reflect.Type)
	walk = func(ty reflect.Type) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || seen[ty] {
			return
		}
		seen[ty] = true
		for f := range ty.Fields() {
			for rule := range strings.SplitSeq(f.Tag.Get("validate"), ",") {
				if name, ok := strings.CutPrefix(rule, "vocab="); ok {
					tags++
					if _, ok := vocab.Lookup(name); !ok {
						t.Errorf("%s.%s: no vocabulary %q", ty.Name(), f.Name, name)
					}
				}
				if strings.HasPrefix(rule, "oneof=") {
					t.Errorf("%s.%s: a oneof list beside the registry: use vocab=", ty.Name(), f.Name)
				}
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[Submission]())
	if tags < 10 {
		t.Errorf("%d vocab tags found: the walk missed some", tags)
	}
}

package referral

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/vocab"
)

// Submission is a referral as an officer raises it, in the words of the API
// (../shared/api.md "A referral as created") and of the referral form.
type Submission struct {
	CrimeReference     string              `json:"crime_reference" validate:"max=40"`
	Offence            string              `json:"offence" validate:"required,vocab=offence"`
	Summary            string              `json:"summary" validate:"required,max=4000"`
	Incidents          Incidents           `json:"incidents"`
	AggravatingFactors []AggravatingFactor `json:"aggravating_factors" validate:"dive"`
	Risk               RiskAssessment      `json:"risk"`
	Victim             Victim              `json:"victim"`
	Suspect            Suspect             `json:"suspect"`
	Children           []Child             `json:"children" validate:"dive"`
	Agencies           []Request           `json:"agencies" validate:"required,min=1,dive"`
	Consent            ConsentGiven        `json:"consent"`
	ConcernMARAC       string              `json:"marac_concern,omitempty" validate:"max=2000"`
	VictimCode         *VictimCode         `json:"victim_code,omitempty"`
	// Suspects are suspects besides Suspect; OthersAtRisk the people the
	// suspect threatens besides the victim; Equality the victim's optional
	// equality details.
	Suspects     []Suspect      `json:"suspects,omitempty" validate:"dive"`
	OthersAtRisk []PersonAtRisk `json:"others_at_risk,omitempty" validate:"dive"`
	Equality     *Equality      `json:"equality,omitempty"`
	// LinkedTo is an earlier referral of the same victim or suspect that
	// this one continues, such as the one whose order was breached: the
	// two are linked, confirmed, when this one is sent.
	LinkedTo string `json:"linked_to,omitempty" validate:"max=40"`
}

// VictimCode is what the Victims' Code gives the victim. Enhanced is nil
// when the officer did not say: the offence then decides (stalking: yes).
type VictimCode struct {
	Enhanced *bool `json:"enhanced"`
}

// Incidents is the pattern so far: how many, the first and the last.
type Incidents struct {
	Count int    `json:"count" validate:"gte=0,lte=10000"`
	First string `json:"first" validate:"omitempty,date,past"`
	Last  string `json:"last" validate:"omitempty,date,past"`
}

// AggravatingFactor is one aggravating factor; hate crime takes a strand.
type AggravatingFactor struct {
	Factor string `json:"factor" validate:"required,vocab=aggravating_factor"`
	Strand string `json:"strand,omitempty" validate:"required_if=Factor hate_crime,omitempty,vocab=hate_crime_strand"`
}

// RiskAssessment records the tool, the score and the level; not the questions.
type RiskAssessment struct {
	Tool       string `json:"tool" validate:"omitempty,vocab=risk_tool"`
	Score      *int   `json:"score" validate:"omitempty,gte=0,lte=30"`
	Level      string `json:"level" validate:"required,vocab=risk_level"`
	AssessedOn string `json:"assessed_on" validate:"omitempty,date,past"`
}

// Victim is the person the referral is about.
type Victim struct {
	Name        string      `json:"name" validate:"required,max=200"`
	DateOfBirth string      `json:"date_of_birth" validate:"omitempty,date,past"`
	Address     string      `json:"address" validate:"max=500"`
	Phone       string      `json:"phone" validate:"max=40"`
	Email       string      `json:"email" validate:"omitempty,email,max=200"`
	SafeContact SafeContact `json:"safe_contact"`
	Health      string      `json:"health" validate:"max=4000"`
	Needs       string      `json:"needs" validate:"max=4000"`
	Views       string      `json:"views" validate:"max=4000"`
}

// SafeContact is how an agency may reach the victim without putting them at
// risk: the first method, and any others the victim also accepts.
type SafeContact struct {
	Method       string   `json:"method" validate:"required,vocab=contact_method"`
	OtherMethods []string `json:"other_methods,omitempty"`
	Times        string   `json:"times" validate:"max=200"`
	Instructions string   `json:"instructions" validate:"max=1000"`
}

// Suspect is the person whose behaviour the referral is about.
type Suspect struct {
	Name         string `json:"name" validate:"max=200"`
	DateOfBirth  string `json:"date_of_birth" validate:"omitempty,date,past"`
	Relationship string `json:"relationship" validate:"omitempty,vocab=relationship"`
	Address      string `json:"address" validate:"max=500"`
	Orders       string `json:"orders" validate:"max=1000"`
}

// Child is a child in the victim's life.
type Child struct {
	Name            string `json:"name" validate:"required,max=200"`
	DateOfBirth     string `json:"date_of_birth" validate:"omitempty,date,past"`
	School          string `json:"school" validate:"max=200"`
	LivesWithVictim bool   `json:"lives_with_victim"`
}

// Request is what the officer asks of one agency.
type Request struct {
	Agency  string `json:"agency" validate:"required"`
	Request string `json:"request" validate:"max=1000"`
}

// ConsentGiven is the victim's consent as recorded with the referral.
type ConsentGiven struct {
	Decision   string   `json:"decision" validate:"required,vocab=consent_decision"`
	Reason     string   `json:"reason,omitempty" validate:"required_if=Decision not_sought,max=1000"`
	Agencies   []string `json:"agencies"`
	Categories []string `json:"categories" validate:"dive,vocab=category"`
	Method     string   `json:"method" validate:"omitempty,vocab=consent_method"`
	ObtainedOn string   `json:"obtained_on" validate:"omitempty,date,past"`
	ReviewOn   string   `json:"review_on" validate:"omitempty,date"`
}

// messages says, per validation tag, what to tell the officer.
var messages = map[string]string{
	"required":    "is required",
	"required_if": "is required",
	"vocab":       "is not one of the allowed values",
	"max":         "is too long",
	"min":         "needs at least one",
	"gte":         "is too small",
	"lte":         "is too large",
	"email":       "is not an e-mail address",
	"date":        "must be a date as YYYY-MM-DD",
	"past":        "cannot be in the future",
}

// Validator checks submissions. It is built once; its clock is injected.
type Validator struct {
	v   *validator.Validate
	now func() time.Time
}

// NewValidator builds the validator with the hub's date rules.
func NewValidator(now func() time.Time) *Validator {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		return name
	})
	v.RegisterValidation("date", func(fl validator.FieldLevel) bool {
		_, err := time.Parse(time.DateOnly, fl.Field().String())
		return err == nil
	})
	// vocab=NAME: the value is a code of the registry's vocabulary NAME.
	v.RegisterValidation("vocab", func(fl validator.FieldLevel) bool {
		l, ok := vocab.Lookup(fl.Param())
		return ok && l.Has(fl.Field().String())
	})
	val := &Validator{v: v, now: now}
	v.RegisterValidation("past", func(fl validator.FieldLevel) bool {
		d, err := time.Parse(time.DateOnly, fl.Field().String())
		return err != nil || !d.After(val.today())
	})
	return val
}

func (v *Validator) today() time.Time {
	y, m, d := v.now().UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Validate checks a submission whole and names every bad field by its path
// (victim.name, agencies[1].agency). known says whether an agency id exists.
func (v *Validator) Validate(s Submission, agencies *agency.Directory) *problem.Error {
	fields := map[string]string{}
	if err := v.v.Struct(s); err != nil {
		verrs, ok := err.(validator.ValidationErrors)
		if !ok {
			return problem.New(problem.Malformed, "the referral could not be read")
		}
		for _, fe := range verrs {
			path := fe.Namespace()
			if _, rest, ok := strings.Cut(path, "."); ok {
				path = rest
			}
			if _, seen := fields[path]; !seen {
				fields[path] = fieldLabel(path) + " " + messages[fe.Tag()]
			}
		}
	}
	seen := map[string]bool{}
	for i, r := range s.Agencies {
		path := fmt.Sprintf("agencies[%d].agency", i)
		switch {
		case r.Agency == "":
		case r.Agency == agency.Police:
			fields[path] = "Police cannot be a recipient: the referral comes from the police"
		case seen[r.Agency]:
			fields[path] = "Each agency can be chosen once"
		default:
			if _, ok := agencies.Get(r.Agency); !ok {
				fields[path] = "Choose an agency from the list"
			}
		}
		seen[r.Agency] = true
	}
	for i, a := range s.Consent.Agencies {
		if _, ok := agencies.Get(a); !ok || a == agency.Police {
			fields[fmt.Sprintf("consent.agencies[%d]", i)] = "Choose an agency from the list"
		}
	}
	if s.Incidents.First != "" && s.Incidents.Last != "" && s.Incidents.Last < s.Incidents.First {
		fields["incidents.last"] = "The last incident cannot be before the first"
	}
	if s.Consent.ReviewOn != "" && s.Consent.ObtainedOn != "" && s.Consent.ReviewOn <= s.Consent.ObtainedOn {
		fields["consent.review_on"] = "The review date must be after the date consent was obtained"
	}
	if s.Consent.Decision == "given" && (len(s.Consent.Agencies) == 0 || len(s.Consent.Categories) == 0) {
		if len(s.Consent.Agencies) == 0 {
			fields["consent.agencies"] = "Say which agencies the victim agreed to share with"
		}
		if len(s.Consent.Categories) == 0 {
			fields["consent.categories"] = "Say which kinds of information the victim agreed to share"
		}
	}
	checkStrands(s.AggravatingFactors, fields)
	checkOtherMethods(s.Victim.SafeContact, fields)
	checkEquality(s.Equality, fields)
	if s.Risk.Tool == "dash" && s.Risk.Score != nil && *s.Risk.Score > 24 {
		fields["risk.score"] = "A DASH score is a count of 24 questions: 0 to 24"
	}
	CheckRisk(s.Risk, "risk.", fields)
	if len(fields) > 0 {
		return problem.Fields(fields)
	}
	return nil
}

// checkStrands names a hate-crime strand given twice: a referral may carry
// several strands, each once.
func checkStrands(fs []AggravatingFactor, fields map[string]string) {
	seen := map[string]bool{}
	for i, f := range fs {
		if f.Factor != "hate_crime" || f.Strand == "" {
			continue
		}
		if seen[f.Strand] {
			fields[fmt.Sprintf("aggravating_factors[%d].strand", i)] = "Each hate crime strand can be chosen once"
		}
		seen[f.Strand] = true
	}
}

// checkOtherMethods names other_methods when one is not a method, is given
// twice or repeats the first method.
func checkOtherMethods(sc SafeContact, fields map[string]string) {
	const path = "victim.safe_contact.other_methods"
	for i, m := range sc.OtherMethods {
		switch {
		case !vocab.ContactMethods.Has(m):
			fields[path] = "Other safe contact methods must be from the list"
		case m == sc.Method:
			fields[path] = "Other safe contact methods cannot repeat the first method"
		case slices.Contains(sc.OtherMethods[:i], m):
			fields[path] = "Each other safe contact method can be chosen once"
		default:
			continue
		}
		return
	}
}

// ValidateRisk checks a re-assessment: the assessment as at create (its
// fields named risk.tool, risk.score, risk.level, risk.assessed_on, as in a
// referral, so one error handler serves both) and coherent with its tool's
// threshold, and a reason.
func (v *Validator) ValidateRisk(a RiskAssessment, reason string) *problem.Error {
	fields := map[string]string{}
	if err := v.v.Struct(a); err != nil {
		verrs, ok := err.(validator.ValidationErrors)
		if !ok {
			return problem.New(problem.Malformed, "the assessment could not be read")
		}
		for _, fe := range verrs {
			path := "risk." + fe.Field()
			if _, seen := fields[path]; !seen {
				fields[path] = fieldLabel(path) + " " + messages[fe.Tag()]
			}
		}
	}
	if a.Tool == "dash" && a.Score != nil && *a.Score > 24 {
		fields["risk.score"] = "A DASH score is a count of 24 questions: 0 to 24"
	}
	CheckRisk(a, "risk.", fields)
	switch r := strings.TrimSpace(reason); {
	case r == "":
		fields["reason"] = "Say why the risk was re-assessed"
	case len(r) > 2000:
		fields["reason"] = "Reason is too long"
	}
	if len(fields) > 0 {
		return problem.Fields(fields)
	}
	return nil
}

// CheckRisk adds to fields, under prefix, what is incoherent in an
// assessment: a level below its tool's threshold (a DASH score of 14 or
// more recorded as less than high) names prefix+"level".
func CheckRisk(a RiskAssessment, prefix string, fields map[string]string) {
	if _, bad := fields[prefix+"level"]; bad || a.Level == "" {
		return
	}
	if ok, why := risk.Coherent(risk.Tool(a.Tool), a.Score, risk.Level(a.Level)); !ok {
		fields[prefix+"level"] = why
	}
}

// fieldLabel turns a path into words for a message: "victim.safe_contact.method"
// becomes "Victim safe contact method".
func fieldLabel(path string) string {
	words := strings.NewReplacer(".", " ", "_", " ", "[", " ", "]", "").Replace(path)
	if words == "" {
		return "This"
	}
	return strings.ToUpper(words[:1]) + words[1:]
}

// Decode reads a submission from JSON, refusing unknown fields, and turns a
// decoding failure into a field error where it can.
func Decode(body []byte) (Submission, *problem.Error) {
	var s Submission
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return s, problem.Invalidf(name, "%s is not a field of a referral", name)
		case asTypeError(err, &te):
			return s, problem.Invalidf(te.Field, "%s has the wrong type: want %s", te.Field, te.Type.String())
		}
		return s, problem.New(problem.Malformed, "the body is not valid JSON")
	}
	if dec.More() {
		return s, problem.New(problem.Malformed, "the body holds more than one JSON value")
	}
	return s, nil
}

func asTypeError(err error, te **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	*te = t
	return ok
}

// Sections splits the personal data of a submission into one JSON section per
// category, so each can be sealed, withheld and audited alone. A category the
// submission holds nothing for is nil.
func (s Submission) Sections() [category.Count][]byte {
	var out [category.Count][]byte
	put := func(c category.Category, v any, empty bool) {
		if empty {
			return
		}
		b, _ := json.Marshal(v)
		out[c] = b
	}
	v := s.Victim
	put(category.Identity, IdentitySection{Name: v.Name, DateOfBirth: v.DateOfBirth}, v.Name == "")
	put(category.Contact, ContactSection{Address: v.Address, Phone: v.Phone, Email: v.Email}, v.Address == "" && v.Phone == "" && v.Email == "")
	put(category.SafeContact, v.SafeContact, v.SafeContact.Method == "")
	put(category.Offence, OffenceSection{CrimeReference: s.CrimeReference, Summary: s.Summary, Incidents: s.Incidents, AggravatingFactors: s.AggravatingFactors}, false)
	put(category.Risk, RiskSection{RiskAssessment: s.Risk, MARACConcern: s.ConcernMARAC, OthersAtRisk: s.OthersAtRisk}, s.Risk.Level == "")
	put(category.Suspect, SuspectSection{Suspect: s.Suspect, Others: s.Suspects}, s.Suspect == Suspect{} && len(s.Suspects) == 0)
	put(category.Health, HealthSection{Health: v.Health}, v.Health == "")
	put(category.Children, s.Children, len(s.Children) == 0)
	put(category.Needs, NeedsSection{Needs: v.Needs, Views: v.Views}, v.Needs == "" && v.Views == "")
	return out
}

// IdentitySection is the identity category of a referral.
type IdentitySection struct {
	Name        string `json:"name"`
	DateOfBirth string `json:"date_of_birth,omitempty"`
}

// ContactSection is the contact category: where the victim lives and how to reach them.
type ContactSection struct {
	Address string `json:"address,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Email   string `json:"email,omitempty"`
}

// OffenceSection is the offence category.
type OffenceSection struct {
	CrimeReference     string              `json:"crime_reference,omitempty"`
	Summary            string              `json:"summary"`
	Incidents          Incidents           `json:"incidents"`
	AggravatingFactors []AggravatingFactor `json:"aggravating_factors,omitempty"`
}

// RiskSection is the risk category: the assessment and, when the officer
// stated one, their professional-judgement concern for MARAC.
type RiskSection struct {
	RiskAssessment
	MARACConcern string         `json:"marac_concern,omitempty"`
	OthersAtRisk []PersonAtRisk `json:"others_at_risk,omitempty"`
	// History is every assessment, oldest first, once the risk has been
	// re-assessed; the embedded assessment is then the latest of them.
	History []RiskEntry `json:"history,omitempty"`
}

// RiskEntry is one assessment in a referral's risk history: the tool,
// score, level and date, who assessed and why. It is part of the risk
// category, sealed and released with it.
type RiskEntry struct {
	RiskAssessment
	By         string    `json:"by,omitempty"`     // the name of the officer who recorded it
	Reason     string    `json:"reason,omitempty"` // why it was re-assessed; empty for the first
	RecordedAt time.Time `json:"recorded_at"`
}

// HealthSection is the health category: special-category data.
type HealthSection struct {
	Health string `json:"health"`
}

// NeedsSection is the needs category: circumstances and what the victim wants.
type NeedsSection struct {
	Needs string `json:"needs,omitempty"`
	Views string `json:"views,omitempty"`
}

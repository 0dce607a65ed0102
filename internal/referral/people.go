package referral

import (
	"fmt"
	"slices"

	"github.com/stalking-hub/hub/internal/vocab"
)

// PersonAtRisk is someone else the suspect threatens: a new partner,
// family, a colleague. They belong to the risk category: who else is at
// risk is part of the risk picture, as the DASH checklist asks.
type PersonAtRisk struct {
	Name         string `json:"name" validate:"required,max=200"`
	Relationship string `json:"relationship" validate:"required,vocab=person_at_risk_relationship"`
	Notes        string `json:"notes,omitempty" validate:"max=1000"`
}

// SuspectSection is the suspect category: the main suspect, as the
// referral has always held it, and any others.
type SuspectSection struct {
	Suspect
	Others []Suspect `json:"suspects,omitempty"`
}

// Equality is the optional equality and access information MARAC data
// returns ask for, recorded only with the victim's agreement and reported
// only as counts: it is in no category and never released.
type Equality struct {
	Agreed            bool   `json:"agreed"`
	Sex               string `json:"sex,omitempty"`
	AgeBand           string `json:"age_band,omitempty"`
	Ethnicity         string `json:"ethnicity,omitempty"`
	Disability        string `json:"disability,omitempty"`
	SexualOrientation string `json:"sexual_orientation,omitempty"`
	GenderIdentity    string `json:"gender_identity,omitempty"`
	Interpreter       string `json:"interpreter,omitempty"`
}

// EqualityField is one equality question and the codes of its answers.
type EqualityField struct {
	Name   string
	Values []string
}

// EqualityFields are the equality questions and their answers, in the
// order a report shows them, as the registry lists them. Every question
// allows not_stated.
var EqualityFields = equalityFields()

func equalityFields() []EqualityField {
	var out []EqualityField
	for _, q := range vocab.EqualityQuestions {
		answers, _ := vocab.Lookup("equality." + q.Code)
		out = append(out, EqualityField{Name: q.Code, Values: answers.Values()})
	}
	return out
}

// Answers are the answers given, by question name.
func (e Equality) Answers() map[string]string {
	out := map[string]string{}
	for name, v := range map[string]string{"sex": e.Sex, "age_band": e.AgeBand, "ethnicity": e.Ethnicity, "disability": e.Disability,
		"sexual_orientation": e.SexualOrientation, "gender_identity": e.GenderIdentity, "interpreter": e.Interpreter} {
		if v != "" {
			out[name] = v
		}
	}
	return out
}

// checkEquality names each equality answer that is not in its list, and
// answers given without the victim's agreement.
func checkEquality(e *Equality, fields map[string]string) {
	if e == nil {
		return
	}
	answers := e.Answers()
	if len(answers) > 0 && !e.Agreed {
		fields["equality.agreed"] = "Equality details are recorded only with the victim's agreement"
	}
	for _, f := range EqualityFields {
		if v, ok := answers[f.Name]; ok && !slices.Contains(f.Values, v) {
			fields["equality."+f.Name] = fmt.Sprintf("Equality %s must be one of %v", f.Name, f.Values)
		}
	}
}

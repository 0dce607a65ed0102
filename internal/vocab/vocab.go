// Package vocab is the one registry of the hub's controlled vocabularies:
// every code list of ../shared/api.md with the words people read. Validation,
// forms, reports and the OpenAPI document are drawn from it or tested against it.
package vocab

import "strings"

// Term is one entry of a vocabulary: the stable code of the API contract,
// the words a page or a report shows for it, and a hint where a form
// explains it. Codes never change; words may.
type Term struct {
	Code  string
	Label string
	Hint  string
}

// List is a vocabulary's terms, in the order forms offer them and tables
// show them.
type List []Term

// Label is the words for code, and whether the list holds it.
func (l List) Label(code string) (string, bool) {
	t, ok := l.Term(code)
	return t.Label, ok
}

// Term is the entry for code, and whether the list holds it.
func (l List) Term(code string) (Term, bool) {
	for _, t := range l {
		if t.Code == code {
			return t, true
		}
	}
	return Term{}, false
}

// Has reports whether code is in the list.
func (l List) Has(code string) bool {
	_, ok := l.Term(code)
	return ok
}

// Words is the label of code, or, for a code the list does not hold (data
// older than the list, a basis configuration added), the code with spaces
// for underscores: shown, never lost.
func (l List) Words(code string) string {
	if t, ok := l.Term(code); ok {
		return t.Label
	}
	return strings.ReplaceAll(code, "_", " ")
}

// Values lists the codes alone, in order.
func (l List) Values() []string {
	out := make([]string, len(l))
	for i, t := range l {
		out[i] = t.Code
	}
	return out
}

// Labels lists the words alone, in order.
func (l List) Labels() []string {
	out := make([]string, len(l))
	for i, t := range l {
		out[i] = t.Label
	}
	return out
}

// OneOf lists the codes for a message: "a, b or c".
func (l List) OneOf() string {
	v := l.Values()
	if len(v) < 2 {
		return strings.Join(v, "")
	}
	return strings.Join(v[:len(v)-1], ", ") + " or " + v[len(v)-1]
}

// Typed lists a list's codes as a domain package's string type, so that the
// package's list of typed values is drawn from here and is not a second list.
func Typed[T ~string](l List) []T {
	out := make([]T, len(l))
	for i, t := range l {
		out[i] = T(t.Code)
	}
	return out
}

// Vocabulary is one named list of the registry. Its name is the one the
// validation tag `vocab=NAME` uses.
type Vocabulary struct {
	Name  string
	Terms List
}

// All is the registry: every vocabulary, each once.
func All() []Vocabulary {
	return []Vocabulary{
		{"category", Categories},
		{"offence", Offences},
		{"aggravating_factor", AggravatingFactors},
		{"hate_crime_strand", HateCrimeStrands},
		{"risk_tool", RiskTools},
		{"risk_level", RiskLevels},
		{"relationship", Relationships},
		{"person_at_risk_relationship", PersonAtRiskRelationships},
		{"contact_method", ContactMethods},
		{"consent_decision", ConsentDecisions},
		{"consent_method", ConsentMethods},
		{"override_status", OverrideStatuses},
		{"lawful_basis", LawfulBases},
		{"share_status", ShareStatuses},
		{"decline_reason", DeclineReasons},
		{"closing_outcome", ClosingOutcomes},
		{"marac_criterion", MARACCriteria},
		{"marac_action_status", MARACActionStatuses},
		{"order_kind", OrderKinds},
		{"order_status", OrderStatuses},
		{"order_change", OrderChanges},
		{"victim_code_event", VictimCodeEvents},
		{"justice_outcome", JusticeOutcomes},
		{"event_type", EventTypes},
		{"role", Roles},
		{"equality", EqualityQuestions},
		{"equality.sex", EqualitySex},
		{"equality.age_band", EqualityAgeBands},
		{"equality.ethnicity", EqualityEthnicities},
		{"equality.disability", EqualityDisability},
		{"equality.sexual_orientation", EqualitySexualOrientations},
		{"equality.gender_identity", EqualityGenderIdentity},
		{"equality.interpreter", EqualityInterpreter},
	}
}

// byName indexes the registry once, for validation on every request.
var byName = func() map[string]List {
	m := map[string]List{}
	for _, v := range All() {
		m[v.Name] = v.Terms
	}
	return m
}()

// Lookup is the vocabulary named name.
func Lookup(name string) (List, bool) {
	l, ok := byName[name]
	return l, ok
}

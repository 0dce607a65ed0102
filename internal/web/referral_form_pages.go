package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/vocab"
)

// step is one page of the referral form: its questions, asked together and
// checked together.
type step struct {
	Slug      string
	Title     string
	Intro     string
	Questions []question
}

// checkStep is the last page: check your answers and send.
const checkStep = "check"

// referralSteps are the pages of the form; the agencies' pages offer the
// agencies that may receive referrals, in the directory's order.
func (s *Server) referralSteps() []step {
	var agencyChoices, consentAgencies []choice
	for _, a := range s.Agencies.Recipients() {
		agencyChoices = append(agencyChoices, choice{Value: a.ID, Label: a.Name, Reveal: []question{{
			Name: "request." + a.ID, Label: "What you ask of " + a.Name, Kind: textareaKind,
			Hint: "For example, assess for a sanctuary scheme, or offer specialist support"}}})
		consentAgencies = append(consentAgencies, choice{Value: a.ID, Label: a.Name})
	}
	return []step{
		{Slug: "victim", Title: "The victim and safe contact",
			Intro: "A stalker often watches the victim's phone, e-mail, post or home. Every agency that may contact the victim is shown how to do it safely before anything else.",
			Questions: []question{
				{Name: "victim.name", Label: "Full name", Kind: textKind, Required: "Enter the victim's full name", Autocomplete: "off"},
				{Name: "victim.date_of_birth", Label: "Date of birth", Kind: dateKind, Hint: "For example, 27 3 1990"},
				{Label: "Safe contact", Kind: headingKind},
				{Name: "victim.safe_contact.method", Label: "How agencies may contact the victim safely", Kind: radiosKind, Choices: safeContactChoices,
					Required: "Choose how agencies may contact the victim safely"},
				{Name: "victim.safe_contact.other_methods", Label: "Other ways agencies may contact the victim safely (optional)", Kind: checkboxesKind,
					Choices: safeContactChoices, Hint: "Select any other ways the victim also accepts"},
				{Name: "victim.safe_contact.times", Label: "Safe times to make contact", Kind: textKind, Hint: "For example, weekdays 10am to 12pm, when the suspect is at work"},
				{Name: "victim.safe_contact.instructions", Label: "Instructions for safe contact", Kind: textareaKind,
					Hint: "For example, do not leave voicemail; do not write to the home address"},
			}},
		{Slug: "contact", Title: "Contact details", Intro: "Agencies use these only in the way the safe contact instructions allow.",
			Questions: []question{
				{Name: "victim.address", Label: "Address", Kind: textareaKind},
				{Name: "victim.phone", Label: "Phone number", Kind: telKind, Width: "govuk-input--width-20"},
				{Name: "victim.email", Label: "E-mail address", Kind: emailKind},
			}},
		{Slug: "offence", Title: "The offence", Questions: []question{
			{Name: "offence", Label: "Offence", Kind: radiosKind, Choices: offenceChoices, Required: "Choose the offence"},
			{Name: "summary", Label: "What happened", Kind: textareaKind, Required: "Enter a summary of what happened",
				Hint: "The pattern of behaviour, not only the latest incident"},
			{Name: "crime_reference", Label: "Crime reference", Kind: textKind, Width: "govuk-input--width-20", Hint: "For example, MP/26/001234"},
			{Name: "incidents.count", Label: "Number of incidents", Kind: numberKind, Width: "govuk-input--width-3", Hint: "How many incidents so far"},
			{Name: "incidents.first", Label: "Date of the first incident", Kind: dateKind},
			{Name: "incidents.last", Label: "Date of the last incident", Kind: dateKind},
			{Name: "aggravating_factors", Label: "Aggravating factors", Kind: checkboxesKind, Choices: factorChoices, Hint: "Select all that apply"},
		}},
		{Slug: "risk", Title: "Risk assessment", Questions: append(riskAssessmentQuestions(), othersAtRiskQuestions...)},
		{Slug: "suspect", Title: "The suspect", Questions: append([]question{
			{Name: "suspect.name", Label: "Suspect's name", Kind: textKind},
			{Name: "suspect.date_of_birth", Label: "Suspect's date of birth", Kind: dateKind, Hint: "For example, 30 9 1985"},
			{Name: "suspect.relationship", Label: "Relationship to the victim", Kind: selectKind, Choices: relationshipChoices},
			{Name: "suspect.address", Label: "Suspect's address", Kind: textareaKind},
			{Name: "suspect.orders", Label: "Orders or bail conditions", Kind: textareaKind,
				Hint: "For example, bail with no contact, or a Stalking Protection Order and its end date"},
		}, otherSuspectQuestions...)},
		{Slug: "children", Title: "Children", Intro: "Add each child in the victim's life. If there are none, continue.", Questions: childQuestions},
		{Slug: "needs", Title: "Health, needs and views", Questions: []question{
			{Name: "victim.health", Label: "Health", Kind: textareaKind,
				Hint: "Physical or mental health, and substance use, that agencies need to know. Only agencies whose agreement allows health information see it"},
			{Name: "victim.needs", Label: "Circumstances and needs", Kind: textareaKind, Hint: "Vulnerabilities, and the support the victim wants"},
			{Name: "victim.views", Label: "The victim's views", Kind: textareaKind, Hint: "What the victim wants, and anything they do not want to happen"},
			{Name: "marac_concern", Label: "Concern for MARAC (optional)", Kind: textareaKind,
				Hint: "If you think this case should go to MARAC on professional judgement, say what the concern is"},
			victimCodeQuestion, equalityQuestion(),
		}},
		{Slug: "agencies", Title: "Agencies and what you ask of them", Questions: []question{
			{Name: "agencies", Label: "Agencies to send the referral to", Kind: checkboxesKind, Choices: agencyChoices,
				Required: "Choose at least one agency to send the referral to", Hint: "Select all that apply. Each agency sees only what its information-sharing agreement allows"},
		}},
		{Slug: "consent", Title: "Consent", Questions: []question{
			{Name: "consent.decision", Label: "The victim's consent to share", Kind: radiosKind, Required: "Choose whether the victim gave consent",
				Choices: consentDecisionChoices(consentAgencies)},
			{Name: "consent.obtained_on", Label: "Date the victim answered", Kind: dateKind, Hint: "Leave empty if consent was not sought"},
		}},
	}
}

// childQuestions add one child on the children page.
var childQuestions = []question{
	{Name: "child.name", Label: "Child's name", Kind: textKind, Required: "Enter the child's name"},
	{Name: "child.date_of_birth", Label: "Child's date of birth", Kind: dateKind, Hint: "For example, 1 6 2018"},
	{Name: "child.school", Label: "School or nursery", Kind: textKind},
	{Name: "child.lives_with_victim", Label: "Does the child live with the victim?", Kind: radiosKind, Choices: yesNoChoices},
}

// riskAssessmentQuestions ask for the tool, score, level and date of a risk
// assessment: on the referral form and when the risk is re-assessed.
func riskAssessmentQuestions() []question {
	return []question{
		{Name: "risk.tool", Label: "Risk assessment tool", Kind: radiosKind, Choices: riskToolChoices},
		{Name: "risk.score", Label: "Score", Kind: numberKind, Width: "govuk-input--width-3",
			Hint: "The number of ‘yes’ answers. A DASH score of 14 or more is visible high risk"},
		{Name: "risk.level", Label: "Risk level", Kind: radiosKind, Choices: riskLevelChoices, Required: "Choose the risk level",
			Hint: "Professional judgement can raise the level; it must never lower a DASH score"},
		{Name: "risk.assessed_on", Label: "Date of the assessment", Kind: dateKind},
	}
}

// stepBySlug finds a step of the form.
func stepBySlug(steps []step, slug string) (step, int, bool) {
	for i, st := range steps {
		if st.Slug == slug {
			return st, i, true
		}
	}
	return step{}, -1, false
}

// inputs lists every form name the step posts.
func (st step) inputs() []string {
	var out []string
	for _, q := range st.Questions {
		for _, a := range q.all() {
			out = append(out, a.inputs()...)
		}
	}
	return out
}

// owns reports whether the field name is asked on this step.
func (st step) owns(name string) bool {
	if st.Slug == "children" {
		return name == "children" || strings.HasPrefix(name, "child.")
	}
	for _, q := range st.Questions {
		for _, a := range q.all() {
			if a.Name == name {
				return true
			}
		}
	}
	return false
}

// question finds the question with the name on this step.
func (st step) question(name string) (question, bool) {
	for _, q := range st.Questions {
		for _, a := range q.all() {
			if a.Name == name {
				return a, true
			}
		}
	}
	return question{}, false
}

// stepOwning is the step that asks the field, or the check page for a field
// no step asks.
func stepOwning(steps []step, name string) step {
	for _, st := range steps {
		if st.owns(name) {
			return st
		}
	}
	return step{Slug: checkStep, Title: "Check your answers"}
}

// fieldOfPath maps a path of the referral's validation (api.md's field
// paths, such as agencies[1].request) to the form field that answers it.
func fieldOfPath(path string, sub referral.Submission) string {
	index := func(prefix string) int {
		rest := strings.TrimPrefix(path, prefix+"[")
		n, err := strconv.Atoi(rest[:max(strings.IndexByte(rest, ']'), 0)])
		if err != nil {
			return -1
		}
		return n
	}
	switch {
	case strings.HasPrefix(path, "aggravating_factors["):
		if strings.HasSuffix(path, ".strand") {
			return "aggravating_factors.strand"
		}
		return "aggravating_factors"
	case strings.HasPrefix(path, "agencies["):
		if i := index("agencies"); strings.HasSuffix(path, ".request") && i >= 0 && i < len(sub.Agencies) {
			return "request." + sub.Agencies[i].Agency
		}
		return "agencies"
	case strings.HasPrefix(path, "consent.agencies"):
		return "consent.agencies"
	case strings.HasPrefix(path, "consent.categories"):
		return "consent.categories"
	case strings.HasPrefix(path, "children"):
		return "children"
	}
	return path
}

// readVictimAnswers reads the other safe contact methods, the Victims' Code rights and the equality
// details from the form: no answer leaves the rights to the offence's
// default, and equality details are kept only when the victim agreed.
func readVictimAnswers(sub *referral.Submission, v url.Values) {
	sub.Victim.SafeContact.OtherMethods = unique(v["victim.safe_contact.other_methods"])
	sub.VictimCode = nil
	switch v.Get("victim_code.enhanced") {
	case "yes", "no":
		enhanced := v.Get("victim_code.enhanced") == "yes"
		sub.VictimCode = &referral.VictimCode{Enhanced: &enhanced}
	}
	sub.Equality = nil
	if v.Get("equality.agreed") == "yes" {
		e := &referral.Equality{Agreed: true}
		for name, p := range equalityInputs(e) {
			*p = v.Get("equality." + name)
		}
		sub.Equality = e
	}
}

// victimAnswers puts the other safe contact methods, the Victims' Code rights and equality details of a
// submission back into form values.
func victimAnswers(sub referral.Submission, v url.Values) {
	v["victim.safe_contact.other_methods"] = slices.Clone(sub.Victim.SafeContact.OtherMethods)
	if c := sub.VictimCode; c != nil && c.Enhanced != nil {
		v.Set("victim_code.enhanced", map[bool]string{true: "yes", false: "no"}[*c.Enhanced])
	}
	if e := sub.Equality; e != nil && e.Agreed {
		v.Set("equality.agreed", "yes")
		for name, p := range equalityInputs(e) {
			if *p != "" {
				v.Set("equality."+name, *p)
			}
		}
	}
}

// textInputs ties each one-answer form field to its place in a submission.
func textInputs(s *referral.Submission) map[string]*string {
	return map[string]*string{
		"victim.name": &s.Victim.Name, "victim.safe_contact.method": &s.Victim.SafeContact.Method,
		"victim.safe_contact.times": &s.Victim.SafeContact.Times, "victim.safe_contact.instructions": &s.Victim.SafeContact.Instructions,
		"victim.address": &s.Victim.Address, "victim.phone": &s.Victim.Phone, "victim.email": &s.Victim.Email,
		"offence": &s.Offence, "summary": &s.Summary, "crime_reference": &s.CrimeReference,
		"risk.tool": &s.Risk.Tool, "risk.level": &s.Risk.Level,
		"suspect.name": &s.Suspect.Name, "suspect.relationship": &s.Suspect.Relationship, "suspect.address": &s.Suspect.Address, "suspect.orders": &s.Suspect.Orders,
		"victim.health": &s.Victim.Health, "victim.needs": &s.Victim.Needs, "victim.views": &s.Victim.Views, "marac_concern": &s.ConcernMARAC,
		"consent.decision": &s.Consent.Decision,
	}
}

// dateInputs ties each date of the form to its place in a submission.
func dateInputs(s *referral.Submission) map[string]*string {
	return map[string]*string{
		"victim.date_of_birth": &s.Victim.DateOfBirth, "incidents.first": &s.Incidents.First, "incidents.last": &s.Incidents.Last,
		"risk.assessed_on": &s.Risk.AssessedOn, "suspect.date_of_birth": &s.Suspect.DateOfBirth, "consent.obtained_on": &s.Consent.ObtainedOn,
	}
}

// formValues are a submission's answers as the form posts them. Children
// are not among them: the children page adds and removes them one by one.
func formValues(sub referral.Submission) url.Values {
	v := url.Values{}
	for name, p := range textInputs(&sub) {
		if *p != "" {
			v.Set(name, *p)
		}
	}
	setDate := func(name, date string) {
		if date != "" {
			d, m, y := dateParts(date)
			v.Set(name+"-day", d)
			v.Set(name+"-month", m)
			v.Set(name+"-year", y)
		}
	}
	for name, p := range dateInputs(&sub) {
		setDate(name, *p)
	}
	if sub.Incidents.Count != 0 {
		v.Set("incidents.count", strconv.Itoa(sub.Incidents.Count))
	}
	if sub.Risk.Score != nil {
		v.Set("risk.score", strconv.Itoa(*sub.Risk.Score))
	}
	for _, f := range sub.AggravatingFactors {
		if !slices.Contains(v["aggravating_factors"], f.Factor) {
			v.Add("aggravating_factors", f.Factor)
		}
		if f.Strand != "" {
			v.Add("aggravating_factors.strand", f.Strand)
		}
	}
	for _, a := range sub.Agencies {
		v.Add("agencies", a.Agency)
		if a.Request != "" {
			v.Set("request."+a.Agency, a.Request)
		}
	}
	c := sub.Consent
	v["consent.agencies"] = slices.Clone(c.Agencies)
	v["consent.categories"] = slices.Clone(c.Categories)
	if c.Method != "" {
		v.Set("consent.method", c.Method)
	}
	if c.Reason != "" {
		v.Set("consent.reason", c.Reason)
	}
	setDate("consent.review_on", c.ReviewOn)
	victimAnswers(sub, v)
	peopleAnswers(sub, v)
	for k, vs := range v {
		if len(vs) == 0 {
			delete(v, k)
		}
	}
	return v
}

// readForm sets every answer of sub but the children from the form values v,
// and names each answer it cannot read (a date that is not a real date, a
// number that is not a number). Answers that a choice no longer chosen
// revealed are dropped: a strand without hate crime, consent details without
// consent.
func readForm(sub *referral.Submission, v url.Values, labels map[string]string) map[string]string {
	errs := map[string]string{}
	for name, p := range textInputs(sub) {
		*p = strings.TrimSpace(v.Get(name))
	}
	readDate := func(name string, p *string) {
		d, msg := typedDateOf(v, name).iso(labels[name])
		if msg != "" {
			errs[name] = msg
		}
		*p = d
	}
	for name, p := range dateInputs(sub) {
		readDate(name, p)
	}
	readNumber := func(name string) (int, bool) {
		s := strings.TrimSpace(v.Get(name))
		if s == "" {
			return 0, false
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			errs[name] = fmt.Sprintf("%s must be a whole number, like 6", labels[name])
			return 0, false
		}
		return n, true
	}
	readVictimAnswers(sub, v)
	readPeople(sub, v)
	sub.Incidents.Count, _ = readNumber("incidents.count")
	sub.Risk.Score = nil
	if n, ok := readNumber("risk.score"); ok {
		sub.Risk.Score = &n
	}
	sub.AggravatingFactors = nil
	for _, f := range unique(v["aggravating_factors"]) {
		if f != "hate_crime" {
			sub.AggravatingFactors = append(sub.AggravatingFactors, referral.AggravatingFactor{Factor: f})
			continue
		}
		// One hate crime entry per strand chosen; none chosen keeps one
		// without a strand, so validation asks for it.
		strands := unique(v["aggravating_factors.strand"])
		if len(strands) == 0 {
			strands = []string{""}
		}
		for _, st := range strands {
			sub.AggravatingFactors = append(sub.AggravatingFactors, referral.AggravatingFactor{Factor: f, Strand: st})
		}
	}
	sub.Agencies = nil
	for _, id := range unique(v["agencies"]) {
		sub.Agencies = append(sub.Agencies, referral.Request{Agency: id, Request: strings.TrimSpace(v.Get("request." + id))})
	}
	c := &sub.Consent
	c.Agencies, c.Categories, c.Method, c.ReviewOn, c.Reason = nil, nil, "", "", ""
	switch c.Decision {
	case "given":
		c.Agencies, c.Categories = unique(v["consent.agencies"]), unique(v["consent.categories"])
		c.Method = v.Get("consent.method")
		readDate("consent.review_on", &c.ReviewOn)
	case "not_sought":
		c.Reason = strings.TrimSpace(v.Get("consent.reason"))
	}
	return errs
}

// unique keeps the first of each value, in order.
func unique(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// labelsOf maps each field name of the steps to its label, for messages.
func labelsOf(steps []step) map[string]string {
	out := map[string]string{}
	for _, st := range steps {
		for _, q := range st.Questions {
			for _, a := range q.all() {
				out[a.Name] = a.Label
			}
		}
	}
	return out
}

// stepErrors are the errors of the whole referral's validation that belong
// to the step, in the words of its questions. Other steps' gaps wait for
// their own pages and for the check page.
func stepErrors(st step, sub referral.Submission, fields map[string]string) map[string]string {
	out := map[string]string{}
	paths := make([]string, 0, len(fields))
	for path := range fields {
		paths = append(paths, path)
	}
	// In order, so that of two messages for one field the same one wins each time.
	slices.Sort(paths)
	for _, path := range paths {
		msg := fields[path]
		name := fieldOfPath(path, sub)
		if !st.owns(name) {
			continue
		}
		if q, ok := st.question(name); ok {
			msg = friendly(q, msg)
		}
		if _, seen := out[name]; !seen {
			out[name] = msg
		}
	}
	return out
}

// consentDecisionChoices are the decisions a referral is raised with, in
// the registry's words (a consent cannot be withdrawn before it is
// recorded): given asks what it covers, not sought asks why.
func consentDecisionChoices(agencies []choice) []choice {
	cs := slices.DeleteFunc(choicesOf(vocab.ConsentDecisions), func(c choice) bool { return c.Value == "withdrawn" })
	cs = withReveal(cs, "given",
		question{Name: "consent.agencies", Label: "Agencies the consent covers", Kind: checkboxesKind, Choices: agencies},
		question{Name: "consent.categories", Label: "Kinds of information the consent covers", Kind: checkboxesKind, Choices: categoryChoices()},
		question{Name: "consent.method", Label: "How consent was given", Kind: radiosKind, Choices: consentMethodChoices},
		question{Name: "consent.review_on", Label: "Date to review the consent", Kind: dateKind, Hint: "Consent ends at the start of this day unless it is renewed"})
	return withReveal(cs, "not_sought",
		question{Name: "consent.reason", Label: "Why consent was not sought", Kind: textareaKind, Required: "Say why consent was not sought"})
}

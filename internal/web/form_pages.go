package web

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The forms of the referral pages ask their questions through one model: a
// question says what is asked; a formField is that question on a page with
// the person's answer and what is wrong with it. The partial "form-field"
// draws any of them in the GOV.UK pattern for its kind, so that every form
// of the hub reads and behaves alike, with or without JavaScript.

// fieldKind is how a question is asked.
type fieldKind string

// The kinds of question.
const (
	headingKind    fieldKind = "heading" // a sub-heading over the questions after it
	textKind       fieldKind = "text"
	numberKind     fieldKind = "number"
	emailKind      fieldKind = "email"
	telKind        fieldKind = "tel"
	textareaKind   fieldKind = "textarea"
	dateKind       fieldKind = "date" // day, month and year, as GOV.UK asks for dates
	radiosKind     fieldKind = "radios"
	checkboxesKind fieldKind = "checkboxes"
	selectKind     fieldKind = "select"
)

// choice is one answer of a radios, checkboxes or select question. Reveal
// holds the questions that follow from choosing it, shown beneath it.
type choice struct {
	Value, Label, Hint string
	Reveal             []question
}

// question is one question of a form.
type question struct {
	Name         string // the form field's name
	Label        string // a noun phrase: it also names the field in messages
	Hint         string
	Kind         fieldKind
	Choices      []choice
	Required     string // the message when an answer the referral needs is missing
	Width        string // a GOV.UK width class for inputs
	Autocomplete string
	Placeholder  string // a select's empty choice; "Choose" when not set
}

// fieldID is the HTML id of a form field's name: "victim.safe_contact.method"
// becomes "victim-safe_contact-method".
func fieldID(name string) string {
	return strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(name)
}

// anchor is where an error summary's link to the question lands: its first input.
func (q question) anchor() string {
	if q.Kind == dateKind {
		return fieldID(q.Name) + "-day"
	}
	return fieldID(q.Name)
}

// all lists q and every question its choices reveal, in page order.
func (q question) all() []question {
	out := []question{q}
	for _, c := range q.Choices {
		for _, r := range c.Reveal {
			out = append(out, r.all()...)
		}
	}
	return out
}

// inputs lists the names q posts: a date posts three.
func (q question) inputs() []string {
	switch q.Kind {
	case headingKind:
		return nil
	case dateKind:
		return []string{q.Name + "-day", q.Name + "-month", q.Name + "-year"}
	}
	return []string{q.Name}
}

// choiceLabel is the label of the choice with the value, or the value itself.
func (q question) choiceLabel(value string) string {
	for _, c := range q.Choices {
		if c.Value == value {
			return c.Label
		}
	}
	return value
}

// formField is a question on a page, with the answer and its error.
type formField struct {
	question
	ID      string
	Value   string
	Date    typedDate
	Error   string
	Options []fieldOption
}

// fieldOption is one choice on a page: whether it is chosen, and the fields
// it reveals.
type fieldOption struct {
	Value, Label, Hint string
	ID                 string
	Checked            bool
	Revealed           []formField
}

// fieldOf puts question q on a page with the answers in v and the errors in errs.
func fieldOf(q question, v url.Values, errs map[string]string) formField {
	f := formField{question: q, ID: fieldID(q.Name), Value: v.Get(q.Name), Error: errs[q.Name]}
	if q.Kind == dateKind {
		f.Date = typedDateOf(v, q.Name)
	}
	chosen := v[q.Name]
	for i, c := range q.Choices {
		o := fieldOption{Value: c.Value, Label: c.Label, Hint: c.Hint, ID: f.ID, Checked: slices.Contains(chosen, c.Value)}
		// GOV.UK's convention: the first choice carries the question's id,
		// so that the error summary's link lands on it.
		if i > 0 {
			o.ID = f.ID + "-" + strconv.Itoa(i+1)
		}
		for _, r := range c.Reveal {
			o.Revealed = append(o.Revealed, fieldOf(r, v, errs))
		}
		f.Options = append(f.Options, o)
	}
	return f
}

// fieldsOf puts a list of questions on a page.
func fieldsOf(qs []question, v url.Values, errs map[string]string) []formField {
	out := make([]formField, 0, len(qs))
	for _, q := range qs {
		out = append(out, fieldOf(q, v, errs))
	}
	return out
}

// InputType is the type attribute of a one-line input.
func (f formField) InputType() string {
	switch f.Kind {
	case emailKind:
		return "email"
	case telKind:
		return "tel"
	}
	return "text"
}

// Describedby lists the ids of the hint and the error, for aria-describedby.
func (f formField) Describedby() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// ErrorLine is the field's error for the "field-error" partial.
func (f formField) ErrorLine() fieldError { return fieldError{f.ID, f.Error} }

// DateField is a date question as the "date-input" partial draws it.
func (f formField) DateField() dateField {
	return dateField{ID: f.ID, Name: f.Name, Legend: f.Label, Hint: cmp.Or(f.Hint, "For example, 27 3 2026"), typedDate: f.Date, Error: f.Error}
}

// errorSummary orders the errors as their questions appear on the page, each
// linking to its question's first input. An error for no question on the
// page is not dropped: it is listed last and links to the form.
func errorSummary(qs []question, errs map[string]string) []fieldError {
	var out []fieldError
	seen := map[string]bool{}
	for _, q := range qs {
		for _, a := range q.all() {
			if m, ok := errs[a.Name]; ok && !seen[a.Name] {
				out = append(out, fieldError{a.anchor(), m})
				seen[a.Name] = true
			}
		}
	}
	var rest []string
	for n := range errs {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	slices.Sort(rest)
	for _, n := range rest {
		out = append(out, fieldError{"form", errs[n]})
	}
	return out
}

// dateParts splits a YYYY-MM-DD date into the day, month and year a person
// would type; anything else is left as it is, in the year.
func dateParts(s string) (day, month, year string) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "", "", s
	}
	return strconv.Itoa(t.Day()), strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year())
}

// dateWords shows a YYYY-MM-DD date as "2 April 1990"; empty stays empty.
func dateWords(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.Format("2 January 2006")
}

// friendly turns a validator message about q into the words of the page:
// the message q gives for a missing answer, and the field's own label.
func friendly(q question, msg string) string {
	switch {
	case strings.HasSuffix(msg, " is required"), strings.HasSuffix(msg, " needs at least one"),
		strings.HasSuffix(msg, " is not one of the allowed values") && q.Required != "":
		if q.Required != "" {
			return q.Required
		}
		return "Enter " + strings.ToLower(q.Label[:1]) + q.Label[1:]
	case strings.HasSuffix(msg, " cannot be in the future"):
		return q.Label + " must be today or in the past"
	case strings.HasSuffix(msg, " must be a date as YYYY-MM-DD"):
		return q.Label + " must be a real date"
	case strings.HasSuffix(msg, " is too long"):
		return q.Label + " is too long"
	case strings.HasSuffix(msg, " is not an e-mail address"):
		return "Enter an e-mail address in the correct format, like name@example.com"
	case strings.HasSuffix(msg, " is too small"), strings.HasSuffix(msg, " is too large"):
		return q.Label + " is out of range"
	}
	return msg
}

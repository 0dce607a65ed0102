package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// typedDate is a date as typed into a GOV.UK date input: the fields
// NAME-day, NAME-month and NAME-year. Every form in the hub that asks for a
// date reads it with typedDateOf, checks it with iso, and draws it with the
// "date-input" partial.
type typedDate struct{ Day, Month, Year string }

func typedDateOf(form url.Values, name string) typedDate {
	return typedDate{
		Day:   strings.TrimSpace(form.Get(name + "-day")),
		Month: strings.TrimSpace(form.Get(name + "-month")),
		Year:  strings.TrimSpace(form.Get(name + "-year")),
	}
}

// iso is the date as YYYY-MM-DD. No part given is no date ("" and no
// message); otherwise a message names the field by its label and says what
// is wrong, in the words GOV.UK uses.
func (d typedDate) iso(label string) (string, string) {
	day, month, year := strings.TrimSpace(d.Day), strings.TrimSpace(d.Month), strings.TrimSpace(d.Year)
	if day == "" && month == "" && year == "" {
		return "", ""
	}
	var missing []string
	for _, p := range []struct{ name, v string }{{"day", day}, {"month", month}, {"year", year}} {
		if p.v == "" {
			missing = append(missing, p.name)
		}
	}
	switch len(missing) {
	case 1:
		return "", fmt.Sprintf("%s must include a %s", label, missing[0])
	case 2:
		return "", fmt.Sprintf("%s must include a %s and %s", label, missing[0], missing[1])
	}
	dd, errD := strconv.Atoi(day)
	mm, errM := strconv.Atoi(month)
	yy, errY := strconv.Atoi(year)
	if errD != nil || errM != nil || errY != nil || len(year) != 4 || yy < 1900 {
		return "", label + " must be a real date"
	}
	t := time.Date(yy, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if t.Day() != dd || int(t.Month()) != mm || t.Year() != yy {
		return "", label + " must be a real date" // 31 April rolls over into May
	}
	return t.Format(time.DateOnly), ""
}

// dateField is what the "date-input" partial draws. ID names the boxes
// (ID-day, ID-month, ID-year) and Name the fields they send (the ID when
// empty); an error links to the day box, ID-day.
type dateField struct {
	ID, Name, Legend, Hint string
	typedDate
	Error string
}

// FieldName is the name the boxes send, before -day, -month and -year.
func (f dateField) FieldName() string {
	if f.Name == "" {
		return f.ID
	}
	return f.Name
}

// ErrorLine is the field's error for the "field-error" partial.
func (f dateField) ErrorLine() fieldError { return fieldError{f.ID, f.Error} }

package justice

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// bankHolidaysJSON is England and Wales's bank holidays in the shape
// gov.uk publishes them, with the source named in the file.
//
//go:embed bank-holidays.json
var bankHolidaysJSON []byte

// Calendar knows which days are working days in England and Wales.
type Calendar struct {
	holidays map[time.Time]bool
	from, to int // the years the holidays cover
}

// EnglandAndWales is the calendar of the bank holidays kept in
// bank-holidays.json. It fails only if that file is malformed, which the
// tests rule out.
func EnglandAndWales() (Calendar, error) {
	var f struct {
		EnglandAndWales struct {
			Events []struct {
				Date string `json:"date"`
			} `json:"events"`
		} `json:"england-and-wales"`
	}
	if err := json.Unmarshal(bankHolidaysJSON, &f); err != nil {
		return Calendar{}, fmt.Errorf("bank-holidays.json: %w", err)
	}
	c := Calendar{holidays: map[time.Time]bool{}}
	for i, e := range f.EnglandAndWales.Events {
		d, err := time.Parse(time.DateOnly, e.Date)
		if err != nil {
			return Calendar{}, fmt.Errorf("bank-holidays.json: events[%d].date: %w", i, err)
		}
		c.holidays[d] = true
		if c.from == 0 || d.Year() < c.from {
			c.from = d.Year()
		}
		c.to = max(c.to, d.Year())
	}
	return c, nil
}

// Covers reports whether the calendar knows the bank holidays of year.
func (c Calendar) Covers(year int) bool { return year >= c.from && year <= c.to }

// WorkingDay reports whether day is a working day: not a weekend, not a
// bank holiday.
func (c Calendar) WorkingDay(day time.Time) bool {
	day = dateOf(day)
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !c.holidays[day]
}

// AddWorkingDays is the nth working day after day.
func (c Calendar) AddWorkingDays(day time.Time, n int) time.Time {
	d := dateOf(day)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.WorkingDay(d) {
			n--
		}
	}
	return d
}

// Working days the Victims' Code gives the police to tell the victim of a
// decision: one for a victim with enhanced rights, five for others.
const (
	EnhancedDays = 1
	StandardDays = 5
)

// DueBy is the day by whose end the victim must be told of an event on
// eventOn: the end of the first working day after it for enhanced rights,
// the fifth otherwise.
func (c Calendar) DueBy(eventOn time.Time, enhanced bool) time.Time {
	if enhanced {
		return c.AddWorkingDays(eventOn, EnhancedDays)
	}
	return c.AddWorkingDays(eventOn, StandardDays)
}

// Overdue reports whether an update due by the end of dueBy and not yet
// told is late on day.
func Overdue(dueBy, toldOn, day time.Time) bool {
	return toldOn.IsZero() && dateOf(day).After(dateOf(dueBy))
}

// OnTime reports whether an update told on toldOn met dueBy.
func OnTime(dueBy, toldOn time.Time) bool {
	return !toldOn.IsZero() && !dateOf(toldOn).After(dateOf(dueBy))
}

// EnhancedReason is the recorded reason of enhanced rights given by default.
const EnhancedReason = "stalking: the victim is persistently targeted"

// DefaultEnhanced says whether a victim of offence has enhanced rights
// unless the officer says otherwise, and why: victims of stalking are
// persistently targeted, one of the Code's grounds.
func DefaultEnhanced(offence string) (bool, string) {
	switch offence {
	case "stalking", "stalking_fear_alarm_distress":
		return true, EnhancedReason
	}
	return false, ""
}

// NoteCategory is the category of the note an officer keeps of telling the
// victim of a decision: contact. The note is the force's record of a
// contact with the victim (when and how they were reached, at which number
// or address, and what they said), so it is released only where the
// victim's contact details may be; the way they were told is kept apart
// (Method), and the victim's views belong in the referral's needs.
const NoteCategory = category.Contact

// Note seals the note of telling the victim, written by the force about
// referral referralID (empty: the store files it under the update's referral).
func Note(referralID, body string) sealed.Text {
	return sealed.NewText(referralID, NoteCategory, agency.Police, body)
}

// Update is one decision or event the victim must be told of.
type Update struct {
	ID         string
	ReferralID string
	Reference  string
	Event      string
	EventOn    time.Time
	DueBy      time.Time
	Enhanced   bool
	ToldOn     time.Time // zero until told
	Method     string
	Note       sealed.Text // personal data, of NoteCategory: opened only by a View
	Officer    string      // subject of the referral's officer
	Version    int
}

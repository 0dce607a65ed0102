// Package consent holds the victim's consent to share and the requests to
// share without it (overrides), with the rules that say when either applies.
package consent

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/vocab"
)

// Decision is the person's answer when asked to consent to sharing.
type Decision string

// The answers a consent record holds.
const (
	Given     Decision = "given"
	Refused   Decision = "refused"
	NotSought Decision = "not_sought" // the officer did not ask; Reason says why
	Withdrawn Decision = "withdrawn"  // ends consent from the moment it is recorded
)

// Decisions lists every decision.
var Decisions = vocab.Typed[Decision](vocab.ConsentDecisions)

// Method is how the answer was given.
type Method string

// The methods the hub records.
const (
	Verbal     Method = "verbal"
	Written    Method = "written"
	Electronic Method = "electronic"
)

// Methods lists every method.
var Methods = vocab.Typed[Method](vocab.ConsentMethods)

// Consent is one record in a referral's consent history. The history is
// append-only: a change of mind is a new record, and the latest one rules.
//
// ObtainedOn and ReviewOn are dates, held as midnight UTC.
type Consent struct {
	ID         string
	Decision   Decision
	Reason     string   // why consent was not sought; required for not_sought
	Agencies   []string // the agencies it covers (given only)
	Categories category.Set
	Method     Method
	ObtainedOn time.Time // the day the person answered
	ReviewOn   time.Time // the day it must be reviewed; it lapses at the start of that day
	RecordedBy string    // subject of the officer who recorded it
	RecordedAt time.Time
}

// Current returns the record that rules now: the latest one recorded, so a
// withdrawal or a refusal ends consent from that moment. Records recorded at
// the same instant are taken in the order of the history. It reports false
// when the history is empty.
func Current(history []Consent) (Consent, bool) {
	if len(history) == 0 {
		return Consent{}, false
	}
	latest := 0
	for i := 1; i < len(history); i++ {
		if !history[i].RecordedAt.Before(history[latest].RecordedAt) {
			latest = i
		}
	}
	return history[latest], true
}

// Covers reports whether this record lets the agency receive the category at
// now: consent was given, has been obtained, has not reached its review date,
// and names both the agency and the category. A record without a review date
// covers nothing: consent must say when it ends.
func (c Consent) Covers(agency string, cat category.Category, now time.Time) bool {
	return c.Decision == Given &&
		!c.ReviewOn.IsZero() && now.Before(c.ReviewOn) &&
		!now.Before(c.ObtainedOn) &&
		c.Categories.Has(cat) &&
		slices.Contains(c.Agencies, agency)
}

// ValidateConsent checks a new consent record as an officer entered it. It
// returns nil when the record is valid, else an Invalid problem whose fields
// are named as in the API (decision, reason, agencies[1], obtained_on...).
// knownAgencies says whether an agency id is a partner agency that may
// receive referrals; police is never one.
//
// It returns *problem.Error: compare the result with nil before storing it in
// an error variable.
func ValidateConsent(c Consent, knownAgencies func(string) bool, now time.Time) *problem.Error {
	f := map[string]string{}
	today := day(now)
	if !slices.Contains(Decisions, c.Decision) {
		f["decision"] = "Choose whether consent was given, refused, not sought or withdrawn"
	}
	if c.Decision == NotSought && strings.TrimSpace(c.Reason) == "" {
		f["reason"] = "Say why consent was not sought"
	}
	checkAgencies(f, c.Agencies, knownAgencies)
	if c.Categories&^allCategories != 0 {
		f["categories"] = "Choose only known kinds of information"
	}
	if c.Method != "" && !slices.Contains(Methods, c.Method) {
		f["method"] = "Choose how the answer was given"
	}
	if c.Decision != NotSought {
		switch {
		case c.ObtainedOn.IsZero():
			f["obtained_on"] = "Enter the date the person answered"
		case day(c.ObtainedOn).After(today):
			f["obtained_on"] = "The date the person answered must be today or in the past"
		}
	}
	if !c.ReviewOn.IsZero() && !c.ObtainedOn.IsZero() && !day(c.ReviewOn).After(day(c.ObtainedOn)) {
		f["review_on"] = "The review date must be after the date the person answered"
	}
	if c.Decision == Given {
		if len(c.Agencies) == 0 {
			f["agencies"] = "Choose the agencies the consent covers"
		}
		if c.Categories == 0 {
			f["categories"] = "Choose the kinds of information the consent covers"
		}
		if c.Method == "" {
			f["method"] = "Choose how consent was given"
		}
		switch {
		case c.ReviewOn.IsZero():
			f["review_on"] = "Enter the date the consent must be reviewed"
		case !day(c.ReviewOn).After(today):
			if _, set := f["review_on"]; !set {
				f["review_on"] = "The review date must be in the future"
			}
		}
	}
	if len(f) > 0 {
		return problem.Fields(f)
	}
	return nil
}

// allCategories is the set of every category; bits outside it are not categories.
const allCategories = category.Set(1<<category.Count - 1)

// checkAgencies names each agency that is unknown, the police, or repeated.
func checkAgencies(f map[string]string, agencies []string, known func(string) bool) {
	for i, a := range agencies {
		key := fmt.Sprintf("agencies[%d]", i)
		switch {
		case a == agency.Police:
			f[key] = "The police are not a receiving agency"
		case known == nil || !known(a):
			f[key] = "Choose a known agency"
		case slices.Contains(agencies[:i], a):
			f[key] = "Choose each agency once"
		}
	}
}

// day returns the date of t in UTC, at midnight.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

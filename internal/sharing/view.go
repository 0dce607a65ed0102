package sharing

import (
	"slices"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/sharing/internal/capability"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// View is a referral as released to one reader for one purpose. It holds the
// content of shown categories only, so a page or an API answer built from a
// View cannot contain what was withheld. Handlers render a View, never a
// referral.Referral.
type View struct {
	referralID string
	reference  string
	agency     string // the reader's agency; police for the originating force, empty for auditors
	purpose    agency.Purpose
	shares     []referral.Share
	decisions  [category.Count]Decision
	content    [category.Count][]byte // set only where the decision is to show
	meta       Metadata
	// whole is true for the originating force, which reads every piece of
	// free text and the consent history.
	whole     bool
	consents  []consent.Consent  // the originating force's only
	overrides []consent.Override // the originating force's only
	// restricted is true when an officer of the force is shown a restricted
	// referral's metadata only, and may break glass to read it.
	restricted bool
	// brokeGlass is true when the view was released by BreakGlass.
	brokeGlass bool
}

// Restricted reports whether the reader is an officer of the force shown a
// restricted referral's metadata only: they may give a reason to read it.
func (v View) Restricted() bool { return v.restricted }

// BrokeGlass reports whether the view was released on a break-glass reason:
// its audit entry must say so.
func (v View) BrokeGlass() bool { return v.brokeGlass }

// Metadata is what any reader with a basis sees of a referral besides the
// categories: the kind of offence, the risk level and the dates. It is the
// same non-personal metadata an agency's inbox lists.
type Metadata struct {
	Offence   string
	Risk      risk.Level
	State     referral.State
	CreatedAt time.Time
	SentAt    time.Time
	Version   int
}

// Meta is the referral's non-personal metadata.
func (v View) Meta() Metadata { return v.meta }

// Decision is the release decision on one category, and why.
type Decision struct {
	Category category.Category
	Shown    bool
	Rule     string // id of the rule that decided, as in the audit log
	Basis    string // the lawful basis of a shown category; empty when withheld
	Ref      string // id of the consent or override record that decided, if one did

	reason string    // plain words, never the content
	on     time.Time // a date the reason quotes: when consent was withdrawn
	also   string    // a second plain clause, about requests to share without consent
}

// Reason says in plain English why the category is shown or withheld. It
// never contains the content itself.
func (d Decision) Reason() string {
	s := d.reason
	if !d.on.IsZero() {
		s += " on " + d.on.UTC().Format("2 January 2006")
	}
	if d.also != "" {
		s += "; " + d.also
	}
	return s
}

// ReferralID is the opaque id of the referral.
func (v View) ReferralID() string { return v.referralID }

// Reference is the referral's human reference, such as SH-2026-000123.
func (v View) Reference() string { return v.reference }

// Agency is the agency the view was released to: police for the originating
// force, empty for readers outside any agency (auditors).
func (v View) Agency() string { return v.agency }

// Purpose is the purpose the view was released for.
func (v View) Purpose() agency.Purpose { return v.purpose }

// Decision returns the decision on category c.
func (v View) Decision(c category.Category) Decision {
	if int(c) >= category.Count {
		return Decision{Category: c}
	}
	return v.decisions[c]
}

// Decisions returns the decision on every category, in display order.
func (v View) Decisions() [category.Count]Decision { return v.decisions }

// Shown reports whether category c is released.
func (v View) Shown(c category.Category) bool {
	return int(c) < category.Count && v.decisions[c].Shown
}

// Content returns the JSON content of category c and true when c is shown.
// A withheld category has no content to return. A shown category the
// referral holds nothing for returns nil and true.
func (v View) Content(c category.Category) ([]byte, bool) {
	if !v.Shown(c) {
		return nil, false
	}
	return slices.Clone(v.content[c]), true
}

// Text returns a piece of free text about the referral when this view
// releases it, and false when it does not; an empty text with a category is
// released or not like any other, so that what comes with it (research
// answers) can follow it. Free text is released like a
// section: the originating force reads it all; any other reader reads it
// where the view shows the category it holds, or where the reader's agency
// wrote it. Text about another referral is never released by this view.
func (v View) Text(t sealed.Text) (string, bool) {
	if v.referralID == "" || t.Referral() != v.referralID {
		return "", false
	}
	cat, classified := t.Category()
	switch {
	case v.whole,
		classified && v.Shown(cat),
		v.agency != "" && t.Author() == v.agency && !v.restricted:
		return sealed.OpenText(t, capability.Grant()), true
	}
	return "", false
}

// TextReason says why the view withholds t, in plain words; empty when it
// releases it.
func (v View) TextReason(t sealed.Text) string {
	if _, ok := v.Text(t); ok {
		return ""
	}
	if cat, classified := t.Category(); classified && t.Referral() == v.referralID {
		return v.Decision(cat).Reason()
	}
	return reasonTextNotReleased
}

// reasonTextNotReleased is why free text with no category, or about another
// referral, is withheld.
const reasonTextNotReleased = "free text is shown only where its kind of information may be"

// Consents is the referral's consent history, oldest first, for the
// originating force; nil for every other reader.
func (v View) Consents() []consent.Consent {
	if !v.whole {
		return nil
	}
	return slices.Clone(v.consents)
}

// Overrides are the referral's requests to share without consent, for the
// originating force; nil for every other reader. Their rationales stay
// sealed: read them with Text.
func (v View) Overrides() []consent.Override {
	if !v.whole {
		return nil
	}
	return slices.Clone(v.overrides)
}

// Shares returns the shares the reader may see: every share for the
// originating force and auditors, the reader's own share for an agency, none
// for a MARAC member that is not a recipient.
func (v View) Shares() []referral.Share { return slices.Clone(v.shares) }

// Summary is what the audit log records of a release: which categories were
// shown and withheld, and the rules, lawful bases and records that decided.
// It holds no personal data.
type Summary struct {
	Referral string
	Agency   string
	Purpose  agency.Purpose
	Shown    []category.Category
	Withheld []category.Category
	Rules    []string // distinct rule ids, in category order
	Bases    []string // distinct lawful bases of the shown categories
	Records  []string // distinct consent and override ids that decided
}

// Summary returns the audit summary of the view.
func (v View) Summary() Summary {
	s := Summary{Referral: v.referralID, Agency: v.agency, Purpose: v.purpose}
	for _, d := range v.decisions {
		if d.Shown {
			s.Shown = append(s.Shown, d.Category)
			s.Bases = appendNew(s.Bases, d.Basis)
		} else {
			s.Withheld = append(s.Withheld, d.Category)
		}
		s.Rules = appendNew(s.Rules, d.Rule)
		s.Records = appendNew(s.Records, d.Ref)
	}
	return s
}

// appendNew appends s unless it is empty or already there.
func appendNew(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

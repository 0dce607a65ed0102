// Package agency holds the partner agencies: who they are, how fast they must
// answer, and the information-sharing agreement (ISA) that limits what they get.
package agency

import (
	"time"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/risk"
)

// Police is the id of the originating force. It is never a recipient.
const Police = "police"

// Purpose is why information goes to an agency; each has its own terms.
type Purpose string

// The purposes an agreement covers.
const (
	Referral Purpose = "referral" // the agency is a recipient of a referral
	MARAC    Purpose = "marac"    // the agency is a member of the case's MARAC
)

// Purposes lists every purpose.
var Purposes = []Purpose{Referral, MARAC}

// Agency is one partner agency, loaded from agencies/ID.toml.
type Agency struct {
	ID      string
	Name    string
	Kind    string // housing, health, victim_support, idva, childrens_services, adult_social_care, probation, police
	Mailbox string // the agency's secure team mailbox for notifications

	// ContactsVictim is true when the agency may contact the victim; such an
	// agency is always shown safe contact with identity.
	ContactsVictim bool

	// ResponseTimes is how long the agency has to answer a referral, by risk level.
	ResponseTimes map[risk.Level]time.Duration

	// Agreement is the ISA: the terms for each purpose. A purpose missing here
	// means the agency receives nothing for it.
	Agreement map[Purpose]Terms

	// FreeText is the category the agency's free text (research summaries,
	// notes) holds unless the writer chooses another; HasFreeText is false
	// when the file names none and the writer must always choose.
	FreeText    category.Category
	HasFreeText bool

	// File is the file it was loaded from.
	File string
}

// Terms are what an agreement allows for one purpose.
type Terms struct {
	// Categories is the minimum necessary: nothing outside it is ever released
	// for this purpose, whatever the consent says.
	Categories category.Set
	// Basis is the lawful basis for the sharing this purpose covers.
	Basis string
	// ConsentRequired means each category needs active consent, an approved
	// override, or a WithoutConsent rule.
	ConsentRequired bool
	// WithoutConsent lists what may go without consent, and when.
	WithoutConsent []Rule
	// AccessAfterClose is how long the agency may still read what was
	// released to it after it closed its share; then every category is
	// withheld. Zero: nothing after closing.
	AccessAfterClose time.Duration
}

// DefaultAccessAfterClose is the access after close of terms that do not set
// their own: 30 days, time to finish the case notes.
const DefaultAccessAfterClose = 30 * 24 * time.Hour

// Rule lets categories go without consent when the risk is at least MinRisk.
type Rule struct {
	ID         string // stable id, quoted in release decisions and the audit log
	Categories category.Set
	MinRisk    risk.Level
	Basis      string // the lawful basis this rule rests on
	Reason     string // a plain sentence for the reader
}

// Terms returns the agency's terms for a purpose and whether it has any.
func (a Agency) Terms(p Purpose) (Terms, bool) {
	t, ok := a.Agreement[p]
	return t, ok
}

// ResponseTime is how long the agency has to answer at this risk level.
func (a Agency) ResponseTime(l risk.Level) time.Duration {
	return a.ResponseTimes[l]
}

// KindCoordinator is the kind of the one file that holds the MARAC
// coordinator's agreement: what the coordinator may see of a case on the
// agenda to chair the meeting. It is not a partner agency: it receives no
// referral, researches nothing and is listed nowhere as an agency.
const KindCoordinator = "marac_coordinator"

// Directory is the set of agencies the hub knows, by id, and the MARAC
// coordinator's agreement.
type Directory struct {
	byID        map[string]Agency
	order       []string
	coordinator *Agency
}

// NewDirectory builds a directory from agencies in the order given. An
// agency of KindCoordinator is kept apart as the coordinator's agreement.
func NewDirectory(as []Agency) *Directory {
	d := &Directory{byID: make(map[string]Agency, len(as))}
	for _, a := range as {
		if a.Kind == KindCoordinator {
			d.coordinator = &a
			continue
		}
		d.byID[a.ID] = a
		d.order = append(d.order, a.ID)
	}
	return d
}

// Coordinator returns the MARAC coordinator's agreement, if agencies/ has one.
func (d *Directory) Coordinator() (Agency, bool) {
	if d == nil || d.coordinator == nil {
		return Agency{}, false
	}
	return *d.coordinator, true
}

// Get returns the agency with the id.
func (d *Directory) Get(id string) (Agency, bool) {
	a, ok := d.byID[id]
	return a, ok
}

// All returns every agency in order.
func (d *Directory) All() []Agency {
	out := make([]Agency, len(d.order))
	for i, id := range d.order {
		out[i] = d.byID[id]
	}
	return out
}

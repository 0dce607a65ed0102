// Package audit is the hub's tamper-evident log: what an entry says, its
// canonical bytes, the Merkle tree over them, signed checkpoints, verification and proofs.
package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/stalking-hub/hub/internal/category"
)

// Action is what an entry records.
type Action string

// The actions the hub records.
const (
	Release            Action = "release"              // a record was released to a reader (what was shown and withheld)
	ReleaseRefused     Action = "release_refused"      // access to a record was refused or the record is not visible
	SignIn             Action = "signin"               // a person signed in
	SignOut            Action = "signout"              // a person signed out or their session ended
	MembershipGranted  Action = "membership_granted"   // an admin gave someone a role
	MembershipRevoked  Action = "membership_revoked"   // an admin took a role away
	RoleRequested      Action = "membership_requested" // an admin asked for a privileged role to be given; a second admin decides
	ReferralCreated    Action = "referral_created"     // an officer created and sent a referral
	ConsentRecorded    Action = "consent_recorded"     // a consent decision was recorded or withdrawn
	OverrideRequested  Action = "override_requested"   // an officer asked to share without consent
	OverrideDecided    Action = "override_decided"     // a supervisor approved or refused such a request
	ShareStatusChanged Action = "share_status_changed" // an agency moved its share of a referral on
	Export             Action = "export"               // records left the hub as a file
	MARACPapers        Action = "marac_papers"         // MARAC papers were produced for a meeting
	AuditRead          Action = "audit_read"           // someone read the audit log itself
	LinkDecided        Action = "link_decided"         // an officer confirmed or rejected a link between two referrals
	MARACCaseAdded     Action = "marac_case_added"     // the coordinator put a referral on a MARAC agenda
	MARACResearch      Action = "marac_research"       // a member agency gave (or changed) its research on a case
	MARACAcknowledged  Action = "marac_acknowledged"   // an attendee acknowledged a meeting's confidentiality
	MARACActionAgreed  Action = "marac_action_agreed"  // an action on a case was given to an agency
	MARACActionUpdated Action = "marac_action_updated" // an action's status changed
	MARACCaseChanged   Action = "marac_case_changed"   // the coordinator edited a case or took it off the agenda, with a reason
	WebhookRegistered  Action = "webhook_registered"   // an admin registered a partner system's webhook
	WebhookRemoved     Action = "webhook_removed"      // an admin removed a webhook
	WebhookResumed     Action = "webhook_resumed"      // an admin resumed a webhook paused after failures
	OrderRecorded      Action = "order_recorded"       // an officer recorded an order or bail that protects the victim
	OrderChanged       Action = "order_changed"        // an order was varied, extended or discharged
	BreachRecorded     Action = "breach_recorded"      // an officer recorded a breach of an order
	VictimUpdate       Action = "victim_update"        // a Victims' Code update was recorded as owed, or as told
	OutcomeRecorded    Action = "outcome_recorded"     // the criminal-justice outcome of a referral was recorded
	ReportRead         Action = "report_read"          // someone read figures about referrals (the outcomes page or API)
	RestrictionChanged Action = "restriction_changed"  // a referral was restricted, or its restriction or named officers changed
	ReferralAmended    Action = "referral_amended"     // an officer changed a sent referral's content (detail: the categories)
	RiskReassessed     Action = "risk_reassessed"      // an officer re-assessed a referral's risk (detail: the new level)
	NoticeResent       Action = "notice_resent"        // an admin queued a notification the hub had given up on again
)

// Actions lists every action.
var Actions = []Action{Release, ReleaseRefused, SignIn, SignOut, MembershipGranted, MembershipRevoked, RoleRequested,
	ReferralCreated, ConsentRecorded, OverrideRequested, OverrideDecided, ShareStatusChanged, Export,
	MARACPapers, AuditRead, LinkDecided, MARACCaseAdded, MARACResearch, MARACAcknowledged, MARACActionAgreed, MARACActionUpdated, MARACCaseChanged,
	WebhookRegistered, WebhookRemoved, WebhookResumed,
	OrderRecorded, OrderChanged, BreachRecorded, VictimUpdate, OutcomeRecorded,
	ReportRead, RestrictionChanged,
	ReferralAmended, RiskReassessed, NoticeResent}

// Entry is one event in the log: who did what to which record, for which
// agency and purpose, what was shown and withheld, and the rules and basis
// that decided. It names people and records by their ids and never holds
// the personal data itself.
//
// The JSON field order is the canonical encoding; do not reorder fields.
// Index comes first so that Verify can read it without decoding the rest.
type Entry struct {
	Index       int64     `json:"index"` // position in the log, given when appended
	Time        time.Time `json:"time"`  // UTC
	Actor       string    `json:"actor"` // the principal's subject, "issuer|sub"
	ActorAgency string    `json:"actor_agency,omitempty"`
	Action      Action    `json:"action"`
	Record      string    `json:"record,omitempty"` // referral or case id
	Agency      string    `json:"agency,omitempty"` // the agency the action concerns
	Purpose     string    `json:"purpose,omitempty"`
	Shown       []string  `json:"shown,omitempty"`    // category names
	Withheld    []string  `json:"withheld,omitempty"` // category names
	Rules       []string  `json:"rules,omitempty"`    // ids of the rules that decided
	Basis       string    `json:"basis,omitempty"`    // lawful basis
	Detail      string    `json:"detail,omitempty"`   // short and non-personal, such as a status or a refusal reason code
	RequestID   string    `json:"request_id,omitempty"`
}

// Limits on the text of an entry: ids and codes, not prose.
const (
	maxField  = 200
	maxDetail = 300
	maxList   = 64
)

// Validate reports the first thing wrong with e. Its messages name fields,
// never their values, so they are safe to log.
func (e Entry) Validate() error {
	if e.Index < 0 {
		return errors.New("audit entry: negative index")
	}
	if e.Time.IsZero() {
		return errors.New("audit entry: no time")
	}
	if e.Actor == "" {
		return errors.New("audit entry: no actor")
	}
	if !slices.Contains(Actions, e.Action) {
		return fmt.Errorf("audit entry: unknown action %q", e.Action)
	}
	for _, f := range [...]struct{ name, v string }{{"actor", e.Actor}, {"actor_agency", e.ActorAgency},
		{"record", e.Record}, {"agency", e.Agency}, {"purpose", e.Purpose}, {"basis", e.Basis}, {"request_id", e.RequestID}} {
		if len(f.v) > maxField || !utf8.ValidString(f.v) {
			return fmt.Errorf("audit entry: %s is too long or not UTF-8", f.name)
		}
	}
	if len(e.Detail) > maxDetail || !utf8.ValidString(e.Detail) {
		return errors.New("audit entry: detail is too long or not UTF-8")
	}
	for _, f := range [...]struct {
		name string
		cs   []string
	}{{"shown", e.Shown}, {"withheld", e.Withheld}} {
		if len(f.cs) > maxList {
			return fmt.Errorf("audit entry: %s lists too many categories", f.name)
		}
		for _, c := range f.cs {
			if _, err := category.Parse(c); err != nil {
				return fmt.Errorf("audit entry: %s holds an unknown data category", f.name)
			}
		}
	}
	if len(e.Rules) > maxList {
		return errors.New("audit entry: too many rules")
	}
	for _, r := range e.Rules {
		if len(r) > maxField || !utf8.ValidString(r) {
			return errors.New("audit entry: a rule id is too long or not UTF-8")
		}
	}
	return nil
}

// Encode returns the canonical bytes of e: JSON with a fixed field order,
// the time in UTC, empty fields left out. Decode(Encode(e)) encodes to the
// same bytes again, so an entry read back hashes as it was appended.
func (e Entry) Encode() ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	e.Time = e.Time.UTC()
	return json.Marshal(e)
}

// Decode reads an entry from its canonical bytes.
func Decode(body []byte) (Entry, error) {
	var e Entry
	if err := json.Unmarshal(body, &e); err != nil {
		return Entry{}, fmt.Errorf("audit entry: %w", err)
	}
	return e, nil
}

// LeafHash is the hash of an entry's canonical bytes in the tree (RFC 6962).
func LeafHash(body []byte) tlog.Hash { return tlog.RecordHash(body) }

var indexPrefix = []byte(`{"index":`)

// bodyIndex reads the index an entry's bytes claim, without decoding the
// rest: a body moved to another place in the log still names its own.
func bodyIndex(body []byte) (int64, bool) {
	rest, ok := bytes.CutPrefix(body, indexPrefix)
	if !ok {
		return 0, false
	}
	digits, _, ok := bytes.Cut(rest, []byte(","))
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(string(digits), 10, 64)
	return n, err == nil
}

// Package notify tells agencies and officers that something happened to a
// referral: an outbox of short e-mails that carry a reference and a link, never personal data.
package notify

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Kind is the kind of event a notification announces.
type Kind string

// The events the hub tells people about.
const (
	NewShare      Kind = "new_share"      // a referral was sent to an agency
	StatusChanged Kind = "status_changed" // an agency changed its status on a share
	NewMessage    Kind = "message"        // someone wrote a message on a referral
	OverdueShare  Kind = "overdue_share"  // an agency has not answered within its response time
	MARACAction   Kind = "marac_action"   // a MARAC action was given to an agency
	OverdueAction Kind = "overdue_action" // a MARAC action is past its due date
	WebhookPaused Kind = "webhook_paused" // deliveries to a partner system were paused after failures
	OrderBreached Kind = "order_breached" // an order or bail protecting the victim was breached
	OrderEnding   Kind = "order_ending"   // an order or bail ends within 28 (then 7) days

	// Kinds added with issue 12. Those to the police speak to the police.
	OverrideRequested Kind = "override_requested"   // to the police: an officer asked to share without consent; a supervisor decides
	OverrideDecided   Kind = "override_decided"     // to the police: a supervisor decided a request to share without consent
	ConsentWithdrawn  Kind = "consent_withdrawn"    // to an agency: consent it relied on was withdrawn
	ShareWithdrawn    Kind = "share_withdrawn"      // to an agency: the police withdrew the referral from it
	MARACListed       Kind = "marac_listed"         // to a member agency: a case is on a MARAC agenda and needs its research
	AgencyMessage     Kind = "agency_message"       // to the police: an agency wrote on a referral's thread
	OverdueForPolice  Kind = "overdue_share_police" // to the police: an agency has not answered within its response time

	// ReferralChanged and RiskChanged tell a receiving agency that the
	// officer amended the referral or re-assessed its risk.
	ReferralChanged Kind = "referral_changed"
	RiskChanged     Kind = "risk_changed"
)

// Kinds lists every kind, in the order pages show them.
var Kinds = []Kind{NewShare, StatusChanged, NewMessage, OverdueShare, MARACAction, OverdueAction, WebhookPaused, OrderBreached, OrderEnding,
	OverrideRequested, OverrideDecided, ConsentWithdrawn, ShareWithdrawn, MARACListed, AgencyMessage, OverdueForPolice,

	ReferralChanged, RiskChanged}

// Message is one notification to send. It has no field for free text: what
// it says is fixed by its Kind, so personal data has no way in.
type Message struct {
	Kind Kind
	// To is an agency's team mailbox or an officer's e-mail address.
	To string
	// Reference is the referral's human reference, such as SH-2026-000123.
	Reference string
	// Link is the absolute URL of the referral's page; its path holds only the
	// referral's opaque id. Build it with ReferralLink.
	Link string
}

// referencePattern is the only shape a reference may have, so that a name or
// an address passed by mistake is refused rather than mailed.
var referencePattern = regexp.MustCompile(`^SH-[0-9]{4}-[0-9]{6,}$`)

// linkPath allows the unreserved characters of a URL path and nothing else:
// no spaces, no escapes, no query string where a search term could hide.
var linkPath = regexp.MustCompile(`^[A-Za-z0-9/._~-]*$`)

// Validate checks that a message is one the hub may send. Its errors never
// repeat the offending value, which could be the very personal data refused.
func (m Message) Validate() error {
	if _, ok := wording[m.Kind]; !ok {
		return errors.New("notification: unknown kind")
	}
	if !isAddress(m.To) {
		return errors.New("notification: the recipient is not a bare e-mail address")
	}
	if !validReference(m.Reference) {
		return errors.New("notification: the reference is not a hub reference like SH-2026-000123")
	}
	if !validLink(m.Link) {
		return errors.New("notification: the link is not an absolute http(s) URL with a plain path")
	}
	return nil
}

func isAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

func validReference(s string) bool { return referencePattern.MatchString(s) }

func validLink(s string) bool {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return false
	}
	return u.RawQuery == "" && !u.ForceQuery && u.Fragment == "" && u.Opaque == "" &&
		linkPath.MatchString(u.Path) && s == u.Scheme+"://"+u.Host+u.Path
}

// ReferralLink is the link to a referral's page under the hub's base URL. It
// holds the opaque id and nothing else.
func ReferralLink(baseURL, referralID string) string {
	return strings.TrimSuffix(baseURL, "/") + "/referrals/" + url.PathEscape(referralID)
}

// wording is the fixed text of each kind; %s is only ever the reference.
var wording = map[Kind]struct{ subject, lead string }{
	NewShare:      {"New referral %s", "A new referral, %s, has been sent to your agency."},
	StatusChanged: {"Referral %s: status changed", "An agency has changed its status on referral %s."},
	NewMessage:    {"Referral %s: new message", "There is a new message on referral %s."},
	OverdueShare:  {"Referral %s: response overdue", "Referral %s is waiting for your agency's response, and the response is now overdue."},
	MARACAction:   {"Referral %s: MARAC action for your agency", "A MARAC action on referral %s has been given to your agency."},
	OverdueAction: {"Referral %s: MARAC action overdue", "A MARAC action on referral %s is past its due date."},
	WebhookPaused: {"Partner system deliveries paused (last about %s)", "Deliveries of events to a partner agency's system have been paused after repeated failures; the last was about referral %s. Fix the receiver, then resume the webhook on the Partner systems page."},
	OrderBreached: {"Referral %s: order breached", "A breach of an order or bail conditions protecting the victim has been recorded on referral %s."},
	OrderEnding:   {"Referral %s: order ending soon", "An order or bail protecting the victim on referral %s ends soon."},

	OverrideRequested: {"Referral %s: supervisor's decision needed", "An officer has asked to share information on referral %s without the victim's consent. A supervisor must approve or refuse the request."},
	OverrideDecided:   {"Referral %s: request to share without consent decided", "A supervisor has decided the request to share information on referral %s without the victim's consent. Check the decision before you rely on it."},
	ConsentWithdrawn:  {"Referral %s: consent withdrawn", "The victim has withdrawn consent on referral %s. What your agency saw on the strength of that consent is no longer shown to it."},
	ShareWithdrawn:    {"Referral %s withdrawn from your agency", "The police have withdrawn referral %s from your agency. Its details are no longer shown to your agency."},
	MARACListed:       {"Referral %s: listed for MARAC, research needed", "Referral %s has been put on a MARAC agenda. Please research the case for your agency before the meeting."},
	AgencyMessage:     {"Referral %s: message from an agency", "A partner agency has sent a message to the police on referral %s."},
	OverdueForPolice:  {"Referral %s: an agency's response is overdue", "An agency has not answered referral %s within its response time."},
	ReferralChanged:   {"Referral %s: updated by the police", "The police have updated referral %s. Sign in to see what your agency may see of the change."},
	RiskChanged:       {"Referral %s: risk re-assessed", "The police have re-assessed the risk on referral %s. Your agency's response time may have changed: sign in to see it."},
}

// genericWording stands in for a kind Compose does not know.
var genericWording = struct{ subject, lead string }{"Referral %s: update", "There is an update on referral %s."}

// Stand-ins for a reference or a link that fail their checks: Compose prints
// these rather than a value that could be anything.
const (
	badReference = "(reference not valid)"
	badLink      = "(link not valid: sign in to the hub to find the referral)"
)

// Compose writes the subject and plain-text body of a message: fixed wording
// for its kind with the reference and the link, nothing else. A reference or
// link that fails Validate's checks is replaced by a fixed stand-in, so even a
// caller that skipped Validate cannot put other text into an e-mail.
func Compose(m Message) (subject, body string) {
	w, ok := wording[m.Kind]
	if !ok {
		w = genericWording
	}
	ref, link := badReference, badLink
	if validReference(m.Reference) {
		ref = m.Reference
	}
	if validLink(m.Link) {
		link = m.Link
	}
	subject = fmt.Sprintf(w.subject, ref)
	body = fmt.Sprintf(w.lead, ref) + "\n\n" +
		"Open it in the hub (you will be asked to sign in):\n" +
		link + "\n\n" +
		"This e-mail holds no personal details by design. Replies to it are not read.\n"
	return subject, body
}

// State is where a notification is on its way out.
type State string

// The states of a notification.
const (
	Pending   State = "pending"   // waiting for its first or next attempt
	Delivered State = "delivered" // the mail server accepted it
	Failed    State = "failed"    // every attempt failed; an admin should look
)

// States lists every state, in the order pages show them.
var States = []State{Pending, Delivered, Failed}

// Notification is a message in the outbox with its delivery record.
type Notification struct {
	ID int64
	Message
	CreatedAt time.Time
	// Attempts counts the deliveries begun, the current one included.
	Attempts      int
	NextAttemptAt time.Time
	// LeasedUntil is when a worker's claim on it runs out; zero when unclaimed.
	LeasedUntil time.Time
	DeliveredAt time.Time // zero until delivered
	FailedAt    time.Time // zero unless given up
	// LastError is the mail server's answer to the last failed attempt.
	LastError string
}

// State says whether the notification is pending, delivered or failed.
func (n Notification) State() State {
	switch {
	case !n.DeliveredAt.IsZero():
		return Delivered
	case !n.FailedAt.IsZero():
		return Failed
	}
	return Pending
}

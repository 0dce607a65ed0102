package web

import (
	"context"
	"net/url"
	"time"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/justice"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/report"
	"github.com/stalking-hub/hub/internal/seal"
	"github.com/stalking-hub/hub/internal/store"
)

// The web's side of the store seam: one small interface per area, each
// listing only what the handlers call. *store.DB satisfies every one (app
// asserts it at compile time); a second backend plugs in by satisfying
// them too. docs/store-seam.md explains the areas.

// ReferralStore is the store side of referrals: reading, listing, searching and
// counting them, creating and drafting them, amending and reassessing them,
// their timeline and the linking of victims.
type ReferralStore interface {
	// Referral loads a referral whole.
	Referral(ctx context.Context, id string) (*referral.Referral, error)
	// Referrals lists referrals as the filter asks, one page at a time.
	Referrals(ctx context.Context, f store.ListFilter) (store.Page, error)
	// ReferralOwner is the metadata that says whose a referral is.
	ReferralOwner(ctx context.Context, id string) (reference string, officer string, err error)
	// ReferralIDByReference finds a referral by its human reference, such as
	// SH-2026-000123, in any letter case.
	ReferralIDByReference(ctx context.Context, reference string) (string, error)
	// References returns the human reference of each of ids that is a referral.
	References(ctx context.Context, ids []string) (map[string]string, error)
	// CreateReferral stores a referral.
	CreateReferral(ctx context.Context, n referral.NewReferral) (id string, created bool, err error)
	// Draft opens one of the officer's drafts.
	Draft(ctx context.Context, officer string, id string) (referral.SavedDraft, error)
	// Drafts lists the officer's drafts, the last saved first.
	Drafts(ctx context.Context, officer string) ([]referral.SavedDraft, error)
	// SaveDraft seals and stores an officer's draft.
	SaveDraft(ctx context.Context, officer identity.Principal, id string, sub referral.Submission) (string, error)
	// DeleteDraft throws away one of the officer's drafts.
	DeleteDraft(ctx context.Context, officer string, id string) error
	// AmendReferral makes an amendment a new version of the referral, in one
	// transaction.
	AmendReferral(ctx context.Context, a referral.Amendment) (int, error)
	// ReassessRisk records a re-assessment.
	ReassessRisk(ctx context.Context, a referral.Reassessment) ([]referral.RiskEntry, error)
	// Events is the timeline of a referral, oldest first.
	Events(ctx context.Context, referralID string, agencyID string) ([]referral.Event, error)
	// CountInbox counts an agency's shares.
	CountInbox(ctx context.Context, agencyID string, now time.Time) (referral.InboxCounts, error)
	// CountAttention counts the sent referrals that need the police's attention
	// (referral.Summary.Attention).
	CountAttention(ctx context.Context, officer string, now time.Time) (int, error)
	// SearchHits finds the referrals a search matches, whoever may see them.
	SearchHits(ctx context.Context, s store.Search) ([]store.SearchHit, error)
	// Keyring is the store's sealing keys, for fingerprints made outside it.
	Keyring() *seal.Keyring
	// LinkCandidates lists the other referrals that share this one's victim or
	// suspect and whose link no officer has decided yet, newest first.
	LinkCandidates(ctx context.Context, referralID string) ([]referral.Incident, error)
	// LinkedView is the pattern of every referral linked to this one by
	// confirmed links, followed transitively (a link of a link is linked), with
	// this referral among them.
	LinkedView(ctx context.Context, referralID string) (referral.Pattern, error)
	// DecideLink records an officer's decision on a suggested link.
	DecideLink(ctx context.Context, referralID string, otherID string, via referral.LinkVia, confirm bool, actor identity.Principal) error
	// RepeatVictim reports whether this referral's victim was the victim of
	// another referral raised in the twelve months up to this one, whether or
	// not an officer has linked the two.
	RepeatVictim(ctx context.Context, referralID string) (bool, error)
}

// ShareStore is the store side of the agencies' shares of a referral: their
// answers, adding and withdrawing a share, and its message thread.
type ShareStore interface {
	// ChangeShareStatus moves a share along its lifecycle in one transaction.
	ChangeShareStatus(ctx context.Context, c referral.StatusChange) (referral.Share, error)
	// AddShare sends a referral already sent to one more agency, in one
	// transaction.
	AddShare(ctx context.Context, a referral.AddedShare) (referral.Share, error)
	// WithdrawShare takes a referral back from one agency.
	WithdrawShare(ctx context.Context, referralID string, agencyID string, reason string, actor identity.Principal) (referral.Share, error)
	// MarkViewed records the first time an agency opens its share.
	MarkViewed(ctx context.Context, referralID string, agencyID string, actor identity.Principal) error
	// ShareLocation finds a share by its id.
	ShareLocation(ctx context.Context, shareID string) (referralID string, agencyID string, err error)
	// AddMessage adds a message to the thread of one agency's share.
	AddMessage(ctx context.Context, referralID string, agencyID string, m referral.Message, actor identity.Principal) error
	// Messages lists the threads of a referral's shares, oldest first.
	Messages(ctx context.Context, referralID string, agencyID string) ([]referral.Message, error)
	// MessagesRead records that the police have read the agencies' messages on a
	// referral.
	MessagesRead(ctx context.Context, referralID string) error
}

// ConsentStore is the store side of consent and of requests to share without
// it.
type ConsentStore interface {
	// AddConsent appends a consent record to a referral's history.
	AddConsent(ctx context.Context, referralID string, c consent.Consent, actor identity.Principal) (consent.Consent, error)
	// RequestOverride records an officer's request to share without consent.
	RequestOverride(ctx context.Context, referralID string, o consent.Override, actor identity.Principal) (consent.Override, error)
	// DecideOverride stores a supervisor's decision, made by decide from the
	// request as it stands inside the transaction, so two supervisors cannot
	// both decide the same request.
	DecideOverride(ctx context.Context, id string, decide func(consent.Override) (consent.Override, error), actor identity.Principal) (consent.Override, error)
	// Override loads one request to share without consent, with its referral id.
	Override(ctx context.Context, id string) (consent.Override, string, error)
	// PendingOverrides lists the requests waiting for a supervisor, oldest
	// first, each with its referral's id and reference.
	PendingOverrides(ctx context.Context) ([]consent.OverrideRequest, error)
}

// MARACStore is the store side of the MARAC: meetings, attendance, cases,
// research, minutes and actions.
type MARACStore interface {
	// UpcomingMeetings lists the meetings from today on, soonest first, without
	// their agendas.
	UpcomingMeetings(ctx context.Context, now time.Time) ([]marac.Meeting, error)
	// PastMeetings lists the meetings before today, latest first, without their
	// agendas.
	PastMeetings(ctx context.Context, now time.Time) ([]marac.Meeting, error)
	// Meeting loads a meeting and its agenda.
	Meeting(ctx context.Context, id string) (marac.Meeting, error)
	// CreateMeeting stores a meeting the coordinator planned (validated by
	// marac.NewMeeting) and returns it with its id.
	CreateMeeting(ctx context.Context, m marac.Meeting, by identity.Principal) (marac.Meeting, error)
	// RecordAttendance records that an agency attends a meeting.
	RecordAttendance(ctx context.Context, meetingID string, agencyID string, by identity.Principal) error
	// RemoveAttendance takes an agency off a meeting's attendance, recorded by
	// mistake.
	RemoveAttendance(ctx context.Context, meetingID string, agencyID string) error
	// Attendance lists the agencies recorded as attending a meeting, and the
	// people who acknowledged its confidentiality, by agency then name.
	Attendance(ctx context.Context, meetingID string) (agencies []string, people []marac.Attendance, err error)
	// Acknowledge records that p acknowledged the confidentiality of a meeting,
	// and so their attendance (marac.Attendee).
	Acknowledge(ctx context.Context, meetingID string, p identity.Principal) (marac.Attendance, error)
	// HasAcknowledged reports whether the person (subject) acknowledged the
	// confidentiality of the meeting.
	HasAcknowledged(ctx context.Context, meetingID string, subject string) (bool, error)
	// Apologies lists the agencies that sent apologies to a meeting, by id.
	Apologies(ctx context.Context, meetingID string) ([]string, error)
	// SetApologies records which member agencies sent apologies to a meeting,
	// replacing what was recorded.
	SetApologies(ctx context.Context, meetingID string, agencies []string, by identity.Principal) error
	// Queue lists the referrals waiting for the coordinator.
	Queue(ctx context.Context, escalationIncidents int) ([]marac.QueueEntry, error)
	// MARACDashboard gathers the coordinator's dashboard at now, in one read.
	MARACDashboard(ctx context.Context, members []string, now time.Time) (marac.Dashboard, error)
	// CriteriaOf lists the criteria a sent referral meets, listed or not, with
	// the panel's escalation threshold.
	CriteriaOf(ctx context.Context, referralID string, escalationIncidents int) ([]marac.Criterion, error)
	// CaseOnMARAC reports whether a referral is a case the MARAC member agencies
	// may see now (marac.OnAgenda).
	CaseOnMARAC(ctx context.Context, referralID string) (bool, error)
	// Case loads one case, without its restricted note.
	Case(ctx context.Context, id string) (marac.Case, error)
	// AddCase puts a sent referral on a meeting's agenda (c validated by
	// marac.NewCase) in one transaction.
	AddCase(ctx context.Context, meetingID string, c marac.Case, by identity.Principal) (marac.Case, error)
	// EditCase changes a case's criterion or note (ch validated by
	// marac.CaseEdit), keeping what it was and why, auditing it and putting it
	// on the referral's timeline for the force.
	EditCase(ctx context.Context, id string, ch marac.CaseChange, by identity.Principal) (marac.Case, error)
	// RemoveCase takes a case off its meeting's agenda for a reason.
	RemoveCase(ctx context.Context, id string, reason string, by identity.Principal) (marac.Case, error)
	// CaseChanges lists a case's edits and removal, oldest first.
	CaseChanges(ctx context.Context, id string) ([]marac.CaseChangeRecord, error)
	// ResearchOf loads one agency's research on a case, for that agency to read
	// and change.
	ResearchOf(ctx context.Context, caseID string, agencyID string) (marac.Research, error)
	// ResearchStatus says which of the member agencies have given research on a
	// case and which have not.
	ResearchStatus(ctx context.Context, caseID string, members []string) (marac.ResearchStatus, error)
	// SubmitResearch stores what an agency holds on a case (r validated by
	// marac.NewResearch, r.Agency the submitting member agency), replacing its
	// earlier submission, and audits it.
	SubmitResearch(ctx context.Context, caseID string, r marac.Research, by identity.Principal) (marac.Research, error)
	// Papers loads a meeting's restricted papers for reader.
	Papers(ctx context.Context, meetingID string, reader identity.Principal) (marac.Papers, error)
	// MinutesOf loads a case's minutes for a reader the caller has let read them
	// (the coordinator, or an attendee who acknowledged confidentiality).
	MinutesOf(ctx context.Context, caseID string) (marac.Minutes, error)
	// MeetingMinutes loads the minutes of a meeting's cases, for its papers.
	MeetingMinutes(ctx context.Context, meetingID string) ([]marac.Minutes, error)
	// SaveMinutes writes, or rewrites, a case's minutes (m validated by
	// marac.NewMinutes) while it is on an agenda.
	SaveMinutes(ctx context.Context, caseID string, m marac.Minutes, by identity.Principal) error
	// Action loads one action for reader.
	Action(ctx context.Context, id string, reader identity.Principal) (marac.Action, error)
	// Actions lists actions as the filter asks, by due date (earliest first).
	Actions(ctx context.Context, f store.ActionFilter) ([]marac.Action, error)
	// AddAction records an action agreed on a case (a validated by
	// marac.NewAction), audits it, puts it on the referral's timeline for the
	// owning agency and tells the agency's mailbox.
	AddAction(ctx context.Context, caseID string, a marac.Action, by identity.Principal) (marac.Action, error)
	// UpdateAction changes an action's status in one transaction, as
	// marac.UpdateAction decides.
	UpdateAction(ctx context.Context, u marac.ActionUpdate) (marac.Action, error)
	// ChaseAction reminds the owning agency of an open action (by notice, with
	// no personal data).
	ChaseAction(ctx context.Context, id string, by identity.Principal) (marac.Action, error)
	// ExtendAction gives an open action a later due date, for a reason.
	ExtendAction(ctx context.Context, id string, due time.Time, reason string, by identity.Principal) (marac.Action, error)
	// ActionChanges lists an action's chases and extensions, oldest first.
	ActionChanges(ctx context.Context, id string) ([]marac.ActionChange, error)
	// CountActions counts an agency's open actions and how many are overdue at
	// now.
	CountActions(ctx context.Context, agencyID string, now time.Time) (marac.ActionCounts, error)
	// OpenActionsForReview lists the actions still open from cases heard at the
	// panel's earlier meetings.
	OpenActionsForReview(ctx context.Context, meetingID string) ([]marac.Action, error)
}

// JusticeStore is the store side of the criminal-justice side of a referral:
// protective orders and bail, breaches, the Victims' Code and outcomes.
type JusticeStore interface {
	// AddOrder records an order or bail that protects the victim of a referral.
	AddOrder(ctx context.Context, o justice.Order, actor identity.Principal) (justice.Order, error)
	// Order loads one order with its history, its conditions and reasons sealed.
	Order(ctx context.Context, id string) (justice.Order, []justice.OrderChange, error)
	// ChangeOrder applies an officer's change to an order in one transaction,
	// refusing a stale If-Match (412) and any change to a discharged order
	// (409).
	ChangeOrder(ctx context.Context, u justice.OrderUpdate) (justice.Order, error)
	// RecordBreach records a breach of an order on day (the officer's today).
	RecordBreach(ctx context.Context, b justice.Breach, day time.Time, actor identity.Principal) (justice.Breach, error)
	// OrdersEnding lists the orders and bail still in force on day that end
	// within days of it, soonest first.
	OrdersEnding(ctx context.Context, officer string, day time.Time, days int) ([]justice.EndingOrder, error)
	// ProtectionLapses reports whether the victim of a referral is protected by
	// an order on today but by none on day (a MARAC meeting's).
	ProtectionLapses(ctx context.Context, referralID string, today time.Time, day time.Time) (bool, error)
	// ReferralJustice reads a referral's Victims' Code rights and outcome.
	ReferralJustice(ctx context.Context, id string) (justice.Standing, error)
	// SetEnhanced records whether the victim has enhanced rights, as the officer
	// says.
	SetEnhanced(ctx context.Context, referralID string, enhanced bool, actor identity.Principal) error
	// SetOutcome records the criminal-justice outcome of a referral.
	SetOutcome(ctx context.Context, referralID string, outcome string, decidedOn time.Time, actor identity.Principal) error
	// AddVictimUpdate records an event the victim must be told of, due by the
	// day cal gives for the referral's rights.
	AddVictimUpdate(ctx context.Context, u justice.Update, cal justice.Calendar, actor identity.Principal) (justice.Update, error)
	// TellVictimUpdate marks an update told.
	TellVictimUpdate(ctx context.Context, u justice.Update, ifMatch int, actor identity.Principal) (justice.Update, error)
	// VictimUpdates lists a referral's updates, oldest event first.
	VictimUpdates(ctx context.Context, referralID string) ([]justice.Update, error)
	// VictimUpdateReferral is the referral an update belongs to.
	VictimUpdateReferral(ctx context.Context, id string) (string, error)
	// OverdueVictimUpdates lists the updates not told by the end of their due
	// day, as of day.
	OverdueVictimUpdates(ctx context.Context, officer string, day time.Time) ([]justice.Update, error)
}

// AuditStore is the store side of the audit log: appending entries, reading
// them and verifying the log from the hub.
type AuditStore interface {
	// Audit appends standalone entries, such as a release decision recorded
	// before the response is written, and returns once they are committed.
	Audit(ctx context.Context, entries ...audit.Entry) error
	// AuditEntries returns the entries that f picks, in log order.
	AuditEntries(ctx context.Context, f store.AuditFilter) ([]audit.Entry, error)
	// StartVerification records a verification started by subject and runs it in
	// the background.
	StartVerification(ctx context.Context, subject string) (id int64, started bool, err error)
	// LastVerification is the latest verification started, or nil.
	LastVerification(ctx context.Context) (*audit.Verification, error)
}

// SessionStore is the store side of the people who sign in: their names as
// recorded, live sessions, and forms held across a session's timeout.
type SessionStore interface {
	// NotePerson records the name (and agency) a person signed in under, when it
	// differs from the last one recorded for them.
	NotePerson(ctx context.Context, subject string, name string, agency string, at time.Time) error
	// PersonName is the name subject was known by at the time.
	PersonName(ctx context.Context, subject string, at time.Time) (string, error)
	// CountSessions counts the browser sessions seen since since (now less the
	// idle timeout.
	CountSessions(ctx context.Context, since time.Time) (int, error)
	// TimedOutSession returns the session of token if it is still on record and
	// has passed a timeout.
	TimedOutSession(ctx context.Context, token string, idle time.Duration, absolute time.Duration) (*identity.LateSession, error)
	// KeepSessionAlive records that the person behind a live session token is
	// still there now.
	KeepSessionAlive(ctx context.Context, token string) error
	// HoldForm keeps a form for subject until ttl has passed.
	HoldForm(ctx context.Context, subject string, path string, form url.Values, ttl time.Duration) (string, error)
	// TakeHeldForm returns the form held under id for subject and path, and
	// forgets it.
	TakeHeldForm(ctx context.Context, id string, subject string, path string) (url.Values, bool, error)
}

// GovernanceStore is the store side of who may read what: memberships and
// the requests for them, restricted referrals and break-glass reads.
type GovernanceStore interface {
	// Memberships lists the memberships of one e-mail address, or of everyone
	// when email is empty.
	Memberships(ctx context.Context, email string) ([]identity.Membership, error)
	// MembershipRequests lists the requests waiting for a decision, oldest
	// first.
	MembershipRequests(ctx context.Context) ([]identity.MembershipRequest, error)
	// RequestMembership records a request for a privileged membership, audited.
	RequestMembership(ctx context.Context, m identity.Membership, by identity.Principal) (string, error)
	// DecideMembership approves (the membership is granted) or refuses (the
	// request is dropped) a request, audited with the decider.
	DecideMembership(ctx context.Context, id string, approve bool, by identity.Principal) error
	// Grant adds a membership.
	Grant(ctx context.Context, m identity.Membership, by identity.Principal) error
	// Revoke removes a membership.
	Revoke(ctx context.Context, email string, role identity.Role, agency string, by identity.Principal) error
	// RestrictionOf loads a referral's restriction.
	RestrictionOf(ctx context.Context, id string) (referral.Restriction, error)
	// SetRestriction restricts a referral (or lifts it) and sets the officers
	// named to read it whole, in one transaction with its audit entry.
	SetRestriction(ctx context.Context, id string, restricted bool, named []string, by identity.Principal) error
	// BreakGlass records a break-glass read.
	BreakGlass(ctx context.Context, e audit.Entry, reason string, by identity.Principal) error
	// BreakGlassReads lists the latest break-glass reads, newest first.
	BreakGlassReads(ctx context.Context, limit int) ([]referral.BreakGlassRead, error)
}

// OutboxStore is the store side of the outbox as administrators see it.
type OutboxStore interface {
	// Outbox lists notifications, newest first.
	Outbox(ctx context.Context, f store.OutboxFilter) ([]notify.Notification, error)
	// OutboxStats counts the outbox at now.
	OutboxStats(ctx context.Context, now time.Time) (notify.OutboxStats, error)
	// Resend makes a notification the hub gave up on pending again, due at now
	// with a fresh count of attempts, as an admin asks once the cause is fixed.
	Resend(ctx context.Context, id int64, now time.Time, by identity.Principal) error
}

// ReportStore is the store side of reports.
type ReportStore interface {
	// Outcomes works out the figures of a period, for all agencies or one, in
	// one read transaction so that they agree with each other.
	Outcomes(ctx context.Context, p report.Period, agencyID string, now time.Time) (report.Figures, error)
}

// PartnerStore is the store side of partner systems: their webhooks, the
// deliveries and the events they read.
type PartnerStore interface {
	// Webhooks lists the registered webhooks, by agency then age, with counts of
	// their deliveries by state and the last failure.
	Webhooks(ctx context.Context) ([]partner.Webhook, error)
	// CreateWebhook registers a partner agency's endpoint with its signing
	// secret, sealed, and audits the registration.
	CreateWebhook(ctx context.Context, w partner.Webhook, secret string, by identity.Principal) (partner.Webhook, error)
	// DeleteWebhook removes a webhook and its deliveries, and audits it.
	DeleteWebhook(ctx context.Context, id string, by identity.Principal) error
	// ResumeWebhook lifts a pause.
	ResumeWebhook(ctx context.Context, id string, by identity.Principal) error
	// WebhookDeliveries lists a webhook's latest deliveries, newest first, for
	// the administrator's page.
	WebhookDeliveries(ctx context.Context, webhookID string, limit int) ([]partner.Delivery, error)
	// PartnerEvents is a page of the events for one agency after the cursor,
	// oldest first, at most limit of them.
	PartnerEvents(ctx context.Context, agencyID string, after int64, limit int) ([]partner.Event, error)
}

// HealthStore is the store side of the hub's health: readiness and the
// size of the write-ahead log.
type HealthStore interface {
	// Ready reports whether the database answers, its schema is current and it
	// takes writes.
	Ready(ctx context.Context) error
	// WALSize is the size of the database's WAL file in bytes (0 when none).
	WALSize() int64
}

// Stores is the database as the web sees it, one area at a time. The areas
// are embedded so that a handler names the method it needs (s.DB.Referral)
// and not the area; no method is in two areas. *store.DB serves them all.
type Stores interface {
	ReferralStore
	ShareStore
	ConsentStore
	MARACStore
	JusticeStore
	AuditStore
	SessionStore
	GovernanceStore
	OutboxStore
	ReportStore
	PartnerStore
	HealthStore
}

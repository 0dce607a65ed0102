package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/justice"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/referral"
)

// Seed writes n synthetic referrals and their history through the store, as
// officers and agencies would have made them: each referral, each opening
// and each answer, in order of time, with the store's clock set to the time
// it happened (and put back after). The writes go in batches of one
// transaction each (store.Batch), which makes seeding many times faster.
// progress, when set, hears how many referrals are written. Nothing else
// may write to db while it runs: the clock is the store's.
func Seed(ctx context.Context, db Store, agencies *agency.Directory, n int, opt Options, progress func(done, total int64)) error {
	_, err := seed(ctx, db, agencies, n, opt, progress, false)
	return err
}

// seed writes the steps in batches; with onlyIfEmpty it first counts the
// referrals inside the first batch, which holds the write lock, so that two
// hubs starting together on one database seed it once between them.
func seed(ctx context.Context, db Store, agencies *agency.Directory, n int, opt Options, progress func(done, total int64), onlyIfEmpty bool) (bool, error) {
	p := newPlanner(agencies, opt, n)
	w := newWriter(db, agencies, n)
	clock := db.Clock()
	defer db.SetClock(clock)
	var done int64
	for first, more := true, true; more; first = false {
		skip := false
		err := db.Batch(ctx, func() error {
			if first && onlyIfEmpty {
				count, err := db.ReferralCount(ctx)
				if err != nil || count > 0 {
					skip = true
					return err
				}
			}
			for range stepsPerBatch {
				var st step
				if st, more = p.step(); !more {
					return nil
				}
				if err := w.write(ctx, st); err != nil {
					return err
				}
				if st.create != nil {
					done++
				}
			}
			return nil
		})
		if err != nil || skip {
			return false, err
		}
		if progress != nil {
			progress(done, int64(n))
		}
	}
	return true, nil
}

// stepsPerBatch is how many steps share a transaction: enough that commits
// cost little, few enough that the transaction's pages stay in memory.
const stepsPerBatch = 2000

// Store is the store side of seeding: the writes that officers and agencies
// make through the web, in batches, on a clock set to each step's time.
// *store.DB satisfies it.
type Store interface {
	// ReferralCount is how many referrals the database holds, drafts included.
	ReferralCount(ctx context.Context) (int, error)
	// Batch runs fn with every write of the store joining one transaction, which
	// commits when fn returns nil and rolls back whole when it returns an error.
	Batch(ctx context.Context, fn func() error) error
	// Clock is the clock every stored time comes from (Now).
	Clock() func() time.Time
	// SetClock sets the clock every stored time comes from, as a bulk load of
	// history does to write each step at the time it happened.
	SetClock(now func() time.Time)
	// CreateReferral stores a referral.
	CreateReferral(ctx context.Context, n referral.NewReferral) (id string, created bool, err error)
	// MarkViewed records the first time an agency opens its share.
	MarkViewed(ctx context.Context, referralID string, agencyID string, actor identity.Principal) error
	// AddConsent appends a consent record to a referral's history.
	AddConsent(ctx context.Context, referralID string, c consent.Consent, actor identity.Principal) (consent.Consent, error)
	// DecideLink records an officer's decision on a suggested link.
	DecideLink(ctx context.Context, referralID string, otherID string, via referral.LinkVia, confirm bool, actor identity.Principal) error
	// ChangeShareStatus moves a share along its lifecycle in one transaction.
	ChangeShareStatus(ctx context.Context, c referral.StatusChange) (referral.Share, error)
	// RequestOverride records an officer's request to share without consent.
	RequestOverride(ctx context.Context, referralID string, o consent.Override, actor identity.Principal) (consent.Override, error)
	// DecideOverride stores a supervisor's decision, made by decide from the
	// request as it stands inside the transaction, so two supervisors cannot
	// both decide the same request.
	DecideOverride(ctx context.Context, id string, decide func(consent.Override) (consent.Override, error), actor identity.Principal) (consent.Override, error)
	// CreateMeeting stores a meeting the coordinator planned (validated by
	// marac.NewMeeting) and returns it with its id.
	CreateMeeting(ctx context.Context, m marac.Meeting, by identity.Principal) (marac.Meeting, error)
	// RecordAttendance records that an agency attends a meeting.
	RecordAttendance(ctx context.Context, meetingID string, agencyID string, by identity.Principal) error
	// Acknowledge records that p acknowledged the confidentiality of a meeting,
	// and so their attendance (marac.Attendee).
	Acknowledge(ctx context.Context, meetingID string, p identity.Principal) (marac.Attendance, error)
	// AddCase puts a sent referral on a meeting's agenda (c validated by
	// marac.NewCase) in one transaction.
	AddCase(ctx context.Context, meetingID string, c marac.Case, by identity.Principal) (marac.Case, error)
	// SubmitResearch stores what an agency holds on a case (r validated by
	// marac.NewResearch, r.Agency the submitting member agency), replacing its
	// earlier submission, and audits it.
	SubmitResearch(ctx context.Context, caseID string, r marac.Research, by identity.Principal) (marac.Research, error)
	// AddAction records an action agreed on a case (a validated by
	// marac.NewAction), audits it, puts it on the referral's timeline for the
	// owning agency and tells the agency's mailbox.
	AddAction(ctx context.Context, caseID string, a marac.Action, by identity.Principal) (marac.Action, error)
	// UpdateAction changes an action's status in one transaction, as
	// marac.UpdateAction decides.
	UpdateAction(ctx context.Context, u marac.ActionUpdate) (marac.Action, error)
	// AddOrder records an order or bail that protects the victim of a referral.
	AddOrder(ctx context.Context, o justice.Order, actor identity.Principal) (justice.Order, error)
	// RecordBreach records a breach of an order on day (the officer's today).
	RecordBreach(ctx context.Context, b justice.Breach, day time.Time, actor identity.Principal) (justice.Breach, error)
	// SetOutcome records the criminal-justice outcome of a referral.
	SetOutcome(ctx context.Context, referralID string, outcome string, decidedOn time.Time, actor identity.Principal) error
	// AddVictimUpdate records an event the victim must be told of, due by the
	// day cal gives for the referral's rights.
	AddVictimUpdate(ctx context.Context, u justice.Update, cal justice.Calendar, actor identity.Principal) (justice.Update, error)
	// TellVictimUpdate marks an update told.
	TellVictimUpdate(ctx context.Context, u justice.Update, ifMatch int, actor identity.Principal) (justice.Update, error)
}

// writer writes the steps and keeps the ids the store gives what they
// make, for the later steps that refer to it.
type writer struct {
	db        Store
	referrals []string       // by index
	overrides map[int]string // by referral index: one request each
	meetings  map[int]string
	cases     map[int]string
	actions   map[int]string
	orders    map[int]string // by the planner's key
	updates   map[int]string
	calendar  justice.Calendar
	agencies  *agency.Directory // for whose free text a note is
}

func newWriter(db Store, agencies *agency.Directory, n int) *writer {
	cal, _ := justice.EnglandAndWales() // the file's tests rule out an error
	return &writer{db: db, agencies: agencies, referrals: make([]string, n), overrides: map[int]string{},
		meetings: map[int]string{}, cases: map[int]string{}, actions: map[int]string{},
		orders: map[int]string{}, updates: map[int]string{}, calendar: cal}
}

// write makes one step happen, with the store's clock at its time, through
// the store methods the web handlers call.
func (w *writer) write(ctx context.Context, st step) error {
	at := st.at
	db := w.db
	db.SetClock(func() time.Time { return at })
	var err error
	switch {
	case st.create != nil:
		w.referrals[st.referral], _, err = db.CreateReferral(ctx, *st.create)
	case st.view:
		err = db.MarkViewed(ctx, w.referrals[st.referral], st.agency, st.actor)
	case st.consent != nil:
		_, err = db.AddConsent(ctx, w.referrals[st.referral], *st.consent, st.actor)
	case st.override != nil:
		err = w.override(ctx, st)
	case st.link != nil:
		err = db.DecideLink(ctx, w.referrals[st.referral], w.referrals[st.link.other], st.link.via, st.link.confirm, st.actor)
	case st.marac != nil:
		err = w.marac(ctx, st)
	case st.justice != nil:
		err = w.justice(ctx, st)
	default:
		_, err = db.ChangeShareStatus(ctx, referral.StatusChange{ReferralID: w.referrals[st.referral], Agency: st.agency, To: st.to,
			Reason: st.reason.text, ReasonCode: st.reason.code, Outcome: st.outcome.text, OutcomeCode: st.outcome.code, Actor: st.actor})
	}
	return err
}

// override asks to share without consent, or decides the referral's
// request as the supervisor's page does, through consent.Decide.
func (w *writer) override(ctx context.Context, st step) error {
	o := st.override
	if o.request != nil {
		saved, err := w.db.RequestOverride(ctx, w.referrals[st.referral], *o.request, st.actor)
		w.overrides[st.referral] = saved.ID
		return err
	}
	_, err := w.db.DecideOverride(ctx, w.overrides[st.referral], func(req consent.Override) (consent.Override, error) {
		return consent.Decide(req, st.actor, o.approve, o.note, st.at, freshSignin)
	}, st.actor)
	return err
}

// marac writes a MARAC step.
func (w *writer) marac(ctx context.Context, st step) error {
	db, m := w.db, st.marac
	switch m.kind {
	case maracMeeting:
		saved, err := db.CreateMeeting(ctx, m.plan, st.actor)
		w.meetings[m.meeting] = saved.ID
		return err
	case maracAttendance:
		return db.RecordAttendance(ctx, w.meetings[m.meeting], st.agency, st.actor)
	case maracAcknowledge:
		_, err := db.Acknowledge(ctx, w.meetings[m.meeting], st.actor)
		return err
	case maracCase:
		c := m.listing
		c.ReferralID = w.referrals[st.referral]
		saved, err := db.AddCase(ctx, w.meetings[m.meeting], c, st.actor)
		w.cases[m.caseNo] = saved.ID
		return err
	case maracResearch:
		_, err := db.SubmitResearch(ctx, w.cases[m.caseNo], m.research, st.actor)
		return err
	case maracAction:
		saved, err := db.AddAction(ctx, w.cases[m.caseNo], m.action, st.actor)
		w.actions[m.actionNo] = saved.ID
		return err
	case maracUpdate:
		_, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: w.actions[m.actionNo], Status: string(m.action.Status), Note: m.note, By: st.actor, Writer: marac.WriterOf(st.actor, w.agencies)})
		return err
	}
	return fmt.Errorf("unknown MARAC step %d", m.kind)
}

// SeedIfEmpty seeds n referrals only when the database holds none, so that
// a first start shows something and a later start changes nothing. It
// reports whether it seeded.
func SeedIfEmpty(ctx context.Context, db Store, agencies *agency.Directory, n int, opt Options, progress func(done, total int64)) (bool, error) {
	return seed(ctx, db, agencies, n, opt, progress, true)
}

package demo

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/stalking-hub/hub/internal/justice"
	"github.com/stalking-hub/hub/internal/referral"
)

// justiceStep is a step on the criminal-justice side of a referral: an
// order granted, breached or ended, a decision the victim must be told of
// and their being told, and the outcome.
type justiceStep struct {
	kind    justiceKind
	order   justice.Order // for an order granted
	key     int           // the order or update the step is about
	event   string        // for an update owed
	outcome string
	day     time.Time // the day of the event, the telling, the breach or the decision
}

type justiceKind int

const (
	orderGranted justiceKind = iota
	orderBreached
	updateOwed
	updateTold
	outcomeDecided
)

// Shares of the criminal-justice mix, in percent: made up, like the rest.
const (
	arrestPercent  = 45 // of referrals: the suspect is arrested
	bailPercent    = 60 // of arrests: released on bail with conditions
	outcomePercent = 55 // of arrests: a decision within the year
	spoPercent     = 50 // of stalking charges: a Stalking Protection Order
	breachPercent  = 12 // of orders: breached
	latePercent    = 20 // of updates: told late
	untoldPercent  = 6  // of updates: not told
)

// outcomeWeights is how often each outcome follows an arrest.
var outcomeWeights = []weight{{"charged", 40}, {"cautioned", 8}, {"community_resolution", 5}, {"nfa_evidential_victim_supports", 17},
	{"nfa_evidential_victim_does_not_support", 20}, {"nfa_public_interest", 4}, {"other", 6}}

// criminalJustice plans what the police did against the suspect of
// referral i, from its own random source so that the rest of the history of
// a seed stays as it was: an arrest, bail with conditions, a decision, an
// order after a stalking charge, breaches, and the Victims' Code updates
// each called for, told on time or not.
func (p *planner) criminalJustice(i int, at time.Time, offence string) {
	r := p.cj
	pct := func(n int) bool { return r.IntN(100) < n }
	days := func(lo, hi int) time.Duration { return time.Duration(lo+r.IntN(hi-lo+1)) * 24 * time.Hour }
	if !pct(arrestPercent) {
		return
	}
	officer := p.g.officers[i%len(p.g.officers)]
	key := func() int { p.cjKeys++; return p.cjKeys }
	update := func(event string, on time.Time) {
		k := key()
		p.push(step{at: on.Add(time.Hour), referral: i, actor: officer, justice: &justiceStep{kind: updateOwed, key: k, event: event, day: dayOf(on)}})
		if pct(untoldPercent) {
			return
		}
		told := on.Add(days(0, 1))
		if pct(latePercent) {
			told = on.Add(days(3, 12))
		}
		p.push(step{at: told.Add(2 * time.Hour), referral: i, actor: officer, justice: &justiceStep{kind: updateTold, key: k, day: dayOf(told)}})
	}
	order := func(kind string, from time.Time, length time.Duration, conditions string) {
		k := key()
		o := justice.Order{Kind: kind, Conditions: justice.Conditions("", conditions), StartsOn: dayOf(from), EndsOn: dayOf(from.Add(length)), Court: "Northshire Magistrates' Court"}
		p.push(step{at: from.Add(3 * time.Hour), referral: i, actor: officer, justice: &justiceStep{kind: orderGranted, key: k, order: o}})
		if pct(breachPercent) {
			on := from.Add(days(5, 40))
			if on.Before(from.Add(length)) {
				p.push(step{at: on.Add(20 * time.Hour), referral: i, actor: officer, justice: &justiceStep{kind: orderBreached, key: k, day: dayOf(on)}})
			}
		}
	}
	arrest := at.Add(days(1, 12))
	update("arrest", arrest)
	if pct(bailPercent) {
		order("bail_pre_charge", arrest, days(28, 90), "Not to contact the victim directly or indirectly; not to enter the street where the victim lives")
	}
	if !pct(outcomePercent) {
		return
	}
	decided := arrest.Add(days(14, 150))
	outcome := pickWeighted(r, outcomeWeights)
	p.push(step{at: decided.Add(4 * time.Hour), referral: i, actor: officer, justice: &justiceStep{kind: outcomeDecided, outcome: outcome, day: dayOf(decided)}})
	switch outcome {
	case "charged":
		update("charge", decided)
		if (offence == "stalking" || offence == "stalking_fear_alarm_distress") && pct(spoPercent) {
			granted := decided.Add(days(7, 28))
			order("stalking_protection_order", granted, days(365, 730), "Not to enter the exclusion zone around the victim's home and workplace; not to contact the victim by any means")
			update("order_granted", granted)
		}
	case "cautioned", "community_resolution", "other":
		update("other", decided)
	default:
		update("no_further_action", decided)
	}
}

// equalityPercent of victims agree to give their equality details.
const equalityPercent = 60

// equality answers the equality questions for a victim who agrees, from
// the criminal-justice history's random source.
func (p *planner) equality(nr *referral.NewReferral) {
	r := p.cj
	if r.IntN(100) >= equalityPercent {
		return
	}
	e := &referral.Equality{Agreed: true}
	pick := func(name string) string {
		for _, f := range referral.EqualityFields {
			if f.Name == name {
				return f.Values[r.IntN(len(f.Values))]
			}
		}
		return ""
	}
	e.Sex, e.AgeBand, e.Ethnicity, e.Disability = pick("sex"), pick("age_band"), pick("ethnicity"), pick("disability")
	e.SexualOrientation, e.GenderIdentity, e.Interpreter = pick("sexual_orientation"), pick("gender_identity"), pick("interpreter")
	nr.Submission.Equality = e
}

// pickWeighted draws a key by weight from r, leaving the referrals'
// own random source alone.
func pickWeighted(r *rand.Rand, ws []weight) string {
	total := 0
	for _, w := range ws {
		total += w.n
	}
	n := r.IntN(total)
	for _, w := range ws {
		if n < w.n {
			return w.key
		}
		n -= w.n
	}
	return ws[len(ws)-1].key
}

func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// newJusticeSource is the random source of the criminal-justice history.
func newJusticeSource(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0xc1)) }

// justice writes a criminal-justice step.
func (w *writer) justice(ctx context.Context, st step) error {
	db, j, id := w.db, st.justice, w.referrals[st.referral]
	switch j.kind {
	case orderGranted:
		o := j.order
		o.ReferralID = id
		saved, err := db.AddOrder(ctx, o, st.actor)
		w.orders[j.key] = saved.ID
		return err
	case orderBreached:
		_, err := db.RecordBreach(ctx, justice.Breach{OrderID: w.orders[j.key], OccurredOn: j.day, Summary: justice.BreachSummary(id, "Seen in the exclusion zone")}, dayOf(st.at), st.actor)
		return err
	case updateOwed:
		saved, err := db.AddVictimUpdate(ctx, justice.Update{ReferralID: id, Event: j.event, EventOn: j.day}, w.calendar, st.actor)
		w.updates[j.key] = saved.ID
		return err
	case updateTold:
		_, err := db.TellVictimUpdate(ctx, justice.Update{ID: w.updates[j.key], ToldOn: j.day, Method: "phone", Note: justice.Note(id, "Told in the victim's safe time")}, 0, st.actor)
		return err
	}
	return db.SetOutcome(ctx, id, j.outcome, j.day, st.actor)
}

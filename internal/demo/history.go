package demo

import (
	"math/rand/v2"
	"time"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/referral"
)

// deck deals outcomes in fixed proportions, so that a demo of forty
// referrals still shows every kind and a large one shows the intended mix.
// The first round is dealt in the order given, which puts the rare kinds
// early; every later round is shuffled.
type deck[T any] struct {
	rng    *rand.Rand
	cards  []T
	next   int
	rounds int
}

func newDeck[T any](rng *rand.Rand, cards ...T) *deck[T] {
	return &deck[T]{rng: rng, cards: cards}
}

func (d *deck[T]) deal() T {
	if d.next == 0 && d.rounds > 0 {
		d.rng.Shuffle(len(d.cards), func(i, j int) { d.cards[i], d.cards[j] = d.cards[j], d.cards[i] })
	}
	c := d.cards[d.next]
	if d.next++; d.next == len(d.cards) {
		d.next, d.rounds = 0, d.rounds+1
	}
	return c
}

// overrideFate is how a request to share without consent ends up.
type overrideFate int

const (
	approved overrideFate = iota
	refused
	// waiting: asked in the last three weeks, and no supervisor has decided yet.
	waiting
)

// decks are the generator's dealt outcomes.
type decks struct {
	asks        map[string]*deck[bool] // by risk level: the officer asks to share without consent
	overrides   *deck[overrideFate]
	withdrawals *deck[bool] // the victim withdraws consent given
	reviewed    *deck[bool] // the officer decides the suggested links
	confirms    *deck[bool] // a decided link is confirmed
	relists     *deck[bool] // a case heard at one of the two meetings before is heard again
	actions     *deck[actionFate]
}

// newDecks makes the decks. Where consent was refused or not sought, an
// officer asks to share without it in every high-risk case, most
// medium-risk ones and some standard ones; a supervisor approves most
// requests. A victim withdraws consent in one referral in twelve. Three
// referrals in four get their suggested links decided, one link in eight
// rejected. A MARAC brings back one case in five of the two meetings
// before; half the MARAC actions are done on time.
func newDecks(rng *rand.Rand) decks {
	const y, n = true, false
	return decks{
		asks: map[string]*deck[bool]{"high": newDeck(rng, y), "medium": newDeck(rng, y, y, n, y),
			"standard": newDeck(rng, n, y, n)},
		overrides:   newDeck(rng, approved, refused, waiting, approved, approved, refused, approved),
		withdrawals: newDeck(rng, n, n, n, n, n, y, n, n, n, n, n, n),
		reviewed:    newDeck(rng, y, y, n, y),
		confirms:    newDeck(rng, y, y, n, y, y, y, y, y),
		relists:     newDeck(rng, n, y, n, n, n),
		actions: newDeck(rng, doneOnTime, doneLate, doneOnTime, notPossible, leftOpen, doneOnTime, notDone, doneOnTime, doneLate, doneOnTime,
			leftOpen, doneOnTime, notPossible, doneOnTime, doneLate, doneOnTime, notDone, doneOnTime, leftOpen, doneOnTime),
	}
}

// freshSignin is how recent the demo supervisor's sign-in is taken to be
// when they decide: consent.Decide wants a fresh one.
const freshSignin = 15 * time.Minute

// overrideStep is a request to share without consent (request set) or a
// supervisor's decision on the referral's request.
type overrideStep struct {
	request *consent.Override
	approve bool
	note    string
}

// linkStep is an officer's decision on a suggested link to an earlier referral.
type linkStep struct {
	other   int // the index of the earlier referral
	via     referral.LinkVia
	confirm bool
}

// people are the referrals that named each person so far, by index.
type people struct {
	byVictim, bySuspect map[person][]int
}

func newPeople() people {
	return people{byVictim: map[person][]int{}, bySuspect: map[person][]int{}}
}

// maxLinkDecisions bounds the suggestions an officer decides for one
// referral: the most recent earlier referrals of the person.
const maxLinkDecisions = 3

// links plans the officer's decisions on the links the hub suggests for
// referral i: most referrals get them within days, the rest are left as
// suggestions. Most links are confirmed, a few rejected.
func (p *planner) links(i int, at time.Time, officer identity.Principal, who victimHistory) {
	g := p.g
	reviewed := g.reviewed.deal()
	decide := func(earlier []int, via referral.LinkVia) {
		if !reviewed {
			return
		}
		for _, j := range earlier[max(0, len(earlier)-maxLinkDecisions):] {
			when := at.Add(2*time.Hour + time.Duration(g.hist.Int64N(int64(5*24*time.Hour))))
			p.push(step{at: when, referral: i, actor: officer, link: &linkStep{other: j, via: via, confirm: g.confirms.deal()}})
		}
	}
	decide(p.byVictim[who.victim], referral.ViaVictim)
	p.byVictim[who.victim] = append(p.byVictim[who.victim], i)
	if who.hasSuspect {
		decide(p.bySuspect[who.suspect], referral.ViaSuspect)
		p.bySuspect[who.suspect] = append(p.bySuspect[who.suspect], i)
	}
}

// withdrawal plans, now and then, the victim withdrawing the consent they
// gave, some days or weeks after the referral.
func (p *planner) withdrawal(i int, at time.Time, nr *referral.NewReferral) {
	g := p.g
	if !g.withdrawals.deal() {
		return
	}
	when := at.Add(7*24*time.Hour + time.Duration(g.hist.Int64N(int64(80*24*time.Hour))))
	c := consent.Consent{Decision: consent.Withdrawn, Method: consent.Verbal, ObtainedOn: day(when), RecordedBy: nr.Officer.Subject, RecordedAt: when}
	p.push(step{at: when, referral: i, actor: nr.Officer, consent: &c})
}

// override plans, for a referral shared without consent, the officer's
// request to share without it and a supervisor's decision: mostly approved,
// some refused, and a few asked in the last days and still waiting.
func (p *planner) override(i int, at time.Time, nr *referral.NewReferral) {
	g := p.g
	if asks, ok := g.asks[nr.Submission.Risk.Level]; !ok || !asks.deal() {
		return
	}
	fate := g.overrides.deal()
	asked := at.Add(time.Hour + time.Duration(g.hist.Int64N(int64(72*time.Hour))))
	if fate == waiting {
		asked = latest(at.Add(time.Hour), g.now.Add(-time.Duration(g.hist.Int64N(int64(21*24*time.Hour)))))
	}
	o := consent.Override{Basis: g.basis(), Rationale: g.text(nr.Officer, overrideRationales[g.hist.IntN(len(overrideRationales))]),
		Categories: category.SetOf(category.Identity, category.Contact, category.SafeContact, category.Risk),
		Until:      day(asked).AddDate(0, 3, 0)}
	for _, r := range nr.Submission.Agencies {
		o.Agencies = append(o.Agencies, r.Agency)
		switch r.Agency {
		case "childrens-services":
			o.Categories = o.Categories.Add(category.Children)
		case "probation", "housing":
			o.Categories = o.Categories.Add(category.Suspect).Add(category.Offence)
		}
	}
	p.push(step{at: asked, referral: i, actor: nr.Officer, override: &overrideStep{request: &o}})
	if fate == waiting {
		return
	}
	decided := asked.Add(time.Hour + time.Duration(g.hist.Int64N(int64(96*time.Hour))))
	sup := g.supervisor
	sup.AuthTime = decided.Add(-5 * time.Minute).Unix()
	d := overrideStep{approve: fate == approved}
	if !d.approve {
		d.note = refusalNotes[g.hist.IntN(len(refusalNotes))]
	}
	p.push(step{at: decided, referral: i, actor: sup, override: &d})
}

// basis picks a lawful basis: the first configured most often, as
// safeguarding is in practice, then the second, the rest rarely.
func (g *generator) basis() string {
	ws := make([]int, len(g.bases))
	total := 0
	for k := range ws {
		ws[k] = 1
		switch k {
		case 0:
			ws[k] = 6
		case 1:
			ws[k] = 3
		}
		total += ws[k]
	}
	r := g.hist.IntN(total)
	for k, w := range ws {
		if r < w {
			return g.bases[k]
		}
		r -= w
	}
	return g.bases[0]
}

// day is the UTC date of t, at midnight.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// latest is the later of two times; earliest the earlier.
func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

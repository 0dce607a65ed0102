package demo

import (
	"slices"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
)

// The demo panel meets monthly. Each meeting hears the eligible referrals
// raised since the last one closed its agenda (high risk, a few of medium
// risk, and any pair of victim and suspect heard in the last twelve
// months), and brings back some cases from the two meetings before. Each
// case gets research from most member agencies and one to three actions,
// due two to four weeks on; the owners close most of them. The next meeting,
// after today, already has cases on its agenda and research coming in.

// maracKind is what a MARAC step does.
type maracKind int

const (
	maracMeeting     maracKind = iota // the coordinator plans the meeting
	maracAttendance                   // the coordinator records an attending agency
	maracAcknowledge                  // an attendee acknowledges confidentiality on the day
	maracCase                         // the coordinator lists a referral
	maracResearch                     // a member agency gives its research
	maracAction                       // an action is agreed at the meeting
	maracUpdate                       // the action's owner (or the coordinator) closes it
	maracRelist                       // the planner chooses cases to bring back; never written
)

// maracStep is one MARAC step. Meetings, cases and actions are numbered as
// the planner makes them; the writer keeps the ids the store gives them.
type maracStep struct {
	kind     maracKind
	meeting  int
	caseNo   int
	actionNo int
	plan     marac.Meeting  // maracMeeting
	listing  marac.Case     // maracCase
	research marac.Research // maracResearch
	action   marac.Action   // maracAction; maracUpdate sets Status
	note     string         // maracUpdate: the note the status change carries
}

// meeting is one meeting as the planner sees it.
type meeting struct {
	date    time.Time // the day, at midnight UTC
	planned time.Time // when the coordinator created it
	closes  time.Time // referrals raised from here on go to the next meeting
	fresh   int       // referrals listed for the first time
	heard   []int     // every referral listed, by index
}

// heardCase is what a relisted case needs of its referral.
type heardCase struct {
	pair     pair
	paired   bool // the referral names a suspect
	agencies []string
}

// pair is a victim and a suspect: a case is a repeat when the pair had one
// in the twelve months before.
type pair struct{ victim, suspect person }

// maracPlan is the planner's MARAC state: the meetings, the cases so far
// and when each pair was heard.
type maracPlan struct {
	meetings []meeting
	members  []string // member agencies: they research cases and own actions
	cases    int      // cases planned so far
	actions  int      // actions planned so far
	heardAt  map[pair][]time.Time
	heardBy  map[int]heardCase // by referral index, for referrals heard
}

// The size of a meeting: a panel hears a few dozen cases a month at most,
// so a load test's hundred thousand referrals do not make thousands of
// cases. A meeting brings back some of the cases of the two before.
const (
	maxFreshCases   = 15
	maxRelisted     = 4
	mediumCasePct   = 10 // of medium-risk eligible referrals, listed on the officer's request
	researchPercent = 75 // of member agencies, research on a case
	agendaCloses    = 2 * 24 * time.Hour
)

// meetingDates are the panel's meeting days: the third Tuesday of each
// month, from the first more than a week after start (so that the first
// meeting has referrals to hear) up to and including the first on or after
// the day of now, the next meeting.
func meetingDates(start, now time.Time) []time.Time {
	var out []time.Time
	today := day(now)
	for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC); ; m = m.AddDate(0, 1, 0) {
		d := m.AddDate(0, 0, (int(time.Tuesday)-int(m.Weekday())+7)%7+14)
		if !d.After(start.Add(7 * 24 * time.Hour)) {
			continue
		}
		out = append(out, d)
		if !d.Before(today) {
			return out
		}
	}
}

// planMeetings lays out the meetings from start and queues what happens at
// each whatever its cases: created a week before the one before it, the
// attending agencies recorded, the attendees' acknowledgements on the day,
// and the choice of cases to bring back the day after the one before.
func (p *planner) planMeetings(start time.Time) {
	g := p.g
	p.members = marac.Members(p.agencies)
	p.heardAt, p.heardBy = map[pair][]time.Time{}, map[int]heardCase{}
	dates := meetingDates(start, g.now)
	for k, d := range dates {
		m := meeting{date: d, planned: start, closes: d.Add(-agendaCloses)}
		if k > 0 {
			m.planned = dates[k-1].Add(-7*24*time.Hour + 10*time.Hour)
		}
		p.meetings = append(p.meetings, m)
		p.push(step{at: m.planned, referral: -1, actor: g.coordinator, marac: &maracStep{kind: maracMeeting, meeting: k, plan: marac.Meeting{Panel: g.panel.ID, Date: d}}})
		attending := []string{agency.Police}
		for _, id := range p.members {
			if id == "idva" || g.hist.IntN(100) < 85 {
				attending = append(attending, id)
			}
		}
		for n, id := range attending {
			p.push(step{at: m.planned.Add(time.Duration(n+1) * time.Minute), referral: -1, agency: id, actor: g.coordinator,
				marac: &maracStep{kind: maracAttendance, meeting: k}})
			p.push(step{at: d.Add(9*time.Hour + time.Duration(n)*3*time.Minute), referral: -1, agency: id, actor: g.attendee(id),
				marac: &maracStep{kind: maracAcknowledge, meeting: k}})
		}
		if k > 0 {
			p.push(step{at: earliest(dates[k-1].Add(33*time.Hour), g.now), referral: -1, marac: &maracStep{kind: maracRelist, meeting: k}})
		}
	}
}

// listNew lists a new referral on the meeting whose agenda is open when it
// is raised, if it is one the panel hears: eligible (marac.Eligible) and
// high risk, a repeat of its pair, or now and then medium risk.
func (p *planner) listNew(i int, at time.Time, nr *referral.NewReferral, who victimHistory) {
	g := p.g
	k := slices.IndexFunc(p.meetings, func(m meeting) bool { return at.Before(m.closes) })
	if k < 0 || p.meetings[k].fresh >= maxFreshCases {
		return
	}
	s := nr.Submission
	pr := pair{who.victim, who.suspect}
	in := marac.EligibilityInput{RiskTool: risk.Tool(s.Risk.Tool), RiskScore: s.Risk.Score, Incidents: s.Incidents.Count,
		Concern: s.ConcernMARAC != "", EscalationIncidents: g.panel.EscalationIncidents}
	in.FirstIncident, _ = time.Parse(time.DateOnly, s.Incidents.First)
	in.LastIncident, _ = time.Parse(time.DateOnly, s.Incidents.Last)
	if who.hasSuspect {
		for _, d := range p.heardAt[pr] {
			if !d.After(day(at)) {
				in.LastCase = latest(in.LastCase, d)
			}
		}
	}
	criteria := marac.Eligible(in, at)
	repeatCase := slices.Contains(criteria, marac.Repeat)
	switch {
	case len(criteria) == 0:
		return
	case s.Risk.Level == "high", repeatCase:
	case s.Risk.Level == "medium" && g.hist.IntN(100) < mediumCasePct:
	default:
		return
	}
	c := marac.Case{Criterion: criteria[0], Note: g.text(g.coordinator, caseNotes[g.hist.IntN(len(caseNotes))])}
	switch {
	case repeatCase:
		c.Criterion, c.Note = marac.Repeat, g.text(g.coordinator, repeatNotes[g.hist.IntN(len(repeatNotes))])
	case c.Criterion == marac.ProfessionalJudgement:
		c.Note = g.text(g.coordinator, s.ConcernMARAC)
	}
	h := heardCase{pair: pr, paired: who.hasSuspect}
	for _, r := range s.Agencies {
		h.agencies = append(h.agencies, r.Agency)
	}
	p.heardBy[i] = h
	p.meetings[k].fresh++
	p.hear(k, i, c, at.Add(2*time.Hour+time.Duration(g.hist.Int64N(int64(48*time.Hour)))))
}

// relist brings back to meeting k, at the time at, some cases heard at the
// two meetings before (one in five): a further incident, or actions to
// review. The next meeting gets at least two, so that its agenda is never
// empty; when the two meetings before heard too few, earlier ones within
// the year count.
func (p *planner) relist(k int, at time.Time) {
	g := p.g
	candidates := p.heardBefore(k, 2)
	want := 0
	for range candidates {
		if g.relists.deal() {
			want++
		}
	}
	if !p.meetings[k].date.Before(day(g.now)) {
		want = max(want, 2)
	}
	for back := 3; len(candidates) < want && back < 12; back++ {
		candidates = p.heardBefore(k, back)
	}
	want = min(want, maxRelisted, len(candidates))
	g.hist.Shuffle(len(candidates), func(a, b int) { candidates[a], candidates[b] = candidates[b], candidates[a] })
	for _, i := range candidates[:want] {
		c := marac.Case{Criterion: marac.Repeat, Note: g.text(g.coordinator, repeatNotes[g.hist.IntN(len(repeatNotes))])}
		p.hear(k, i, c, at.Add(time.Duration(g.hist.Int64N(int64(72*time.Hour)))))
	}
}

// heardBefore lists the referrals heard at the back meetings before
// meeting k and not yet on its agenda, once each.
func (p *planner) heardBefore(k, back int) []int {
	var out []int
	for j := max(0, k-back); j < k; j++ {
		for _, i := range p.meetings[j].heard {
			if !slices.Contains(out, i) && !slices.Contains(p.meetings[k].heard, i) {
				out = append(out, i)
			}
		}
	}
	return out
}

// hear plans referral i's case at meeting k: listed at about the time at
// (after the meeting was planned, by the morning of the meeting and not
// after now), the member agencies' research up to the meeting, and the
// actions agreed on the day with what became of them.
func (p *planner) hear(k, i int, c marac.Case, at time.Time) {
	g := p.g
	m := &p.meetings[k]
	at = earliest(earliest(latest(at, m.planned.Add(time.Hour)), m.date.Add(8*time.Hour)), g.now)
	no := p.cases
	p.cases++
	m.heard = append(m.heard, i)
	h := p.heardBy[i]
	if h.paired {
		p.heardAt[h.pair] = append(p.heardAt[h.pair], m.date)
	}
	p.push(step{at: at, referral: i, actor: g.coordinator, marac: &maracStep{kind: maracCase, meeting: k, caseNo: no, listing: c}})

	// Research is taken up to the morning of the meeting.
	if until := m.date.Add(9 * time.Hour); until.After(at) {
		for _, id := range p.members {
			if g.hist.IntN(100) >= researchPercent {
				continue
			}
			when := at.Add(time.Minute + time.Duration(g.hist.Int64N(int64(until.Sub(at)))))
			p.push(step{at: when, referral: i, agency: id, actor: g.staffOf(id), marac: &maracStep{kind: maracResearch, meeting: k, caseNo: no, research: g.research(id)}})
		}
	}

	agreed := m.date.Add(10*time.Hour + time.Duration(g.hist.Int64N(int64(3*time.Hour))))
	for _, id := range g.owners(h.agencies, p.members) {
		a := marac.Action{Agency: id, Description: g.text(g.coordinator, g.describe(id)), Due: m.date.AddDate(0, 0, 14+g.hist.IntN(15))}
		n := p.actions
		p.actions++
		p.push(step{at: agreed, referral: i, agency: id, actor: g.coordinator, marac: &maracStep{kind: maracAction, meeting: k, caseNo: no, actionNo: n, action: a}})
		p.settle(i, k, n, a, agreed)
	}
}

// actionFate is what becomes of an action.
type actionFate int

const (
	doneOnTime actionFate = iota
	doneLate
	notPossible // circumstances changed
	notDone     // the agency did not do it: the coordinator records it at review
	leftOpen    // nobody has closed it; overdue once its day has passed
)

// settle plans the close of action n, agreed at the time agreed, as dealt.
func (p *planner) settle(i, k, n int, a marac.Action, agreed time.Time) {
	g := p.g
	work := func(d time.Time) time.Time {
		return d.Add(9*time.Hour + time.Duration(g.hist.Int64N(int64(8*time.Hour))))
	}
	span := int(a.Due.Sub(day(agreed)).Hours() / 24)
	by := g.staffOf(a.Agency)
	a.Status = marac.Done
	var at time.Time
	var note string
	switch g.actions.deal() {
	case doneOnTime:
		at = work(day(agreed).AddDate(0, 0, 2+g.hist.IntN(span-1)))
	case doneLate:
		at = work(a.Due.AddDate(0, 0, 1+g.hist.IntN(21)))
	case notPossible:
		at = work(day(agreed).AddDate(0, 0, 3+g.hist.IntN(span+5)))
		a.Status, note = marac.NotPossible, notPossibleNotes[g.hist.IntN(len(notPossibleNotes))]
	case notDone:
		at, by = work(a.Due.AddDate(0, 0, 5+g.hist.IntN(10))), g.coordinator
		a.Status, note = marac.NotDone, notDoneNotes[g.hist.IntN(len(notDoneNotes))]
	default:
		return
	}
	p.push(step{at: at, referral: i, agency: a.Agency, actor: by, marac: &maracStep{kind: maracUpdate, meeting: k, actionNo: n, action: a, note: note}})
}

// owners picks one to three member agencies to own actions on a case:
// those the referral went to, and the IDVA service, which most high-risk
// cases have.
func (g *generator) owners(sentTo, members []string) []string {
	var pool []string
	for _, id := range append([]string{"idva"}, sentTo...) {
		if slices.Contains(members, id) && !slices.Contains(pool, id) {
			pool = append(pool, id)
		}
	}
	if len(pool) == 0 {
		pool = members
	}
	g.hist.Shuffle(len(pool), func(a, b int) { pool[a], pool[b] = pool[b], pool[a] })
	return pool[:min(len(pool), 1+g.hist.IntN(3))]
}

// research is what a member agency finds on a case: often nothing, else a
// summary, and sometimes an open case.
func (g *generator) research(agencyID string) marac.Research {
	// Research carries its kind even when there is nothing to say: its
	// answers are released with it.
	r := marac.Research{Agency: agencyID, Summary: g.text(g.staffOf(agencyID), "")}
	if g.hist.IntN(100) < 55 {
		r.KnownToService = true
		r.OpenCase = g.hist.IntN(100) < 40
		r.Summary = g.text(g.staffOf(agencyID), researchSummaries[g.hist.IntN(len(researchSummaries))])
	}
	return r
}

func (g *generator) describe(agencyID string) string {
	if ds := actionDescriptions[agencyID]; len(ds) > 0 {
		return ds[g.hist.IntN(len(ds))]
	}
	return "Contact the victim and review the safety plan"
}

// attendee is the person who acknowledges a meeting for an agency.
func (g *generator) attendee(agencyID string) identity.Principal {
	if agencyID == agency.Police {
		return g.officers[0]
	}
	return g.staffOf(agencyID)
}

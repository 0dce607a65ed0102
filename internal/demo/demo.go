// Package demo makes synthetic data for demonstrations and load tests:
// referrals about made-up people, with a realistic mix of offences, risk,
// consent and agency answers, spread over the last twelve months, and what
// followed them: links, withdrawals, requests to share without consent, and
// the monthly MARAC with its cases, research and actions.
package demo

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/devidp"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
	"github.com/stalking-hub/hub/internal/vocab"
)

// Options say who raises and answers the referrals, and when.
type Options struct {
	// Issuer is the development identity provider's issuer. The referrals
	// are raised by its officer personas and answered by its agency
	// personas, so that signing in as them shows the data.
	Issuer string
	// Now ends the twelve months the referrals are spread over; time.Now
	// when zero.
	Now time.Time
	// Seed picks the random choices: the same seed, count and time make
	// the same people and history.
	Seed uint64
	// Panel is the MARAC panel whose monthly meetings hear the cases; the
	// default configuration's first panel when its id is empty.
	Panel config.Panel
	// LawfulBases are the bases an officer may give for sharing without
	// consent; the default configuration's when empty.
	LawfulBases []string
}

// step is one thing in the history of the demo referrals: a referral is
// raised, an agency opens or answers its share, or one of the later events
// (consent, override, link, MARAC) set in the field of its own.
type step struct {
	at       time.Time
	referral int // the index of the referral, in order of creation
	create   *referral.NewReferral
	agency   string
	view     bool // the agency opened its share
	to       referral.ShareStatus
	reason   coded
	outcome  coded
	actor    identity.Principal
	consent  *consent.Consent // a later consent record: the victim withdraws
	override *overrideStep
	link     *linkStep
	marac    *maracStep
	justice  *justiceStep
}

// person is someone named in a referral.
type person struct {
	name, dob string
}

// generator holds the random sources and what it has made so far, so that
// later referrals can name the same people again.
type generator struct {
	rng *rand.Rand
	// hist draws what follows the referrals (links, overrides, MARAC), so
	// that adding to that history leaves the referrals of a seed as they were.
	hist        *rand.Rand
	now         time.Time
	officers    []identity.Principal
	supervisor  identity.Principal
	coordinator identity.Principal
	staff       map[string]identity.Principal
	targets     []string // agencies that receive referrals
	victims     []victimHistory
	suspects    []person
	panel       config.Panel
	bases       []string // lawful bases for sharing without consent
	agencies    *agency.Directory
	decks
}

// text seals demo free text as p's, holding p's agency's default category
// (risk where its file names none).
func (g *generator) text(p identity.Principal, body string) sealed.Text {
	w := marac.WriterOf(p, g.agencies)
	c := category.Risk
	if w.HasDefault {
		c = w.Default
	}
	return sealed.NewText("", c, w.Agency, body)
}

// victimHistory is a victim named before, and who the suspect was.
type victimHistory struct {
	victim, suspect person
	hasSuspect      bool
}

// Shares of the mix, in percent: made up to look like a working year, not
// taken from any force's figures.
const (
	repeatVictimPercent  = 12 // a victim of an earlier referral
	sameSuspectPercent   = 70 // of repeat victims: the same suspect again
	serialSuspectPercent = 8  // a suspect of an earlier referral, with a new victim
	namedSuspectPercent  = 85
	childrenPercent      = 30
	concernPercent       = 70 // of high risk judged without DASH: a stated MARAC concern
)

// planner makes n referrals over the twelve months before the generator's
// now, and what happened to each share since, one step at a time in order
// of time. It holds only the steps still to come, not the whole history,
// so that a hundred thousand referrals fit in little memory.
type planner struct {
	g        *generator
	agencies *agency.Directory
	created  []time.Time // when each referral is raised, oldest first
	next     int         // the next referral to raise
	pending  stepQueue   // answers to come, soonest first
	seq      int
	people   // who was named before, for links
	maracPlan
	cj     *rand.Rand // the criminal-justice history's own random source
	cjKeys int        // numbers the orders and updates it plans
}

func newPlanner(agencies *agency.Directory, opt Options, n int) *planner {
	g := newGenerator(agencies, opt)
	created := make([]time.Time, n)
	for i := range created {
		day := g.now.Add(-time.Duration(g.rng.Int64N(int64(365 * 24 * time.Hour))))
		y, m, d := day.Date()
		created[i] = time.Date(y, m, d, 8+g.rng.IntN(11), g.rng.IntN(60), g.rng.IntN(60), 0, time.UTC)
		if created[i].After(g.now) {
			created[i] = g.now.Add(-time.Duration(i+1) * time.Second)
		}
	}
	slices.SortFunc(created, func(a, b time.Time) int { return a.Compare(b) })
	p := &planner{g: g, agencies: agencies, created: created, people: newPeople(), cj: newJusticeSource(opt.Seed)}
	p.planMeetings(g.now.Add(-365 * 24 * time.Hour))
	return p
}

// step returns the next step in time, or false when the history is done.
func (p *planner) step() (step, bool) {
	for {
		if p.next < len(p.created) && (len(p.pending) == 0 || !p.pending[0].at.Before(p.created[p.next])) {
			i, at := p.next, p.created[p.next]
			p.next++
			nr, who := p.g.referral(p.agencies, at)
			for _, r := range nr.Submission.Agencies {
				for _, st := range p.g.answers(i, r.Agency, at, nr.Due[r.Agency]) {
					p.push(st)
				}
			}
			p.follow(i, at, &nr, who)
			return step{at: at, referral: i, create: &nr, actor: nr.Officer}, true
		}
		if len(p.pending) == 0 {
			return step{}, false
		}
		st := heap.Pop(&p.pending).(queued).step
		// Relisting is the planner's own step: it chooses, at its time,
		// which cases come back, and plans their steps.
		if st.marac != nil && st.marac.kind == maracRelist {
			p.relist(st.marac.meeting, st.at)
			continue
		}
		return st, true
	}
}

// push queues a step to come, unless it falls after now: the history stops
// today, and what depends on a dropped step falls later still.
func (p *planner) push(st step) {
	if st.at.After(p.g.now) {
		return
	}
	p.seq++
	heap.Push(&p.pending, queued{st, p.seq})
}

// follow plans what happens to a referral after it is raised, besides the
// agencies' answers: links to earlier referrals, a withdrawal of consent or
// a request to share without it, and a MARAC case.
func (p *planner) follow(i int, at time.Time, nr *referral.NewReferral, who victimHistory) {
	p.links(i, at, nr.Officer, who)
	switch nr.Consent.Decision {
	case consent.Given:
		p.withdrawal(i, at, nr)
	case consent.Refused, consent.NotSought:
		p.override(i, at, nr)
	}
	p.listNew(i, at, nr, who)
	p.equality(nr)
	p.criminalJustice(i, at, nr.Submission.Offence)
}

// queued is a step waiting its time; seq keeps steps of the same time in
// the order they were made, so a share's steps never swap.
type queued struct {
	step
	seq int
}

// stepQueue is a heap of steps, soonest first.
type stepQueue []queued

func (q stepQueue) Len() int { return len(q) }
func (q stepQueue) Less(i, j int) bool {
	if c := q[i].at.Compare(q[j].at); c != 0 {
		return c < 0
	}
	return q[i].seq < q[j].seq
}
func (q stepQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *stepQueue) Push(x any)   { *q = append(*q, x.(queued)) }
func (q *stepQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

func newGenerator(agencies *agency.Directory, opt Options) *generator {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	defaults := config.Defaults()
	if opt.Panel.ID == "" {
		opt.Panel = defaults.Marac.Panels[0]
	}
	if len(opt.LawfulBases) == 0 {
		opt.LawfulBases = defaults.Sharing.LawfulBases
	}
	hist := rand.New(rand.NewPCG(opt.Seed, 0x415d))
	g := &generator{rng: rand.New(rand.NewPCG(opt.Seed, 0x5eed)), hist: hist, now: now.UTC(), staff: map[string]identity.Principal{},
		panel: opt.Panel, bases: opt.LawfulBases, decks: newDecks(hist), agencies: agencies,
		supervisor:  identity.Principal{Subject: "demo|supervisor", Name: "Demo supervisor", Roles: []identity.Role{identity.Supervisor}},
		coordinator: identity.Principal{Subject: "demo|coordinator", Name: "Demo coordinator", Roles: []identity.Role{identity.MARACCoordinator}}}
	for _, p := range devidp.Personas {
		pr := identity.Principal{Subject: opt.Issuer + "|" + p.ID, Name: p.Name, Email: p.Email, Agency: p.Agency}
		for _, r := range p.Roles {
			pr.Roles = append(pr.Roles, identity.Role(r))
		}
		switch {
		case pr.Has(identity.Officer):
			g.officers = append(g.officers, pr)
		case pr.Has(identity.Supervisor):
			g.supervisor = pr
		case pr.Has(identity.MARACCoordinator):
			g.coordinator = pr
		case pr.Has(identity.AgencyStaff):
			g.staff[p.Agency] = pr
		}
	}
	for _, a := range agencies.All() {
		if a.ID != agency.Police {
			g.targets = append(g.targets, a.ID)
		}
	}
	return g
}

func (g *generator) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

func (g *generator) pickCoded(xs []coded) coded { return xs[g.rng.IntN(len(xs))] }

func (g *generator) percent(p int) bool { return g.rng.IntN(100) < p }

// weighted picks a key by its weight.
func (g *generator) weighted(ws []weight) string {
	total := 0
	for _, w := range ws {
		total += w.n
	}
	r := g.rng.IntN(total)
	for _, w := range ws {
		if r < w.n {
			return w.key
		}
		r -= w.n
	}
	return ws[len(ws)-1].key
}

type weight struct {
	key string
	n   int
}

var (
	offences = []weight{{"stalking", 18}, {"stalking_fear_alarm_distress", 20}, {"harassment", 25}, {"harassment_fear_of_violence", 10},
		{"malicious_communications", 12}, {"breach_of_order", 10}, {"other", 5}}
	levels        = []weight{{"high", 20}, {"medium", 45}, {"standard", 35}}
	tools         = []weight{{"dash", 60}, {"s_dash", 25}, {"sash", 5}, {"professional_judgement", 10}}
	relationships = []weight{{"ex_partner", 45}, {"acquaintance", 15}, {"neighbour", 10}, {"stranger", 8}, {"online_only", 8},
		{"colleague", 6}, {"family", 5}, {"other", 3}}
	methods   = []weight{{"phone", 45}, {"text", 20}, {"email", 10}, {"in_person", 10}, {"via_police", 10}, {"via_third_party", 5}}
	decisions = []weight{{"given", 65}, {"refused", 15}, {"not_sought", 20}}
	strands   = vocab.HateCrimeStrands.Values()
	// dashBands are the DASH counts that fit each level, from and below:
	// 14 or more "yes" answers of 24 is visible high risk.
	dashBands = map[string][2]int{"standard": {0, 8}, "medium": {8, 14}, "high": {risk.VisibleHighRisk, 25}}
)

// newPerson makes up someone born between 16 and 75 years before at.
func (g *generator) newPerson(at time.Time, minAge, maxAge int) person {
	age := minAge + g.rng.IntN(maxAge-minAge)
	born := at.AddDate(-age, 0, -g.rng.IntN(365))
	return person{name: g.pick(firstNames) + " " + g.pick(surnames), dob: born.Format(time.DateOnly)}
}

// written is how an officer typed a name: now and then in capitals or with
// extra spaces, which the fingerprints must see through.
func (g *generator) written(name string) string {
	switch g.rng.IntN(6) {
	case 0:
		first, last, _ := strings.Cut(name, " ")
		return first + " " + strings.ToUpper(last)
	case 1:
		return strings.ReplaceAll(name, " ", "  ")
	}
	return name
}

// referral makes one referral raised at the time at, and says who it names.
func (g *generator) referral(agencies *agency.Directory, at time.Time) (referral.NewReferral, victimHistory) {
	var s referral.Submission
	s.Offence = g.weighted(offences)
	s.Summary = g.pick(summaries[s.Offence])
	s.CrimeReference = fmt.Sprintf("NS/%02d/%06d", at.Year()%100, g.rng.IntN(1000000))
	first := at.AddDate(0, 0, -1-g.rng.IntN(180))
	last := first.Add(time.Duration(g.rng.Int64N(int64(at.Sub(first)))))
	s.Incidents = referral.Incidents{Count: 1 + g.rng.IntN(15), First: first.Format(time.DateOnly), Last: last.Format(time.DateOnly)}
	if s.Incidents.Count == 1 {
		s.Incidents.First = s.Incidents.Last
	}

	level := g.weighted(levels)
	s.Risk = referral.RiskAssessment{Level: level, Tool: g.weighted(tools), AssessedOn: at.Format(time.DateOnly)}
	if s.Risk.Tool == "dash" {
		band := dashBands[level]
		score := band[0] + g.rng.IntN(band[1]-band[0])
		s.Risk.Score = &score
	}
	// High risk judged without a DASH count reaches MARAC through the
	// officer's stated concern.
	if level == "high" && s.Risk.Tool != "dash" && g.hist.IntN(100) < concernPercent {
		s.ConcernMARAC = maracConcerns[g.hist.IntN(len(maracConcerns))]
	}

	victim, suspect, hasSuspect := g.people(at)
	domestic := hasSuspect && g.percent(60)
	s.Victim = referral.Victim{
		Name: g.written(victim.name), DateOfBirth: victim.dob,
		Address:     fmt.Sprintf("%d %s, %s", 1+g.rng.IntN(120), g.pick(streets), g.pick(towns)),
		Phone:       fmt.Sprintf("07700 900%03d", g.rng.IntN(1000)),
		SafeContact: referral.SafeContact{Method: g.weighted(methods), Times: g.pick(safeTimes), Instructions: g.pick(safeInstructions)},
		Health:      g.pick(healthNotes), Needs: g.pick(needsNotes), Views: g.pick(views),
	}
	if g.percent(50) {
		s.Victim.Email = strings.ToLower(strings.ReplaceAll(victim.name, " ", ".")) + "@example.com"
	}
	if hasSuspect {
		rel := g.weighted(relationships)
		if domestic {
			rel = "ex_partner"
		}
		s.Suspect = referral.Suspect{Name: g.written(suspect.name), DateOfBirth: suspect.dob, Relationship: rel, Orders: g.pick(orders)}
		if s.Offence == "breach_of_order" {
			s.Suspect.Orders = "restraining order in place"
		}
	} else {
		s.Suspect = referral.Suspect{Relationship: "unknown"}
	}
	if g.percent(childrenPercent) {
		for range 1 + g.rng.IntN(3) {
			c := g.newPerson(at, 1, 16)
			_, surname, _ := strings.Cut(victim.name, " ")
			first, _, _ := strings.Cut(c.name, " ")
			s.Children = append(s.Children, referral.Child{Name: first + " " + surname, DateOfBirth: c.dob, School: g.pick(schools), LivesWithVictim: g.percent(85)})
		}
	}

	if domestic {
		s.AggravatingFactors = append(s.AggravatingFactors, referral.AggravatingFactor{Factor: "domestic_abuse"})
	}
	if level != "standard" && g.percent(40) {
		s.AggravatingFactors = append(s.AggravatingFactors, referral.AggravatingFactor{Factor: "fear_of_violence"})
	}
	if g.percent(40) {
		s.AggravatingFactors = append(s.AggravatingFactors, referral.AggravatingFactor{Factor: "technology_enabled"})
	}
	if g.percent(6) {
		s.AggravatingFactors = append(s.AggravatingFactors, referral.AggravatingFactor{Factor: "hate_crime", Strand: g.pick(strands)})
	}
	if g.percent(3) {
		s.AggravatingFactors = append(s.AggravatingFactors, referral.AggravatingFactor{Factor: "honour_based_abuse"})
	}

	for _, id := range g.recipients(domestic, len(s.Children) > 0, hasSuspect, level) {
		s.Agencies = append(s.Agencies, referral.Request{Agency: id, Request: g.requestFor(id)})
	}
	officer := g.officers[g.rng.IntN(len(g.officers))]
	due := map[string]time.Time{}
	for _, r := range s.Agencies {
		a, _ := agencies.Get(r.Agency)
		due[r.Agency] = at.Add(a.ResponseTime(risk.Level(level)))
	}
	given, cons := g.consent(s.Agencies, at, officer)
	s.Consent = given
	return referral.NewReferral{Submission: s, Officer: officer, Due: due, Consent: cons}, victimHistory{victim: victim, suspect: suspect, hasSuspect: hasSuspect}
}

// people picks the victim and the suspect: new people mostly, sometimes a
// victim or a suspect named before, so that links and repeats exist.
func (g *generator) people(at time.Time) (victim, suspect person, hasSuspect bool) {
	switch {
	case len(g.victims) > 0 && g.percent(repeatVictimPercent):
		// Recent victims come back more often than old ones.
		h := g.victims[len(g.victims)-1-g.rng.IntN(min(len(g.victims), 200))]
		victim = h.victim
		if h.hasSuspect && g.percent(sameSuspectPercent) {
			return victim, h.suspect, true
		}
	default:
		victim = g.newPerson(at, 16, 75)
	}
	hasSuspect = g.percent(namedSuspectPercent)
	if hasSuspect {
		if len(g.suspects) > 0 && g.percent(serialSuspectPercent) {
			suspect = g.suspects[g.rng.IntN(len(g.suspects))]
		} else {
			suspect = g.newPerson(at, 18, 70)
			g.suspects = append(g.suspects, suspect)
		}
	}
	g.victims = append(g.victims, victimHistory{victim: victim, suspect: suspect, hasSuspect: hasSuspect})
	return victim, suspect, hasSuspect
}

// recipients picks one to three agencies, as the case suggests.
func (g *generator) recipients(domestic, children, suspect bool, level string) []string {
	ws := []weight{}
	for _, id := range g.targets {
		n := 5
		switch id {
		case "victim-support":
			n = 30
		case "housing":
			n = 20
		case "health":
			n = 10
		case "idva":
			n = 5
			if domestic || level == "high" {
				n = 35
			}
		case "childrens-services":
			n = 0
			if children {
				n = 30
			}
		case "probation":
			n = 0
			if suspect {
				n = 6
			}
		}
		if n > 0 {
			ws = append(ws, weight{id, n})
		}
	}
	want := 1 + g.rng.IntN(3)
	var out []string
	for len(out) < want && len(ws) > 0 {
		id := g.weighted(ws)
		out = append(out, id)
		ws = slices.DeleteFunc(ws, func(w weight) bool { return w.key == id })
	}
	return out
}

func (g *generator) requestFor(id string) string {
	if rs := requests[id]; len(rs) > 0 {
		return g.pick(rs)
	}
	return "please assess and contact the victim"
}

// consent is the victim's answer as the officer records it with the
// referral, in the submission's words and as the record the store keeps.
func (g *generator) consent(to []referral.Request, at time.Time, officer identity.Principal) (referral.ConsentGiven, consent.Consent) {
	given := referral.ConsentGiven{Decision: g.weighted(decisions)}
	switch given.Decision {
	case "given":
		for _, r := range to {
			if len(given.Agencies) == 0 || g.percent(85) {
				given.Agencies = append(given.Agencies, r.Agency)
			}
		}
		given.Categories = []string{"identity", "contact", "safe_contact", "risk", "needs"}
		for _, c := range []string{"offence", "suspect", "children", "health"} {
			if g.percent(50) {
				given.Categories = append(given.Categories, c)
			}
		}
		given.Method = g.pick([]string{"verbal", "verbal", "written", "electronic"})
		given.ObtainedOn = at.Format(time.DateOnly)
		given.ReviewOn = at.AddDate(0, 6, 0).Format(time.DateOnly)
	case "refused":
		given.Method, given.ObtainedOn = "verbal", at.Format(time.DateOnly)
	case "not_sought":
		given.Reason = g.pick(notSoughtReasons)
	}
	c := consent.Consent{Decision: consent.Decision(given.Decision), Reason: given.Reason, Agencies: given.Agencies,
		Method: consent.Method(given.Method), RecordedBy: officer.Subject, RecordedAt: at}
	for _, name := range given.Categories {
		if cat, err := category.Parse(name); err == nil {
			c.Categories = c.Categories.Add(cat)
		}
	}
	c.ObtainedOn, _ = time.Parse(time.DateOnly, given.ObtainedOn)
	c.ReviewOn, _ = time.Parse(time.DateOnly, given.ReviewOn)
	return given, c
}

// answers is what one agency did with its share, as far as the time since
// the referral allows: opened, then accepted or declined (or nothing, and
// so overdue), then work started and the share closed with an outcome.
func (g *generator) answers(i int, agencyID string, sent, due time.Time) []step {
	actor := g.staffOf(agencyID)
	var out []step
	add := func(at time.Time, s step) bool {
		if at.After(g.now) {
			return false
		}
		s.at, s.referral, s.agency, s.actor = at, i, agencyID, actor
		out = append(out, s)
		return true
	}
	respond := due.Sub(sent)
	at := sent.Add(time.Hour + time.Duration(g.rng.Int64N(int64(respond/2+time.Hour))))
	if !add(at, step{view: true}) || g.percent(10) {
		return out // not opened yet, or opened and never answered
	}
	// Most answer within their time; some late.
	at = at.Add(time.Duration(g.rng.Int64N(int64(respond * 6 / 5))))
	if g.percent(22) {
		add(at, step{to: referral.Declined, reason: g.pickCoded(declineReasons)})
		return out
	}
	if !add(at, step{to: referral.Accepted}) {
		return out
	}
	at = at.Add(time.Duration(1+g.rng.IntN(7)) * 24 * time.Hour)
	if g.percent(20) || !add(at, step{to: referral.InProgress}) {
		return out
	}
	at = at.Add(time.Duration(14+g.rng.IntN(90)) * 24 * time.Hour)
	if g.percent(75) {
		add(at, step{to: referral.Closed, outcome: g.pickCoded(outcomes)})
	}
	return out
}

// staffOf is the agency's demo persona, or a stand-in of that agency when
// the development provider has none for it.
func (g *generator) staffOf(agencyID string) identity.Principal {
	if p, ok := g.staff[agencyID]; ok {
		return p
	}
	return identity.Principal{Subject: "demo|" + agencyID, Name: "Demo staff", Roles: []identity.Role{identity.AgencyStaff}, Agency: agencyID}
}

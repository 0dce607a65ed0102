package demo

import (
	"context"
	"github.com/stalking-hub/hub/internal/category"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/report"
	"github.com/stalking-hub/hub/internal/seal"
	"github.com/stalking-hub/hub/internal/store"
	"github.com/stalking-hub/hub/internal/store/storetest"
)

// historyCheck follows the plan's steps after the referrals, as the hub's
// own rules would take them, and counts what they make.
type historyCheck struct {
	bases       []string
	members     []string
	isRecipient func(string) bool
	referrals   map[int]*referral.NewReferral

	withdrawn                 int
	requests                  map[int]consent.Override // by referral index
	approved, refused         int
	confirmed, rejected       int
	meetings                  map[int]marac.Meeting
	attending                 map[int][]string
	caseAt                    map[int]int // the meeting of each case
	listed                    map[[2]int]bool
	heard                     map[int][]time.Time // meeting dates by referral index
	repeats, research         int
	actions                   map[int]marac.Action
	onTime, late, notPossible int
	notDone, open, overdue    int
	meetsPast                 int
}

func newHistoryCheck(dir *agency.Directory, opt Options) *historyCheck {
	return &historyCheck{
		bases: config.Defaults().Sharing.LawfulBases, members: marac.Members(dir),
		isRecipient: func(id string) bool { _, ok := dir.Get(id); return ok && id != agency.Police },
		referrals:   map[int]*referral.NewReferral{}, requests: map[int]consent.Override{},
		meetings: map[int]marac.Meeting{}, attending: map[int][]string{}, caseAt: map[int]int{}, listed: map[[2]int]bool{},
		heard: map[int][]time.Time{}, actions: map[int]marac.Action{},
	}
}

// check takes one step: it reports false for a referral or a share's
// answer, which the caller checks, and fails the test when a step of the
// history would not pass the rule the hub applies to it.
func (h *historyCheck) check(t *testing.T, st step) bool {
	t.Helper()
	switch {
	case st.create != nil:
		h.referrals[st.referral] = st.create
		return false
	case st.consent != nil:
		nr := h.referrals[st.referral]
		if nr == nil || nr.Consent.Decision != consent.Given || st.consent.Decision != consent.Withdrawn || !st.actor.Police() {
			t.Fatalf("withdrawal of referral %d: %+v", st.referral, st.consent)
		}
		if perr := consent.ValidateConsent(*st.consent, h.isRecipient, st.at); perr != nil {
			t.Fatalf("withdrawal of referral %d: %v %v", st.referral, perr, perr.Fields)
		}
		h.withdrawn++
	case st.override != nil:
		h.override(t, st)
	case st.link != nil:
		h.link(t, st)
	case st.marac != nil:
		h.marac(t, st)
	default:
		return false
	}
	return true
}

func (h *historyCheck) override(t *testing.T, st step) {
	t.Helper()
	nr := h.referrals[st.referral]
	if o := st.override.request; o != nil {
		_, asked := h.requests[st.referral]
		if nr == nil || nr.Consent.Decision == consent.Given || asked || !st.actor.Has(identity.Officer) {
			t.Fatalf("request to share referral %d without consent: %+v", st.referral, o)
		}
		if perr := consent.ValidateOverride(*o, h.bases, h.isRecipient, st.at); perr != nil {
			t.Fatalf("request on referral %d: %v %v", st.referral, perr, perr.Fields)
		}
		req := *o
		req.RequestedBy, req.RequestedAt, req.Status = st.actor.Subject, st.at, consent.OverridePending
		h.requests[st.referral] = req
		return
	}
	req, ok := h.requests[st.referral]
	if !ok {
		t.Fatalf("decision on referral %d before its request", st.referral)
	}
	decided, err := consent.Decide(req, st.actor, st.override.approve, st.override.note, st.at, freshSignin)
	if err != nil {
		t.Fatalf("decision on referral %d: %v", st.referral, err)
	}
	h.requests[st.referral] = decided
	if decided.Status == consent.OverrideApproved {
		h.approved++
	} else {
		h.refused++
	}
}

func (h *historyCheck) link(t *testing.T, st step) {
	t.Helper()
	a, b := h.referrals[st.referral], h.referrals[st.link.other]
	if a == nil || b == nil || st.link.other >= st.referral || !st.actor.Police() {
		t.Fatalf("link from referral %d to %d", st.referral, st.link.other)
	}
	who := func(nr *referral.NewReferral) string {
		s := nr.Submission
		if st.link.via == referral.ViaSuspect {
			return seal.Normalise(s.Suspect.Name) + "|" + s.Suspect.DateOfBirth
		}
		return seal.Normalise(s.Victim.Name) + "|" + s.Victim.DateOfBirth
	}
	if who(a) != who(b) || who(a) == "|" {
		t.Fatalf("referrals %d and %d do not share the %s", st.referral, st.link.other, st.link.via)
	}
	if st.link.confirm {
		h.confirmed++
	} else {
		h.rejected++
	}
}

func (h *historyCheck) marac(t *testing.T, st step) {
	t.Helper()
	m := st.marac
	meeting, planned := h.meetings[m.meeting]
	if m.kind != maracMeeting && !planned {
		t.Fatalf("MARAC step %d before its meeting %d", m.kind, m.meeting)
	}
	switch m.kind {
	case maracMeeting:
		if planned || !st.actor.Has(identity.MARACCoordinator) || m.plan.Date.Before(day(st.at)) {
			t.Fatalf("meeting %d planned twice, by %s, or in the past: %+v", m.meeting, st.actor.Subject, m.plan)
		}
		h.meetings[m.meeting] = m.plan
	case maracAttendance:
		h.attending[m.meeting] = append(h.attending[m.meeting], st.agency)
	case maracAcknowledge:
		if !marac.MayAcknowledge(st.actor, h.attending[m.meeting]) || day(st.at) != meeting.Date {
			t.Fatalf("%s acknowledged meeting %d at %s", st.actor.Subject, m.meeting, st.at)
		}
		h.meetsPast++
	case maracCase:
		key := [2]int{m.meeting, st.referral}
		if h.referrals[st.referral] == nil || h.listed[key] || meeting.Over(st.at) {
			t.Fatalf("case of referral %d on meeting %d at %s: not sent, listed twice, or too late", st.referral, m.meeting, st.at)
		}
		n := marac.NewCase{Referral: "r", Criterion: string(m.listing.Criterion)}
		if !m.listing.Note.Empty() {
			n.Note = "a note"
		}
		if _, perr := n.Validate(marac.Writer{Agency: "marac-coordinator", Default: category.Risk, HasDefault: true}); perr != nil {
			t.Fatalf("case of referral %d: %v %v", st.referral, perr, perr.Fields)
		}
		for _, d := range h.heard[st.referral] {
			if d.Before(meeting.Date) && marac.RepeatCase(d, meeting.Date) {
				h.repeats++
				break
			}
		}
		h.heard[st.referral] = append(h.heard[st.referral], meeting.Date)
		h.listed[key], h.caseAt[m.caseNo] = true, m.meeting
	case maracResearch:
		r := m.research
		known, open := r.KnownToService, r.OpenCase
		summary := ""
		if !r.Summary.Empty() {
			summary = "a summary"
		}
		w := marac.Writer{Agency: r.Agency, Default: category.Needs, HasDefault: true}
		_, perr := marac.NewResearch{Summary: summary, KnownToService: &known, OpenCase: &open}.Validate(w)
		at, ok := h.caseAt[m.caseNo]
		if perr != nil || !ok || h.meetings[at].Over(st.at) || st.actor.Agency != r.Agency || !slices.Contains(h.members, r.Agency) {
			t.Fatalf("research on case %d by %s: %v", m.caseNo, st.actor.Subject, perr)
		}
		h.research++
	case maracAction:
		a := m.action
		desc := ""
		if !a.Description.Empty() {
			desc = "a description"
		}
		saved, perr := marac.NewAction{Agency: a.Agency, Description: desc, Due: a.Due.Format(time.DateOnly)}.Validate(h.members, marac.Writer{Agency: "marac-coordinator", Default: category.Risk, HasDefault: true}, st.at)
		if _, ok := h.caseAt[m.caseNo]; perr != nil || !ok || !st.actor.Has(identity.MARACCoordinator) {
			t.Fatalf("action on case %d: %v", m.caseNo, perr)
		}
		if due := saved.Due.Sub(meeting.Date); due < 14*24*time.Hour || due > 28*24*time.Hour {
			t.Errorf("action due %s after its meeting", due)
		}
		h.actions[m.actionNo] = saved
	case maracUpdate:
		a, ok := h.actions[m.actionNo]
		if !ok {
			t.Fatalf("update of action %d before it was agreed", m.actionNo)
		}
		next, perr := marac.UpdateAction(a, string(m.action.Status), m.note, marac.Writer{Agency: st.actor.Agency, Default: category.Needs, HasDefault: true}, st.actor, st.at)
		if perr != nil {
			t.Fatalf("update of action %d by %s: %v", m.actionNo, st.actor.Subject, perr)
		}
		switch next.Status {
		case marac.Done:
			if day(st.at).After(a.Due) {
				h.late++
			} else {
				h.onTime++
			}
		case marac.NotPossible:
			h.notPossible++
		case marac.NotDone:
			h.notDone++
		}
		h.actions[m.actionNo] = next
	default:
		t.Fatalf("MARAC step of kind %d written", m.kind)
	}
}

// report fails the test when some part of the history is missing or out
// of proportion.
func (h *historyCheck) report(t *testing.T) {
	t.Helper()
	for _, a := range h.actions {
		if a.Status == marac.Open {
			h.open++
			if marac.ActionOverdue(a, now) {
				h.overdue++
			}
		}
	}
	pending := 0
	for _, o := range h.requests {
		if o.Status == consent.OverridePending {
			pending++
		}
	}
	t.Logf("withdrawn %d; overrides approved %d refused %d pending %d; links confirmed %d rejected %d", h.withdrawn, h.approved, h.refused, pending, h.confirmed, h.rejected)
	t.Logf("meetings %d, cases %d (repeat %d), research %d, actions %d: on time %d, late %d, not possible %d, not done %d, open %d (overdue %d)",
		len(h.meetings), len(h.caseAt), h.repeats, h.research, len(h.actions), h.onTime, h.late, h.notPossible, h.notDone, h.open, h.overdue)
	if h.withdrawn == 0 || h.refused == 0 || pending == 0 || h.approved <= h.refused+pending || h.rejected == 0 || h.confirmed <= h.rejected {
		t.Error("want withdrawals, overrides mostly approved with some refused and pending, links mostly confirmed with some rejected")
	}
	if len(h.meetings) < 12 || len(h.meetings) > 14 || h.meetsPast == 0 {
		t.Errorf("%d meetings, %d acknowledgements: want monthly meetings over the year and the next", len(h.meetings), h.meetsPast)
	}
	last := h.meetings[len(h.meetings)-1]
	nextCases := 0
	for _, k := range h.caseAt {
		if h.meetings[k].Date.Equal(last.Date) {
			nextCases++
		}
	}
	if !last.Date.After(now) || nextCases < 2 {
		t.Errorf("the next meeting is on %s with %d cases: want one after today with cases", last.Date.Format(time.DateOnly), nextCases)
	}
	if h.repeats == 0 || h.repeats > len(h.caseAt)/2 || h.research == 0 {
		t.Errorf("%d repeats of %d cases, %d research", h.repeats, len(h.caseAt), h.research)
	}
	if h.onTime <= h.late || h.late == 0 || h.notPossible == 0 || h.notDone == 0 || h.overdue == 0 || h.open <= h.overdue {
		t.Error("want actions mostly done on time, some late, not possible, not done, open and overdue")
	}
}

// checkOutcomes checks that the outcomes report and the coordinator's
// dashboard show every section of a seeded year.
func checkOutcomes(t *testing.T, db *store.DB, dir *agency.Directory, now time.Time) {
	t.Helper()
	ctx := context.Background()
	f, err := db.Outcomes(ctx, report.DefaultPeriod(now), "", now)
	if err != nil {
		t.Fatal(err)
	}
	cj := f.CriminalJustice
	t.Logf("criminal justice: %d outcomes %v, %d with an active order, updates %+v", cj.WithOutcome, cj.ByOutcome, cj.WithActiveOrder, cj.VictimUpdates)
	if u := cj.VictimUpdates; cj.WithOutcome == 0 || cj.ByOutcome["charged"] == 0 || cj.WithActiveOrder == 0 || u.OnTime == 0 || u.Late+u.Overdue == 0 {
		t.Errorf("criminal justice: %d outcomes %v, %d with an active order, updates %+v", cj.WithOutcome, cj.ByOutcome, cj.WithActiveOrder, u)
	}
	if f.EqualityGiven == 0 || f.Equality["sex"]["female"] == 0 {
		t.Errorf("equality: %d given, %v", f.EqualityGiven, f.Equality)
	}
	mc := f.MARAC
	t.Logf("MARAC %d cases (%d repeat), %+v; patterns %+v; overrides %+v; consent %v", mc.Cases, mc.RepeatCases, mc.ActionCounts, f.Patterns, f.Overrides, f.Consent.ByDecision)
	if mc.Cases == 0 || mc.RepeatCases == 0 || mc.RepeatCases >= mc.Cases || len(mc.ByAgency) < 2 {
		t.Errorf("MARAC: %d cases, %d repeat, %d agencies with actions", mc.Cases, mc.RepeatCases, len(mc.ByAgency))
	}
	c := mc.ActionCounts
	if c.DoneOnTime == 0 || c.DoneLate == 0 || c.Open == 0 || c.Overdue == 0 || c.NotPossible == 0 || c.NotDone == 0 {
		t.Errorf("MARAC actions: %+v; want every kind", c)
	}
	if f.Patterns.Linked == 0 || f.Patterns.LinkedViaVictim == 0 {
		t.Errorf("patterns: %+v; want confirmed links", f.Patterns)
	}
	var asked report.OverrideBasis
	for _, o := range f.Overrides {
		asked.Requested += o.Requested
		asked.Approved += o.Approved
		asked.Refused += o.Refused
		asked.Pending += o.Pending
	}
	if asked.Approved == 0 || asked.Refused == 0 || asked.Pending == 0 {
		t.Errorf("overrides: %+v; want approved, refused and pending", f.Overrides)
	}
	if f.Consent.ByDecision[string(consent.Withdrawn)] == 0 {
		t.Errorf("consent: %v; want a withdrawal", f.Consent.ByDecision)
	}

	d, err := db.MARACDashboard(ctx, marac.Members(dir), now)
	if err != nil {
		t.Fatal(err)
	}
	if d.Next == nil || d.Next.Date.Before(day(now)) || len(d.Next.Cases) < 2 || len(d.Actions) == 0 || len(d.Repeats) == 0 {
		t.Errorf("dashboard: next %+v, %d agencies with actions, %d repeats", d.Next, len(d.Actions), len(d.Repeats))
	}
	past, err := db.PastMeetings(ctx, now)
	if err != nil || len(past) < 11 {
		t.Errorf("%d past meetings (%v)", len(past), err)
	}
}

// The forty referrals `make run` seeds (seed 0, the clock of the day) show
// every section of the outcomes page and a working MARAC dashboard, on any
// day of the month: the meeting day, the day after, and between.
func TestSmallDemoShowsEverySection(t *testing.T) {
	dir := agencies(t)
	for _, at := range []time.Time{
		time.Date(2026, 12, 15, 11, 0, 0, 0, time.UTC), // a meeting day
		time.Date(2026, 12, 16, 7, 30, 0, 0, time.UTC), // the morning after
		time.Date(2027, 1, 8, 16, 45, 0, 0, time.UTC),
	} {
		t.Run(at.Format(time.DateOnly), func(t *testing.T) {
			db := storetest.Open(t)
			if err := Seed(context.Background(), db, dir, 40, Options{Issuer: "http://127.0.0.1:8080/devidp", Now: at}, nil); err != nil {
				t.Fatal(err)
			}
			checkOutcomes(t, db, dir, at)
		})
	}
}

func TestMeetingDates(t *testing.T) {
	for _, c := range []struct {
		name       string
		start, now string
		first      string
		next       string
		count      int
	}{
		// The third Tuesday of May 2026 is the 19th: more than a week after the start.
		{"a year", "2026-05-01", "2027-05-01", "2026-05-19", "2027-05-18", 13},
		// The 19th is within a week of the 15th: the first meeting is June's.
		{"start close to a meeting", "2026-05-15", "2026-08-01", "2026-06-16", "2026-08-18", 3},
		// A meeting today is the next one, not a past one.
		{"meeting today", "2026-05-01", "2026-07-21", "2026-05-19", "2026-07-21", 3},
		{"the day after a meeting", "2026-05-01", "2026-07-22", "2026-05-19", "2026-08-18", 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			start, _ := time.Parse(time.DateOnly, c.start)
			now, _ := time.Parse(time.DateOnly, c.now)
			ds := meetingDates(start, now.Add(10*time.Hour))
			if len(ds) != c.count || ds[0].Format(time.DateOnly) != c.first || ds[len(ds)-1].Format(time.DateOnly) != c.next {
				t.Fatalf("%d meetings from %s to %s", len(ds), ds[0].Format(time.DateOnly), ds[len(ds)-1].Format(time.DateOnly))
			}
			for _, d := range ds {
				if d.Weekday() != time.Tuesday || d.Day() < 15 || d.Day() > 21 {
					t.Errorf("%s is not a third Tuesday", d.Format(time.DateOnly))
				}
			}
		})
	}
}

func TestDeckDealsItsProportions(t *testing.T) {
	d := newDeck(rand.New(rand.NewPCG(1, 2)), 1, 2, 3, 1)
	first := []int{d.deal(), d.deal(), d.deal(), d.deal()}
	if !slices.Equal(first, []int{1, 2, 3, 1}) {
		t.Fatalf("first round %v, want the order given", first)
	}
	counts := map[int]int{}
	for range 400 {
		counts[d.deal()]++
	}
	if counts[1] != 200 || counts[2] != 100 || counts[3] != 100 {
		t.Fatalf("dealt %v, want the deck's proportions exactly", counts)
	}
}

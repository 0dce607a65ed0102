package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/sharing"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

var (
	coordinator  = identity.Principal{Subject: "iss|coord", Name: "MARAC Coordinator", Roles: []identity.Role{identity.MARACCoordinator}}
	housingStaff = identity.Principal{Subject: "iss|h", Name: "Housing Officer", Roles: []identity.Role{identity.AgencyStaff}, Agency: "housing"}
	healthStaff  = identity.Principal{Subject: "iss|n", Name: "Health Visitor", Roles: []identity.Role{identity.AgencyStaff}, Agency: "health"}
)

// at sets the store's clock to noon UTC on a day.
func at(db *DB, day string) {
	t := mdate(day).Add(12 * time.Hour)
	db.Now = func() time.Time { return t }
}

func mdate(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// pairReferral creates a sent referral about one victim and one suspect.
func pairReferral(t *testing.T, db *DB, victim, suspect string, edit func(*referral.Submission)) string {
	t.Helper()
	s := submission(victim, "medium")
	s.Suspect.Name, s.Suspect.DateOfBirth = suspect, "1985-09-30"
	if edit != nil {
		edit(&s)
	}
	id, _ := create(t, db, s, "", "")
	return id
}

func dash(n int) func(*referral.Submission) {
	return func(s *referral.Submission) {
		s.Risk.Tool, s.Risk.Score, s.Risk.Level = "dash", &n, "high"
	}
}

func meeting(t *testing.T, db *DB, panel, day string) marac.Meeting {
	t.Helper()
	m, err := db.CreateMeeting(context.Background(), marac.Meeting{Panel: panel, Date: mdate(day)}, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func addCase(t *testing.T, db *DB, meetingID, referralID string, criterion marac.Criterion, note string) marac.Case {
	t.Helper()
	c, err := db.AddCase(context.Background(), meetingID, marac.Case{ReferralID: referralID, Criterion: criterion, Note: txt(note)}, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// auditCount counts the audit entries of an action on a record.
func auditCount(t *testing.T, db *DB, action audit.Action, record string) int {
	t.Helper()
	es, err := db.AuditEntries(context.Background(), AuditFilter{Action: action, Record: record})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// withMailboxes turns notifications on, with a mailbox for housing and health.
func withMailboxes(db *DB) {
	db.SetNotices(Notices{BaseURL: "https://hub.example.gov.uk", Agencies: agency.NewDirectory([]agency.Agency{
		{ID: "housing", Mailbox: "housing-team@example.gov.uk"}, {ID: "health", Mailbox: "health-team@example.nhs.uk"},
	})})
}

// mailed lists the kinds of the outbox's notifications to one address, oldest first.
func mailed(t *testing.T, db *DB, to string) []notify.Kind {
	t.Helper()
	ns, err := db.Outbox(context.Background(), OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []notify.Kind
	for i := len(ns) - 1; i >= 0; i-- {
		if ns[i].To == to {
			kinds = append(kinds, ns[i].Kind)
		}
	}
	return kinds
}

func queued(t *testing.T, db *DB, threshold int) map[string][]marac.Criterion {
	t.Helper()
	q, err := db.Queue(context.Background(), threshold)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]marac.Criterion{}
	for _, e := range q {
		out[e.ReferralID] = e.Criteria
	}
	return out
}

func TestMARACQueue(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	at(db, "2026-11-02")
	high := pairReferral(t, db, "Ann Avery", "Sam Stone", dash(15))
	standard := pairReferral(t, db, "Beth Brook", "Tom Thorn", nil)
	thirteen := pairReferral(t, db, "Cara Cole", "Uri Umber", dash(13))
	concern := pairReferral(t, db, "Dana Dale", "Vic Vane", func(s *referral.Submission) { s.ConcernMARAC = "Threats to kill last week" })
	escalating := pairReferral(t, db, "Eve Eden", "Wes West", func(s *referral.Submission) {
		s.Incidents = referral.Incidents{Count: 3, First: "2025-11-01", Last: "2026-11-01"}
	})
	spread := pairReferral(t, db, "Fay Fern", "Xan Xu", func(s *referral.Submission) {
		s.Incidents = referral.Incidents{Count: 3, First: "2025-10-31", Last: "2026-11-01"}
	})
	two := pairReferral(t, db, "Gil Gray", "Yul Yew", func(s *referral.Submission) {
		s.Incidents = referral.Incidents{Count: 2, First: "2026-10-01", Last: "2026-11-01"}
	})
	draft := func() string {
		s := submission("Hal Hart", "high")
		n := 20
		s.Risk.Tool, s.Risk.Score = "dash", &n
		id, _, err := db.CreateReferral(ctx, referral.NewReferral{Submission: s, Officer: officer, Draft: true})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}()

	q := queued(t, db, 3)
	want := map[string][]marac.Criterion{
		high:       {marac.VisibleHighRisk},
		concern:    {marac.ProfessionalJudgement},
		escalating: {marac.PotentialEscalation},
	}
	if len(q) != len(want) {
		t.Errorf("queue holds %d referrals, want %d: %v", len(q), len(want), q)
	}
	for id, cs := range want {
		if !slices.Equal(q[id], cs) {
			t.Errorf("referral %s: criteria %v, want %v", id, q[id], cs)
		}
	}
	for name, id := range map[string]string{"standard": standard, "DASH 13": thirteen, "12 months and a day": spread, "two incidents": two, "draft": draft} {
		if _, ok := q[id]; ok {
			t.Errorf("%s referral is in the queue", name)
		}
	}
	if q := queued(t, db, 2); !slices.Equal(q[two], []marac.Criterion{marac.PotentialEscalation}) {
		t.Errorf("a panel with threshold 2 does not queue two incidents: %v", q[two])
	}
	if _, err := db.Queue(ctx, 0); err == nil {
		t.Error("a queue without a threshold")
	}

	// On an agenda, a referral leaves the queue; a new referral for the same
	// pair within 12 months comes in as a repeat, one after 12 months does not.
	at(db, "2026-11-03")
	m := meeting(t, db, "north", "2026-11-05")
	addCase(t, db, m.ID, high, marac.VisibleHighRisk, "")
	at(db, "2027-11-05")
	again := pairReferral(t, db, "Ann Avery", "Sam Stone", nil)
	at(db, "2027-11-06")
	late := pairReferral(t, db, "Ann Avery", "Sam Stone", nil)
	other := pairReferral(t, db, "Ann Avery", "Someone Else", nil)
	q = queued(t, db, 3)
	if _, ok := q[high]; ok {
		t.Error("a referral on an agenda is still in the queue")
	}
	if !slices.Equal(q[again], []marac.Criterion{marac.Repeat}) {
		t.Errorf("same pair exactly 12 months after their case: %v, want repeat", q[again])
	}
	if _, ok := q[late]; ok {
		t.Error("same pair 12 months and a day after their case is queued as a repeat")
	}
	if _, ok := q[other]; ok {
		t.Error("same victim with another suspect is queued as a repeat")
	}

	// A case of the pair heard after a referral was sent is not that
	// referral's last case: the one before it still makes it a repeat.
	at(db, "2027-11-07")
	soon := meeting(t, db, "north", "2027-11-12")
	addCase(t, db, soon.ID, late, marac.ProfessionalJudgement, "Concern raised by the IDVA")
	if q := queued(t, db, 3); !slices.Equal(q[again], []marac.Criterion{marac.Repeat}) {
		t.Errorf("a later case of the pair took the repeat away: %v", q[again])
	}
}

func TestAddCase(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	at(db, "2026-01-02")
	a := pairReferral(t, db, "Ann Avery", "Sam Stone", dash(15))
	b := pairReferral(t, db, "Beth Brook", "Tom Thorn", dash(16))
	m1 := meeting(t, db, "north", "2026-01-15")
	c := addCase(t, db, m1.ID, a, marac.VisibleHighRisk, "")
	if c.Repeat || c.Reference == "" || c.Risk != risk.High || c.MeetingID != m1.ID {
		t.Fatalf("first case %+v", c)
	}
	addCase(t, db, m1.ID, b, marac.VisibleHighRisk, "")
	if _, err := db.AddCase(ctx, m1.ID, marac.Case{ReferralID: a, Criterion: marac.Repeat}, coordinator); problem.CodeOf(err) != problem.Conflict {
		t.Fatalf("the same referral twice on one meeting: %v", err)
	}
	if _, err := db.AddCase(ctx, "mm-none", marac.Case{ReferralID: a, Criterion: marac.Repeat}, coordinator); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("unknown meeting: %v", err)
	}
	if _, err := db.AddCase(ctx, m1.ID, marac.Case{ReferralID: "r-none", Criterion: marac.Repeat}, coordinator); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("unknown referral: %v", err)
	}
	draft, _, err := db.CreateReferral(ctx, referral.NewReferral{Submission: submission("D", "high"), Officer: officer, Draft: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddCase(ctx, m1.ID, marac.Case{ReferralID: draft, Criterion: marac.ProfessionalJudgement, Note: txt("x")}, coordinator); problem.CodeOf(err) != problem.Conflict {
		t.Fatalf("draft referral: %v", err)
	}
	m, err := db.Meeting(ctx, m1.ID)
	if err != nil || len(m.Cases) != 2 || m.Cases[0].ReferralID != a || m.Cases[1].ReferralID != b {
		t.Fatalf("agenda %+v %v", m, err)
	}

	// Repeat marking: the pair heard within the 12 months before the meeting.
	at(db, "2026-12-01")
	mExact := meeting(t, db, "north", "2027-01-15")
	mAfter := meeting(t, db, "north", "2027-01-16")
	aAgain := pairReferral(t, db, "Ann Avery", "Sam Stone", nil)
	bAgain := pairReferral(t, db, "Beth Brook", "Tom Thorn", nil)
	if c := addCase(t, db, mExact.ID, aAgain, marac.Repeat, ""); !c.Repeat {
		t.Error("same pair heard exactly 12 months before is not marked repeat")
	}
	if c := addCase(t, db, mAfter.ID, bAgain, marac.VisibleHighRisk, ""); c.Repeat {
		t.Error("same pair heard 12 months and a day before is marked repeat")
	}
	if c := addCase(t, db, mAfter.ID, pairReferral(t, db, "Ann Avery", "Sam Stone", nil), marac.Repeat, ""); !c.Repeat {
		t.Error("same pair heard the day before the 12 months ran out (on mExact) is not marked repeat")
	}

	// A case the same day on another panel is not "before"; it must not hide
	// an earlier one that is.
	at(db, "2027-02-01")
	mSouth := meeting(t, db, "south", "2027-02-11")
	mNorth := meeting(t, db, "north", "2027-02-11")
	addCase(t, db, mSouth.ID, pairReferral(t, db, "Ann Avery", "Sam Stone", nil), marac.Repeat, "")
	if c := addCase(t, db, mNorth.ID, pairReferral(t, db, "Ann Avery", "Sam Stone", nil), marac.Repeat, ""); !c.Repeat {
		t.Error("a same-day case hid the pair's case of January")
	}
	if c := addCase(t, db, mNorth.ID, pairReferral(t, db, "Cara Cole", "Uri Umber", nil), marac.Repeat, ""); c.Repeat {
		t.Error("a pair never heard before is marked repeat")
	}

	// A meeting that is over takes no more cases.
	at(db, "2027-01-17")
	if _, err := db.AddCase(ctx, mAfter.ID, marac.Case{ReferralID: b, Criterion: marac.Repeat}, coordinator); problem.CodeOf(err) != problem.Conflict {
		t.Fatalf("case on a meeting that is over: %v", err)
	}

	// The listing is on the force's timeline, not on a recipient's.
	all, _ := db.Events(ctx, a, "")
	if !slices.ContainsFunc(all, func(e referral.Event) bool {
		return e.Kind == "marac_case_added" && e.Detail == "north meeting on 2026-01-15; criterion visible_high_risk"
	}) {
		t.Errorf("no marac_case_added event for the force: %+v", all)
	}
	housing, _ := db.Events(ctx, a, "housing")
	if slices.ContainsFunc(housing, func(e referral.Event) bool { return e.Kind == "marac_case_added" }) {
		t.Error("a recipient's timeline shows the MARAC listing")
	}
	if n := auditCount(t, db, audit.MARACCaseAdded, a); n != 1 {
		t.Errorf("%d case additions audited for the referral, want 1", n)
	}
}

func TestOnMARAC(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	at(db, "2026-11-02")
	a := pairReferral(t, db, "Ann Avery", "Sam Stone", dash(15))
	if r, err := db.Referral(ctx, a); err != nil || r.OnMARAC {
		t.Fatalf("before any agenda OnMARAC = %v (%v)", r.OnMARAC, err)
	}
	m := meeting(t, db, "north", "2026-11-10")
	c := addCase(t, db, m.ID, a, marac.VisibleHighRisk, "")
	on := func() bool {
		t.Helper()
		r, err := db.Referral(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		direct, err := db.CaseOnMARAC(ctx, a)
		if err != nil || direct != r.OnMARAC {
			t.Fatalf("CaseOnMARAC %v, Referral().OnMARAC %v (%v)", direct, r.OnMARAC, err)
		}
		return r.OnMARAC
	}
	if !on() {
		t.Error("a case on a meeting to come is not on MARAC")
	}
	at(db, "2026-11-10")
	act, err := db.AddAction(ctx, c.ID, marac.Action{Agency: "housing", Description: txt("Sanctuary lock"), Due: mdate("2026-11-30")}, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	at(db, "2026-11-20")
	if !on() {
		t.Error("a case with an open action is not on MARAC after its meeting")
	}
	if _, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: act.ID, Status: "done", By: housingStaff}); err != nil {
		t.Fatal(err)
	}
	if on() {
		t.Error("a case whose meeting is over and actions closed is still on MARAC")
	}
}

func TestResearch(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	at(db, "2026-11-02")
	m := meeting(t, db, "north", "2026-11-10")
	c := addCase(t, db, m.ID, pairReferral(t, db, "Ann Avery", "Sam Stone", dash(15)), marac.VisibleHighRisk, "")
	members := []string{"housing", "health", "idva"}

	st, err := db.ResearchStatus(ctx, c.ID, members)
	if err != nil || len(st.Submitted) != 0 || !slices.Equal(st.Outstanding, members) {
		t.Fatalf("before any research: %+v %v", st, err)
	}
	if _, err := db.SubmitResearch(ctx, c.ID, marac.Research{Agency: "housing", Summary: txt("Tenant since 2019"), KnownToService: true}, housingStaff); err != nil {
		t.Fatal(err)
	}
	at(db, "2026-11-10")
	r, err := db.SubmitResearch(ctx, c.ID, marac.Research{Agency: "housing", Summary: txt("Tenant since 2019; open repairs case"), KnownToService: true, OpenCase: true}, housingStaff)
	if err != nil || r.CaseID != c.ID || r.SubmittedBy != housingStaff.Subject {
		t.Fatalf("resubmit on the meeting day: %+v %v", r, err)
	}
	got, err := db.ResearchOf(ctx, c.ID, "housing")
	if err != nil || opened(got.Summary) != "Tenant since 2019; open repairs case" || !got.OpenCase || !got.SubmittedAt.Equal(db.Now().UTC()) {
		t.Fatalf("the second submission did not replace the first: %+v %v", got, err)
	}
	if n := auditCount(t, db, audit.MARACResearch, c.ReferralID); n != 2 {
		t.Errorf("%d research submissions audited, want 2", n)
	}
	if _, err := db.ResearchOf(ctx, c.ID, "health"); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("research not given: %v", err)
	}
	st, err = db.ResearchStatus(ctx, c.ID, members)
	if err != nil || len(st.Submitted) != 1 || st.Submitted[0].Agency != "housing" || opened(st.Submitted[0].Summary) != "" || !slices.Equal(st.Outstanding, []string{"health", "idva"}) {
		t.Fatalf("after housing: %+v %v", st, err)
	}
	if _, err := db.ResearchStatus(ctx, "mc-none", members); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("status of an unknown case: %v", err)
	}
	if _, err := db.SubmitResearch(ctx, "mc-none", marac.Research{Agency: "health"}, healthStaff); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("research on an unknown case: %v", err)
	}
	at(db, "2026-11-11")
	if _, err := db.SubmitResearch(ctx, c.ID, marac.Research{Agency: "health"}, healthStaff); problem.CodeOf(err) != problem.Conflict {
		t.Fatalf("research after the meeting: %v", err)
	}
}

func TestAcknowledgeAndPapers(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	at(db, "2026-11-02")
	m := meeting(t, db, "north", "2026-11-10")
	c := addCase(t, db, m.ID, pairReferral(t, db, "Ann Avery", "Sam Stone", nil), marac.ProfessionalJudgement, "Threats escalating since the order")
	if _, err := db.SubmitResearch(ctx, c.ID, marac.Research{Agency: "health", Summary: txt("Seen at A&E twice"), KnownToService: true}, healthStaff); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Acknowledge(ctx, m.ID, housingStaff); problem.CodeOf(err) != problem.Forbidden {
		t.Fatalf("acknowledging for an agency not recorded as attending: %v", err)
	}
	for range 2 {
		if err := db.RecordAttendance(ctx, m.ID, "housing", coordinator); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.RecordAttendance(ctx, "mm-none", "housing", coordinator); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("attendance at an unknown meeting: %v", err)
	}
	if ok, err := db.HasAcknowledged(ctx, m.ID, housingStaff.Subject); err != nil || ok {
		t.Fatalf("acknowledged before acknowledging: %v %v", ok, err)
	}
	if _, err := db.Papers(ctx, m.ID, housingStaff); problem.CodeOf(err) != problem.Forbidden {
		t.Fatalf("papers before acknowledging: %v", err)
	}
	plain, err := db.Meeting(ctx, m.ID)
	if err != nil || opened(plain.Cases[0].Note) != "" {
		t.Fatalf("Meeting opened the restricted note: %+v %v", plain.Cases, err)
	}

	at(db, "2026-11-10")
	first, err := db.Acknowledge(ctx, m.ID, housingStaff)
	if err != nil || !first.AcknowledgedAt.Equal(db.Now().UTC()) {
		t.Fatalf("acknowledge: %+v %v", first, err)
	}
	db.Now = func() time.Time { return first.AcknowledgedAt.Add(time.Hour) }
	again, err := db.Acknowledge(ctx, m.ID, housingStaff)
	if err != nil || !again.AcknowledgedAt.Equal(first.AcknowledgedAt) {
		t.Fatalf("a second acknowledgement moved the first: %v %v", again.AcknowledgedAt, err)
	}
	if ok, err := db.HasAcknowledged(ctx, m.ID, housingStaff.Subject); err != nil || !ok {
		t.Fatalf("not acknowledged after acknowledging: %v %v", ok, err)
	}
	if ok, _ := db.HasAcknowledged(ctx, m.ID, healthStaff.Subject); ok {
		t.Fatal("one person's acknowledgement counts for another")
	}
	p, err := db.Papers(ctx, m.ID, housingStaff)
	if err != nil || len(p.Meeting.Cases) != 1 || opened(p.Meeting.Cases[0].Note) != "Threats escalating since the order" {
		t.Fatalf("papers after acknowledging: %+v %v", p, err)
	}
	if len(p.Research) != 1 || opened(p.Research[0].Summary) != "Seen at A&E twice" {
		t.Fatalf("papers research: %+v", p.Research)
	}
	if _, err := db.Papers(ctx, m.ID, coordinator); err != nil {
		t.Fatalf("the coordinator's papers: %v", err)
	}
	if _, err := db.Papers(ctx, "mm-none", coordinator); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("papers of an unknown meeting: %v", err)
	}
	if _, err := db.Acknowledge(ctx, m.ID, healthStaff); problem.CodeOf(err) != problem.Forbidden {
		t.Fatalf("health acknowledged without attending: %v", err)
	}
	agencies, people, err := db.Attendance(ctx, m.ID)
	if err != nil || !slices.Equal(agencies, []string{"housing"}) || len(people) != 1 || people[0].Person != housingStaff.Subject || !people[0].AcknowledgedAt.Equal(first.AcknowledgedAt) {
		t.Fatalf("attendance %v %+v %v", agencies, people, err)
	}
	if _, err := db.Acknowledge(ctx, "mm-none", housingStaff); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("acknowledging an unknown meeting: %v", err)
	}
	if n := auditCount(t, db, audit.MARACAcknowledged, m.ID); n != 1 {
		t.Errorf("%d acknowledgements audited, want the first one only", n)
	}
	if n := auditCount(t, db, audit.MARACPapers, m.ID); n != 2 {
		t.Errorf("%d papers audited, want 2 (housing and the coordinator)", n)
	}
}

func TestActions(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	withMailboxes(db)
	at(db, "2026-11-02")
	m := meeting(t, db, "north", "2026-11-10")
	ref := pairReferral(t, db, "Ann Avery", "Sam Stone", dash(15))
	c := addCase(t, db, m.ID, ref, marac.VisibleHighRisk, "")
	at(db, "2026-11-10")
	add := func(agencyID, desc, due string) marac.Action {
		t.Helper()
		a, err := db.AddAction(ctx, c.ID, marac.Action{Agency: agencyID, Description: txt(desc), Due: mdate(due)}, coordinator)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	late := add("housing", "Fit a sanctuary lock", "2026-11-30")
	soon := add("housing", "Check the tenancy", "2026-11-15")
	today := add("housing", "Call the landlord", "2026-11-16")
	add("health", "Flag the GP record", "2026-11-20")
	if _, err := db.AddAction(ctx, "mc-none", marac.Action{Agency: "health", Description: txt("x"), Due: mdate("2026-12-01")}, coordinator); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("action on an unknown case: %v", err)
	}

	now := mdate("2026-11-16").Add(9 * time.Hour)
	list, err := db.Actions(ctx, ActionFilter{Agency: "housing", Now: now})
	if err != nil || len(list) != 3 || list[0].ID != soon.ID || list[1].ID != today.ID || list[2].ID != late.ID {
		t.Fatalf("housing's actions by due date: %+v %v", list, err)
	}
	if opened(list[0].Description) != "Check the tenancy" || list[0].Reference == "" || list[0].ReferralID != ref || list[0].MeetingID != m.ID {
		t.Fatalf("action as listed: %+v", list[0])
	}
	if !marac.ActionOverdue(list[0], now) || marac.ActionOverdue(list[1], now) || marac.ActionOverdue(list[2], now) {
		t.Fatalf("overdue flags: %v %v %v", marac.ActionOverdue(list[0], now), marac.ActionOverdue(list[1], now), marac.ActionOverdue(list[2], now))
	}
	overdue, _ := db.Actions(ctx, ActionFilter{Overdue: true, Now: now})
	if len(overdue) != 1 || overdue[0].ID != soon.ID {
		t.Fatalf("overdue actions: %+v", overdue)
	}
	if n, err := db.CountActions(ctx, "housing", now); err != nil || n != (marac.ActionCounts{Open: 3, Overdue: 1}) {
		t.Fatalf("housing's counts %+v %v", n, err)
	}

	if _, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: soon.ID, Status: "done", By: healthStaff}); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("another agency's update: %v", err)
	}
	if _, err := db.Action(ctx, soon.ID, healthStaff); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("another agency's read: %v", err)
	}
	if _, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: soon.ID, Status: "not_possible", Note: "Victim moved to a refuge", IfMatch: 7, By: housingStaff}); problem.CodeOf(err) != problem.Stale {
		t.Fatalf("stale If-Match: %v", err)
	}
	if _, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: soon.ID, Status: "not_possible", By: housingStaff}); problem.CodeOf(err) != problem.Invalid {
		t.Fatalf("not possible without the changed circumstance: %v", err)
	}
	db.Now = func() time.Time { return now }
	up, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: soon.ID, Status: "not_possible", Note: "Victim moved to a refuge", IfMatch: 1, By: housingStaff})
	if err != nil || up.Status != marac.NotPossible || up.Version != 2 || up.UpdatedBy != housingStaff.Subject {
		t.Fatalf("update: %+v %v", up, err)
	}
	stored, err := db.Action(ctx, soon.ID, housingStaff)
	if err != nil || stored.Status != marac.NotPossible || opened(stored.Note) != "Victim moved to a refuge" || stored.Version != 2 || !stored.UpdatedAt.Equal(now) {
		t.Fatalf("stored after update: %+v %v", stored, err)
	}
	if _, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: soon.ID, Status: "done", By: housingStaff}); problem.CodeOf(err) != problem.Conflict {
		t.Fatalf("closed action changed without reopening: %v", err)
	}
	if _, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: "ma-none", Status: "done", By: coordinator}); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("unknown action: %v", err)
	}
	if n, _ := db.CountActions(ctx, "housing", now); n != (marac.ActionCounts{Open: 2, Overdue: 0}) {
		t.Fatalf("housing's counts after closing: %+v", n)
	}
	closed, _ := db.Actions(ctx, ActionFilter{Status: marac.NotPossible, Now: now})
	if len(closed) != 1 || closed[0].ID != soon.ID {
		t.Fatalf("status filter: %+v", closed)
	}

	events, _ := db.Events(ctx, ref, "housing")
	kinds := []string{}
	for _, e := range events {
		if e.Agency == "housing" {
			kinds = append(kinds, e.Kind)
		}
	}
	if !slices.Equal(kinds, []string{"marac_action_agreed", "marac_action_agreed", "marac_action_agreed", "marac_action_not_possible"}) {
		t.Fatalf("housing's timeline: %v", kinds)
	}
	if n := auditCount(t, db, audit.MARACActionAgreed, ref); n != 4 {
		t.Errorf("%d actions agreed audited, want 4", n)
	}
	if n := auditCount(t, db, audit.MARACActionUpdated, ref); n != 1 {
		t.Errorf("%d action updates audited, want 1", n)
	}
	if got := mailed(t, db, "housing-team@example.gov.uk"); !slices.Equal(got, []notify.Kind{notify.NewShare, notify.MARACAction, notify.MARACAction, notify.MARACAction}) {
		t.Errorf("housing was told %v", got)
	}

	// The overdue sweep tells the owner once; reopening lets it tell again.
	db.Now = func() time.Time { return now.Add(24 * time.Hour) }
	if _, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: soon.ID, Status: "open", Note: "Refuge place fell through", By: coordinator}); err != nil {
		t.Fatal(err)
	}
	sweep := func(at time.Time, want int) {
		t.Helper()
		if n, err := db.NoteOverdueActions(ctx, at); err != nil || n != want {
			t.Fatalf("NoteOverdueActions(%s) = %d %v, want %d", at.Format(time.DateOnly), n, err, want)
		}
	}
	sweep(now, 1)
	sweep(now, 0)
	sweep(now.Add(24*time.Hour), 1)
	if got := mailed(t, db, "housing-team@example.gov.uk"); !slices.Equal(got[len(got)-2:], []notify.Kind{notify.OverdueAction, notify.OverdueAction}) {
		t.Errorf("housing was told %v", got)
	}
	if _, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: soon.ID, Status: "not_possible", Note: "Moved to a refuge", By: housingStaff}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: soon.ID, Status: "open", By: coordinator}); err != nil {
		t.Fatal(err)
	}
	sweep(now.Add(24*time.Hour), 1)
}

func TestOpenActionsComeBack(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	at(db, "2026-10-01")
	m0 := meeting(t, db, "north", "2026-10-08")
	m1 := meeting(t, db, "north", "2026-11-05")
	south := meeting(t, db, "south", "2026-11-19")
	c := addCase(t, db, m1.ID, pairReferral(t, db, "Ann Avery", "Sam Stone", dash(15)), marac.VisibleHighRisk, "")
	at(db, "2026-11-05")
	open, err := db.AddAction(ctx, c.ID, marac.Action{Agency: "housing", Description: txt("Sanctuary lock"), Due: mdate("2026-11-20")}, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	done, err := db.AddAction(ctx, c.ID, marac.Action{Agency: "health", Description: txt("Flag GP record"), Due: mdate("2026-11-20")}, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: done.ID, Status: "done", By: healthStaff}); err != nil {
		t.Fatal(err)
	}
	m2 := meeting(t, db, "north", "2026-12-03")

	review, err := db.OpenActionsForReview(ctx, m2.ID)
	if err != nil || len(review) != 1 || review[0].ID != open.ID {
		t.Fatalf("review at the next meeting: %+v %v", review, err)
	}
	for name, id := range map[string]string{"the same meeting": m1.ID, "an earlier meeting": m0.ID, "another panel": south.ID} {
		if r, err := db.OpenActionsForReview(ctx, id); err != nil || len(r) != 0 {
			t.Errorf("review at %s: %+v %v", name, r, err)
		}
	}
	p, err := db.Papers(ctx, m2.ID, coordinator)
	if err != nil || len(p.Review) != 1 || p.Review[0].ID != open.ID {
		t.Fatalf("papers of the next meeting: %+v %v", p.Review, err)
	}
	if _, err := db.OpenActionsForReview(ctx, "mm-none"); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("review at an unknown meeting: %v", err)
	}
}

func TestMARACDashboard(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	members := []string{"housing", "health", "idva"}
	at(db, "2025-12-01")
	old := meeting(t, db, "north", "2025-12-04")
	addCase(t, db, old.ID, pairReferral(t, db, "Ann Avery", "Sam Stone", dash(15)), marac.VisibleHighRisk, "")
	at(db, "2026-11-01")
	past := meeting(t, db, "north", "2026-11-05")
	pc := addCase(t, db, past.ID, pairReferral(t, db, "Beth Brook", "Tom Thorn", dash(15)), marac.VisibleHighRisk, "")
	next := meeting(t, db, "north", "2026-12-03")
	later := meeting(t, db, "south", "2026-12-17")
	repeat := addCase(t, db, next.ID, pairReferral(t, db, "Ann Avery", "Sam Stone", nil), marac.Repeat, "")
	c2 := addCase(t, db, later.ID, pairReferral(t, db, "Cara Cole", "Uri Umber", dash(14)), marac.VisibleHighRisk, "")
	if _, err := db.SubmitResearch(ctx, repeat.ID, marac.Research{Agency: "housing"}, housingStaff); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SubmitResearch(ctx, c2.ID, marac.Research{Agency: "health"}, healthStaff); err != nil {
		t.Fatal(err)
	}
	at(db, "2026-11-05")
	for _, a := range []marac.Action{
		{Agency: "housing", Description: txt("a"), Due: mdate("2026-11-10")},
		{Agency: "housing", Description: txt("b"), Due: mdate("2026-12-10")},
		{Agency: "idva", Description: txt("c"), Due: mdate("2026-11-12")},
	} {
		if _, err := db.AddAction(ctx, pc.ID, a, coordinator); err != nil {
			t.Fatal(err)
		}
	}

	d, err := db.MARACDashboard(ctx, members, mdate("2026-11-20").Add(10*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if d.Next == nil || d.Next.ID != next.ID || len(d.Next.Cases) != 1 || d.Next.Cases[0].ID != repeat.ID {
		t.Fatalf("next meeting %+v", d.Next)
	}
	wantOut := []marac.AgencyCount{{Agency: "housing", Count: 1}, {Agency: "health", Count: 1}, {Agency: "idva", Count: 2}}
	if !slices.Equal(d.Outstanding, wantOut) {
		t.Fatalf("outstanding research %+v, want %+v", d.Outstanding, wantOut)
	}
	wantActs := []marac.AgencyActions{{Agency: "housing", Open: 2, Overdue: 1}, {Agency: "idva", Open: 1, Overdue: 1}}
	if !slices.Equal(d.Actions, wantActs) {
		t.Fatalf("actions %+v, want %+v", d.Actions, wantActs)
	}
	if len(d.Repeats) != 1 || d.Repeats[0].ID != repeat.ID || !d.Repeats[0].Repeat {
		t.Fatalf("repeats %+v", d.Repeats)
	}

	onTheDay, err := db.MARACDashboard(ctx, members, mdate("2026-12-03").Add(9*time.Hour))
	if err != nil || onTheDay.Next == nil || onTheDay.Next.ID != next.ID || !slices.Equal(onTheDay.Outstanding, wantOut) {
		t.Fatalf("on the day of the next meeting: %+v %v", onTheDay, err)
	}

	empty, err := db.MARACDashboard(ctx, members, mdate("2027-06-01"))
	if err != nil || empty.Next != nil || len(empty.Outstanding) != 0 {
		t.Fatalf("dashboard with no meeting to come: %+v %v", empty, err)
	}
}

func TestMARACMeetingsLists(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	at(db, "2026-10-01")
	a := meeting(t, db, "north", "2026-10-08")
	b := meeting(t, db, "north", "2026-11-05")
	c := meeting(t, db, "north", "2026-12-03")
	now := mdate("2026-11-05").Add(15 * time.Hour)
	up, err := db.UpcomingMeetings(ctx, now)
	if err != nil || len(up) != 2 || up[0].ID != b.ID || up[1].ID != c.ID {
		t.Fatalf("upcoming (today counts): %+v %v", up, err)
	}
	past, err := db.PastMeetings(ctx, now)
	if err != nil || len(past) != 1 || past[0].ID != a.ID || !past[0].Date.Equal(mdate("2026-10-08")) || past[0].CreatedBy != coordinator.Subject {
		t.Fatalf("past: %+v %v", past, err)
	}
	if _, err := db.Meeting(ctx, "mm-none"); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("unknown meeting: %v", err)
	}
	if _, err := db.Case(ctx, "mc-none"); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("unknown case: %v", err)
	}
}

// Every MARAC free text is sealed: none of it is in the database file in clear.
func TestMARACTextSealed(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	at(db, "2026-11-02")
	m := meeting(t, db, "north", "2026-11-10")
	c := addCase(t, db, m.ID, pairReferral(t, db, "Ann Avery", "Sam Stone", nil), marac.ProfessionalJudgement, "Quokka-note about the threats")
	if _, err := db.SubmitResearch(ctx, c.ID, marac.Research{Agency: "housing", Summary: txt("Wombat-summary of the tenancy"), KnownToService: true}, housingStaff); err != nil {
		t.Fatal(err)
	}
	a, err := db.AddAction(ctx, c.ID, marac.Action{Agency: "housing", Description: txt("Numbat-description of the lock"), Due: mdate("2026-11-30")}, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: a.ID, Status: "not_done", Note: "Bilby-note on the reason", By: housingStaff}); err != nil {
		t.Fatal(err)
	}
	p, err := db.Papers(ctx, m.ID, coordinator)
	if err != nil || opened(p.Meeting.Cases[0].Note) != "Quokka-note about the threats" || opened(p.Research[0].Summary) != "Wombat-summary of the tenancy" {
		t.Fatalf("texts do not open again: %+v %v", p, err)
	}
	db.Close()
	for _, f := range []string{db.Path(), db.Path() + "-wal"} {
		b, _ := os.ReadFile(f)
		for _, word := range []string{"Quokka", "Wombat", "Numbat", "Bilby"} {
			if bytes.Contains(b, []byte(word)) {
				t.Errorf("%s holds %s in clear text", filepath.Base(f), word)
			}
		}
	}
}

// txt is free text as a writer hands it to the store, holding the risk.
func txt(s string) sealed.Text { return sealed.NewText("", category.Risk, "marac-coordinator", s) }

// opened is what the originating force reads of t, through sharing.Release:
// the only way to open sealed text, in tests as in the hub.
func opened(t sealed.Text) string {
	v, err := sharing.Release(identity.Principal{Subject: "iss|officer", Roles: []identity.Role{identity.Officer}}, &referral.Referral{ID: t.Referral()}, agency.Referral, nil, time.Now())
	if err != nil {
		return "release refused: " + err.Error()
	}
	s, _ := v.Text(t)
	return s
}

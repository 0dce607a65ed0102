package demo

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/seal"
	"github.com/stalking-hub/hub/internal/store"
	"github.com/stalking-hub/hub/internal/store/storetest"
	"github.com/stalking-hub/hub/internal/vocab"
)

func agencies(t testing.TB) *agency.Directory {
	t.Helper()
	d, err := agency.Load("../../agencies", config.Defaults().Sharing.LawfulBases)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var now = time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)

// plan is the whole history the planner makes, for tests to look over.
func plan(agencies *agency.Directory, opt Options, n int) []step {
	p := newPlanner(agencies, opt, n)
	var out []step
	for st, ok := p.step(); ok; st, ok = p.step() {
		out = append(out, st)
	}
	return out
}

// The plan reads like a year of real work: valid referrals, the risk mix
// asked for, repeat victims, and shares at every stage, some overdue.
func TestPlanIsRealistic(t *testing.T) {
	dir := agencies(t)
	opt := Options{Issuer: "http://127.0.0.1:8080/devidp", Now: now, Seed: 7}
	const n = 3000
	steps := plan(dir, opt, n)
	v := referral.NewValidator(func() time.Time { return now })
	isRecipient := func(id string) bool { _, ok := dir.Get(id); return ok && id != agency.Police }

	levels := map[string]int{}
	people := map[string]int{}
	status := map[[2]any]referral.ShareStatus{}
	codes := map[string]int{}
	due := map[[2]any]time.Time{}
	created := 0
	justiceSteps := map[justiceKind]int{}
	h := newHistoryCheck(dir, opt)
	var last time.Time
	for _, st := range steps {
		if st.at.Before(last) || st.at.After(now) || st.at.Before(now.AddDate(-1, 0, -1)) {
			t.Fatalf("step at %s out of order or outside the year", st.at)
		}
		last = st.at
		if h.check(t, st) {
			continue
		}
		if st.justice != nil {
			if st.referral >= created || !st.actor.Police() {
				t.Fatalf("a criminal-justice step before its referral, or not by an officer: %+v", st)
			}
			justiceSteps[st.justice.kind]++
			continue
		}
		if st.create != nil {
			created++
			nr := st.create
			s := nr.Submission
			if perr := v.Validate(s, dir); perr != nil {
				t.Fatalf("referral %d does not validate: %v %v", st.referral, perr, perr.Fields)
			}
			if perr := consent.ValidateConsent(nr.Consent, isRecipient, st.at); perr != nil {
				t.Fatalf("consent of referral %d: %v %v", st.referral, perr, perr.Fields)
			}
			if len(s.Agencies) < 1 || len(s.Agencies) > 3 || !nr.Officer.Police() {
				t.Fatalf("referral %d: %d agencies, officer %+v", st.referral, len(s.Agencies), nr.Officer)
			}
			levels[s.Risk.Level]++
			people[seal.Normalise(s.Victim.Name)+"|"+s.Victim.DateOfBirth]++
			for _, r := range s.Agencies {
				k := [2]any{st.referral, r.Agency}
				status[k], due[k] = referral.Sent, nr.Due[r.Agency]
			}
			continue
		}
		k := [2]any{st.referral, st.agency}
		from, ok := status[k]
		if !ok || st.actor.Agency != st.agency {
			t.Fatalf("step for a share that does not exist yet or by another agency: %+v", st)
		}
		if st.view {
			if from != referral.Sent {
				t.Fatalf("opened twice: %+v", st)
			}
			status[k] = referral.Viewed
			continue
		}
		// As the hub's own form would have it: every decline and close coded.
		a := referral.Answer{To: st.to, Reason: st.reason.text, ReasonCode: st.reason.code, Outcome: st.outcome.text, OutcomeCode: st.outcome.code}
		if perr := referral.Transition(from, a); perr != nil {
			t.Fatalf("%s -> %s: %v", from, st.to, perr)
		}
		if errs := a.Problems(true); errs != nil {
			t.Fatalf("%s -> %s: %v", from, st.to, errs)
		}
		codes[st.reason.code+st.outcome.code]++
		status[k] = st.to
	}
	if created != n {
		t.Fatalf("%d referrals, want %d", created, n)
	}
	for level, want := range map[string]float64{"high": 0.20, "medium": 0.45, "standard": 0.35} {
		if got := float64(levels[level]) / n; math.Abs(got-want) > 0.03 {
			t.Errorf("%s risk: %.2f of referrals, want about %.2f", level, got, want)
		}
	}
	repeats := 0
	for _, c := range people {
		if c > 1 {
			repeats += c - 1
		}
	}
	if repeats < n/20 || repeats > n/4 {
		t.Errorf("%d referrals name a victim named before; want some, not most", repeats)
	}
	byStatus := map[referral.ShareStatus]int{}
	overdue := 0
	for k, s := range status {
		byStatus[s]++
		if (s == referral.Sent || s == referral.Viewed) && now.After(due[k]) {
			overdue++
		}
	}
	for _, s := range referral.ShareStatuses {
		// Only the police withdraw a share, and the officer's withdrawal
		// comes with issue 12: the demo has none yet.
		if byStatus[s] == 0 && s != referral.Withdrawn {
			t.Errorf("no share is %s: %v", s, byStatus)
		}
	}
	for _, cs := range []vocab.List{referral.DeclineReasons, referral.ClosingOutcomes} {
		used := 0
		for _, c := range cs {
			if codes[c.Code] > 0 {
				used++
			}
		}
		if used < 5 {
			t.Errorf("only %d kinds of %v are used: %v", used, cs.Values(), codes)
		}
	}
	if overdue == 0 || overdue > len(status)/4 {
		t.Errorf("%d of %d shares overdue", overdue, len(status))
	}

	h.report(t)
	for k := orderGranted; k <= outcomeDecided; k++ {
		if justiceSteps[k] == 0 {
			t.Errorf("no criminal-justice step of kind %d: %v", k, justiceSteps)
		}
	}

	again := plan(dir, opt, n)
	first := slices.IndexFunc(again, func(st step) bool { return st.create != nil })
	if len(again) != len(steps) || again[first].create.Submission.Victim.Name != steps[first].create.Submission.Victim.Name {
		t.Error("the same seed made other referrals")
	}
}

// Seeding writes through the store: the referrals, their answers, links to
// suggest, and an audit log that still verifies.
func TestSeedWritesThroughTheStore(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	dir := agencies(t)
	opt := Options{Issuer: "http://127.0.0.1:8080/devidp", Now: now, Seed: 3}
	var calls int
	seeded, err := SeedIfEmpty(ctx, db, dir, 150, opt, func(done, total int64) {
		calls++
		if total != 150 || done > total {
			t.Errorf("progress %d of %d", done, total)
		}
	})
	if err != nil || !seeded || calls == 0 {
		t.Fatalf("seed: %v %v, %d progress calls", seeded, err, calls)
	}
	if n, err := db.ReferralCount(ctx); n != 150 || err != nil {
		t.Fatalf("%d referrals (%v)", n, err)
	}
	if seeded, err := SeedIfEmpty(ctx, db, dir, 10, opt, nil); seeded || err != nil {
		t.Fatalf("seeded again: %v %v", seeded, err)
	}
	if db.Now().Year() < 2026 || time.Since(db.Now()) > time.Minute {
		t.Fatalf("the store's clock was not put back: %s", db.Now())
	}

	page, err := db.Referrals(ctx, store.ListFilter{Limit: 200, Now: now})
	if err != nil || len(page.Referrals) != 150 {
		t.Fatalf("list: %d %v", len(page.Referrals), err)
	}
	first, lastAt := page.Referrals[len(page.Referrals)-1].Meta.CreatedAt, page.Referrals[0].Meta.CreatedAt
	if lastAt.Sub(first) < 200*24*time.Hour || lastAt.After(now) {
		t.Fatalf("created from %s to %s: not spread over the year", first, lastAt)
	}
	linked := 0
	answered := 0
	for _, r := range page.Referrals {
		cs, err := db.LinkCandidates(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) > 0 {
			linked++
		}
		for _, sh := range r.Shares {
			if sh.Status != referral.Sent && sh.Status != referral.Viewed {
				answered++
			}
		}
	}
	if linked == 0 || answered == 0 {
		t.Fatalf("%d referrals with link suggestions, %d answered shares", linked, answered)
	}
	report, err := db.VerifyAudit(ctx, nil)
	if err != nil || !report.OK() {
		t.Fatalf("audit after seeding: %v %s", err, report.String())
	}
	checkOutcomes(t, db, dir, now)
}

// The demo's weighted codes are the registry's: a synthetic referral never
// carries a code the hub would refuse.
func TestDemoCodesAreTheRegistrys(t *testing.T) {
	for _, c := range []struct {
		list    vocab.List
		weights []weight
	}{
		{vocab.Offences, offences}, {vocab.RiskLevels, levels}, {vocab.RiskTools, tools},
		{vocab.Relationships, relationships}, {vocab.ContactMethods, methods}, {vocab.ConsentDecisions, decisions},
	} {
		for _, w := range c.weights {
			if !c.list.Has(w.key) {
				t.Errorf("the demo weighs %q, which is not in %v", w.key, c.list.Values())
			}
		}
	}
}

// Two hubs starting together on one database (replicas) seed it once
// between them: the emptiness check holds the write lock.
func TestSeedIfEmptyOnceAcrossHubs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	keys, err := seal.Load(filepath.Join(dir, "keys"), true)
	if err != nil {
		t.Fatal(err)
	}
	signer, verifier, err := audit.LoadOrCreateKey(filepath.Join(dir, "audit.key"), "hub-test-audit")
	if err != nil {
		t.Fatal(err)
	}
	var hubs []*store.DB
	for i := range 2 {
		db, err := store.Open(filepath.Join(dir, "hub.db"), 2)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if i == 0 {
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SetAuditSigner(signer, verifier, 100, time.Hour); err != nil {
			t.Fatal(err)
		}
		db.SetKeyring(keys)
		hubs = append(hubs, db)
	}
	opt := Options{Issuer: "http://127.0.0.1:8080/devidp", Now: now, Seed: 3}
	type result struct {
		seeded bool
		err    error
	}
	results := make(chan result, 2)
	for _, db := range hubs {
		go func() {
			seeded, err := SeedIfEmpty(ctx, db, agencies(t), 60, opt, nil)
			results <- result{seeded, err}
		}()
	}
	seeded := 0
	for range hubs {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.seeded {
			seeded++
		}
	}
	if n, err := hubs[0].ReferralCount(ctx); seeded != 1 || n != 60 || err != nil {
		t.Fatalf("%d hubs seeded, %d referrals (%v); want one and 60", seeded, n, err)
	}
}

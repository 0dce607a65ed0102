package store

import (
	"context"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
)

// setNow sets the store's clock, so that referrals are created when a test says.
func setNow(db *DB, t time.Time) { db.Now = func() time.Time { return t } }

func candidates(t *testing.T, db *DB, id string) map[string]referral.LinkVia {
	t.Helper()
	cs, err := db.LinkCandidates(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]referral.LinkVia{}
	for _, c := range cs {
		if c.ID == id || c.Reference == "" || c.Offence == "" || c.CreatedAt.IsZero() {
			t.Fatalf("candidate %+v", c)
		}
		out[c.ID+"/"+string(c.Via)] = c.Via
	}
	return out
}

func linked(t *testing.T, db *DB, id string) map[string]referral.LinkVia {
	t.Helper()
	p, err := db.LinkedView(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]referral.LinkVia{}
	for _, r := range p.Referrals {
		out[r.ID] = r.Via
	}
	return out
}

func TestLinkCandidatesMatchNameAndDateOfBirth(t *testing.T) {
	db := openSealed(t)
	a, _ := create(t, db, submission("Mary O'Brien", "medium"), "", "")
	same := submission("  obrien,  MARY ", "high")
	same.Victim.Name = "  MARY   o'brien "
	b, _ := create(t, db, same, "", "")
	other := submission("Mary O'Brien", "medium")
	other.Victim.DateOfBirth = "1991-04-02"
	c, _ := create(t, db, other, "", "")

	if got := candidates(t, db, b); len(got) != 1 || got[a+"/victim"] != referral.ViaVictim {
		t.Fatalf("candidates of b: %v, want a via victim", got)
	}
	if got := candidates(t, db, a); len(got) != 1 || got[b+"/victim"] == "" {
		t.Fatalf("candidates of a: %v, want b", got)
	}
	if got := candidates(t, db, c); len(got) != 0 {
		t.Fatalf("another date of birth matched: %v", got)
	}
	if _, err := db.LinkCandidates(context.Background(), "r-missing"); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("missing referral: %v", err)
	}
}

func TestLinkCandidatesBySuspect(t *testing.T) {
	db := openSealed(t)
	s1 := submission("Ann Able", "medium")
	s1.Suspect = referral.Suspect{Name: "Sid Vale", DateOfBirth: "1980-01-01"}
	a, _ := create(t, db, s1, "", "")
	s2 := submission("Bea Bright", "medium")
	s2.Suspect = referral.Suspect{Name: "sid  VALE", DateOfBirth: "1980-01-01"}
	b, _ := create(t, db, s2, "", "")
	s3 := submission("Cal Crane", "medium")
	s3.Suspect = referral.Suspect{Relationship: "stranger"}
	c, _ := create(t, db, s3, "", "")
	if got := candidates(t, db, b); len(got) != 1 || got[a+"/suspect"] != referral.ViaSuspect {
		t.Fatalf("candidates of b: %v", got)
	}
	if got := candidates(t, db, c); len(got) != 0 {
		t.Fatalf("an unnamed suspect matched: %v", got)
	}
}

func TestDecideLink(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	a, _ := create(t, db, submission("Dee Dawson", "standard"), "", "")
	b, _ := create(t, db, submission("Dee Dawson", "medium"), "", "")
	c, _ := create(t, db, submission("Dee Dawson", "high"), "", "")
	d, _ := create(t, db, submission("Dee Dawson", "high"), "", "")
	lone, _ := create(t, db, submission("Eve Elm", "high"), "", "")

	if err := db.DecideLink(ctx, b, a, referral.ViaVictim, true, officer); err != nil {
		t.Fatal(err)
	}
	if got := candidates(t, db, b); got[a+"/victim"] != "" || len(got) != 2 {
		t.Fatalf("b still suggests a, or lost c and d: %v", got)
	}
	if got := candidates(t, db, a); got[b+"/victim"] != "" {
		t.Fatalf("a still suggests b: %v", got)
	}
	if got := linked(t, db, a); len(got) != 2 || got[b] != referral.ViaVictim || got[a] != "" {
		t.Fatalf("linked view of a: %v", got)
	}

	// Linked through b, c is linked to a as well.
	if err := db.DecideLink(ctx, c, b, referral.ViaVictim, true, officer); err != nil {
		t.Fatal(err)
	}
	if got := linked(t, db, a); len(got) != 3 || got[c] != "" {
		t.Fatalf("transitive view of a: %v", got)
	}
	p, err := db.LinkedView(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if p.Incidents != 3 || len(p.RiskOverTime) != 3 || p.RiskOverTime[0].Level != "standard" || p.RiskOverTime[2].Level != "high" {
		t.Fatalf("pattern %+v", p)
	}

	// A rejected link is not suggested again and links nothing.
	if err := db.DecideLink(ctx, d, a, referral.ViaVictim, false, officer); err != nil {
		t.Fatal(err)
	}
	if got := candidates(t, db, d); got[a+"/victim"] != "" || got[b+"/victim"] == "" {
		t.Fatalf("candidates of d after rejecting a: %v", got)
	}
	if got := linked(t, db, d); len(got) != 1 {
		t.Fatalf("a rejected link linked: %v", got)
	}

	// A later decision replaces the earlier one.
	if err := db.DecideLink(ctx, a, b, referral.ViaVictim, false, officer); err != nil {
		t.Fatal(err)
	}
	if got := linked(t, db, a); len(got) != 1 {
		t.Fatalf("after unlinking a from b: %v", got)
	}

	for _, bad := range []struct {
		name      string
		id, other string
		via       referral.LinkVia
		code      problem.Code
	}{
		{"no shared victim", a, lone, referral.ViaVictim, problem.Invalid},
		{"no shared suspect", a, b, referral.ViaSuspect, problem.Invalid},
		{"itself", a, a, referral.ViaVictim, problem.Invalid},
		{"unknown via", a, b, "neighbour", problem.Invalid},
		{"missing other", a, "r-missing", referral.ViaVictim, problem.Invalid},
		{"missing referral", "r-missing", a, referral.ViaVictim, problem.NotFound},
	} {
		if err := db.DecideLink(ctx, bad.id, bad.other, bad.via, true, officer); problem.CodeOf(err) != bad.code {
			t.Errorf("%s: %v, want %s", bad.name, err, bad.code)
		}
	}

	events, err := db.Events(ctx, a, "")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, e := range events {
		kinds[e.Kind]++
	}
	if kinds["link_confirmed"] != 1 || kinds["link_rejected"] != 2 {
		t.Fatalf("timeline of a: %v", kinds)
	}
	entries, err := db.AuditEntries(ctx, AuditFilter{Action: audit.LinkDecided})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 || entries[0].Record != b || entries[0].Detail != "confirmed victim "+a || entries[0].Actor != officer.Subject {
		t.Fatalf("audit entries %+v", entries)
	}
}

func TestRepeatVictimWithinTwelveMonths(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	t0 := time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC)
	setNow(db, t0)
	first, _ := create(t, db, submission("Fay Frost", "medium"), "", "")
	setNow(db, t0.AddDate(0, 11, 0))
	second, _ := create(t, db, submission("FAY frost", "medium"), "", "")
	setNow(db, t0.AddDate(0, 11+13, 0))
	third, _ := create(t, db, submission("Fay Frost", "medium"), "", "")
	setNow(db, t0.AddDate(0, 11, 1))
	otherVictim, _ := create(t, db, submission("Gil Grey", "medium"), "", "")
	for _, c := range []struct {
		id   string
		want bool
	}{{first, false}, {second, true}, {third, false}, {otherVictim, false}} {
		got, err := db.RepeatVictim(ctx, c.id)
		if err != nil || got != c.want {
			t.Errorf("repeat victim of %s: %v %v, want %v", c.id, got, err, c.want)
		}
	}
	if _, err := db.RepeatVictim(ctx, "r-missing"); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("missing: %v", err)
	}
}

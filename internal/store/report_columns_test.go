package store

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/referral"
)

// reportColumns reads the columns the triggers of migration 0008 keep.
func reportColumns(t *testing.T, db *DB, id string) (repeatVictim, repeatSuspect, viaVictim, viaSuspect bool, decision string) {
	t.Helper()
	err := db.r.QueryRow(`SELECT repeat_victim, repeat_suspect, linked_via_victim, linked_via_suspect, consent_decision FROM referrals WHERE id = ?`, id).
		Scan(&repeatVictim, &repeatSuspect, &viaVictim, &viaSuspect, &decision)
	if err != nil {
		t.Fatal(err)
	}
	return
}

// A referral is a repeat when another names the same person and was raised
// at the same time or in the twelve months before it. The cases are written
// in one order and the referrals raised in it and in reverse: which arrived
// first must not matter.
func TestRepeatReferrals(t *testing.T) {
	cases := []struct {
		name  string
		times []string
		want  []bool
	}{
		{"alone", []string{"2026-03-01T12:00:00Z"}, []bool{false}},
		{"the later of two in a year", []string{"2026-03-01T12:00:00Z", "2025-09-01T12:00:00Z"}, []bool{true, false}},
		{"exactly twelve months before counts", []string{"2025-03-01T12:00:00Z", "2026-03-01T12:00:00Z"}, []bool{false, true}},
		{"a second more does not", []string{"2025-03-01T11:59:59Z", "2026-03-01T12:00:00Z"}, []bool{false, false}},
		{"a nanosecond more does not", []string{"2025-03-01T11:59:59.999999999Z", "2026-03-01T12:00:00Z"}, []bool{false, false}},
		{"at the same time, each is the other's repeat", []string{"2026-03-01T12:00:00Z", "2026-03-01T12:00:00Z"}, []bool{true, true}},
		{"a chain: each within a year of the one before", []string{"2024-06-01T00:00:00Z", "2025-05-01T00:00:00Z", "2026-04-01T00:00:00Z"}, []bool{false, true, true}},
		{"a gap: after it a new start", []string{"2026-04-01T00:00:00Z", "2023-01-01T00:00:00Z", "2024-06-01T00:00:00Z"}, []bool{false, false, false}},
		{"29 February: twelve months before is 1 March", []string{"2023-03-01T00:00:00Z", "2024-02-29T00:00:00Z"}, []bool{false, true}},
		{"29 February: 28 February is too early", []string{"2023-02-28T23:59:59Z", "2024-02-29T00:00:00Z"}, []bool{false, false}},
		{"31 March: twelve months before is 31 March", []string{"2025-03-31T08:00:00Z", "2026-03-31T08:00:00Z"}, []bool{false, true}},
	}
	for _, c := range cases {
		for _, reverse := range []bool{false, true} {
			db := openSealed(t)
			order := make([]int, len(c.times))
			for i := range order {
				order[i] = i
			}
			if reverse {
				slices.Reverse(order)
			}
			ids := make([]string, len(c.times))
			for _, i := range order {
				at, err := time.Parse(time.RFC3339Nano, c.times[i])
				if err != nil {
					t.Fatal(err)
				}
				setNow(db, at)
				s := submission("Hana Hollis", "medium")
				s.Suspect.Name, s.Suspect.DateOfBirth = "Ivo Ince", "1985-01-01"
				ids[i], _ = create(t, db, s, "", "")
			}
			// Someone else, at the same times, repeats nobody.
			setNow(db, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
			other, _ := create(t, db, submission("Jude Jarrow", "medium"), "", "")
			for i, id := range ids {
				victim, suspect, _, _, _ := reportColumns(t, db, id)
				if victim != c.want[i] || suspect != c.want[i] {
					t.Errorf("%s (reverse %v): referral %d repeat victim %v, suspect %v; want %v", c.name, reverse, i, victim, suspect, c.want[i])
				}
				if got, err := db.RepeatVictim(context.Background(), id); err != nil || got != c.want[i] {
					t.Errorf("%s: RepeatVictim %v %v", c.name, got, err)
				}
			}
			if victim, suspect, _, _, _ := reportColumns(t, db, other); victim || suspect {
				t.Errorf("%s: another person is a repeat", c.name)
			}
		}
	}
}

// The latest consent decision and confirmed links follow every change.
func TestReportColumnsFollowConsentAndLinks(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	setNow(db, time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC))
	a, _ := create(t, db, submission("Kit Keane", "high"), "", "")
	setNow(db, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	b, _ := create(t, db, submission("Kit Keane", "high"), "", "")
	c, _ := create(t, db, submission("Lou Lamb", "high"), "", "")

	if _, _, _, _, d := reportColumns(t, db, a); d != string(consent.Given) {
		t.Fatalf("consent at creation: %q", d)
	}
	if _, err := db.AddConsent(ctx, a, consent.Consent{Decision: consent.Withdrawn, RecordedBy: officer.Subject, RecordedAt: db.Now()}, officer); err != nil {
		t.Fatal(err)
	}
	if _, _, _, _, d := reportColumns(t, db, a); d != string(consent.Withdrawn) {
		t.Errorf("after withdrawal: %q", d)
	}
	if _, _, _, _, d := reportColumns(t, db, b); d != string(consent.Given) {
		t.Errorf("another referral's consent moved: %q", d)
	}

	linked := func(id string) (bool, bool) {
		_, _, v, s, _ := reportColumns(t, db, id)
		return v, s
	}
	if err := db.DecideLink(ctx, a, b, referral.ViaVictim, true, officer); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a, b} {
		if v, s := linked(id); !v || s {
			t.Errorf("confirmed victim link: %s %v %v", id, v, s)
		}
	}
	if v, s := linked(c); v || s {
		t.Errorf("an unlinked referral is linked")
	}
	if err := db.DecideLink(ctx, b, a, referral.ViaVictim, false, officer); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a, b} {
		if v, _ := linked(id); v {
			t.Errorf("a rejected link still counts for %s", id)
		}
	}
}

// A database that held referrals before migration 0008 gets the same report
// columns from the migration as the triggers give a database that had it
// from the start.
func TestReportColumnsBackfillMatchesTriggers(t *testing.T) {
	sqliteOnly(t)
	now := time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC)
	fresh := openSealed(t)
	SeedReportLoad(t, fresh, 3000, now)

	old := open(t)
	if _, err := old.Version(context.Background()); err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version >= 8 {
			break
		}
		if _, err := old.w.Exec(m.sql); err != nil {
			t.Fatal(m.name, err)
		}
		if _, err := old.w.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, '')`, m.version, m.name); err != nil {
			t.Fatal(err)
		}
	}
	SeedReportLoad(t, old, 3000, now)
	if _, err := old.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}

	columns := func(db *DB) []string {
		rows, err := db.r.Query(`SELECT id || ' ' || repeat_victim || repeat_suspect || linked_via_victim || linked_via_suspect || ' ' || consent_decision || ' ' || shared_with
			FROM referrals ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		return out
	}
	want, got := columns(fresh), columns(old)
	if len(want) != 3000 || !slices.Equal(got, want) {
		t.Fatalf("backfill differs from triggers (%d and %d rows)", len(got), len(want))
	}
	// Migration 0036 counted the referrals it found as a fresh store does.
	// The load gives the fresh store Victims' Code updates, which a store
	// loaded before migration 0019 cannot hold: they are taken away first.
	if _, err := fresh.w.Exec(`DELETE FROM victim_updates`); err != nil {
		t.Fatal(err)
	}
	if err := fresh.RefillCounts(context.Background()); err != nil {
		t.Fatal(err)
	}
	fc, fp, err := fresh.CountedRows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	oc, op, err := old.CountedRows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(fc) == 0 || len(fp) != 3000 || !maps.Equal(fc, oc) || !maps.Equal(fp, op) {
		t.Errorf("migration 0036 counted %d rows for %d referrals, a fresh store %d for %d", len(oc), len(op), len(fc), len(fp))
	}
	flagged := 0
	for _, s := range want {
		if !strings.Contains(s, " 0000 ") {
			flagged++
		}
	}
	if flagged < 300 {
		t.Errorf("only %d of 3000 referrals are repeats or linked: the load does not test much", flagged)
	}
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/report"
)

// SeedReportLoad fills db with n synthetic referrals raised over the
// report's default period up to now, for the outcomes benchmark: metadata, shares at every stage,
// consent, requests to share without consent, links, MARAC cases with
// actions and Victims' Code updates, written straight into the tables in
// one transaction, then
// counted for the report as migration 0036 counts existing data. It writes
// no sections: the report never reads them. Exported to the store's
// external tests only.
func SeedReportLoad(tb testing.TB, db *DB, n int, now time.Time) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	urng := rand.New(rand.NewPCG(3, 4)) // the Victims' Code updates', apart so the rest stays as it was
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	offences := []string{"harassment", "harassment_fear_of_violence", "stalking", "stalking_fear_alarm_distress", "malicious_communications", "breach_of_order", "other"}
	agencies := []string{"housing", "health", "victim-support", "idva", "childrens-services", "adult-social-care", "probation"}
	strands := []string{"race", "religion", "sexual_orientation", "disability", "transgender", "other"}
	decisions := []string{"given", "given", "given", "refused", "not_sought", "withdrawn"}
	bases := []string{"dpa2018_sch8_safeguarding", "crime_and_disorder_act_s115", "vital_interests"}
	span := now.Sub(report.DefaultPeriod(now).From)
	err := db.inTx(context.Background(), func(tx *sql.Tx) error {
		// Statements are prepared once: most of the time of a bulk insert
		// is otherwise spent parsing the same SQL.
		prepared := map[string]*sql.Stmt{}
		defer func() {
			for _, st := range prepared {
				st.Close()
			}
		}()
		ins := func(q string, args ...any) error {
			st, ok := prepared[q]
			if !ok {
				var err error
				if st, err = tx.Prepare(q); err != nil {
					return err
				}
				prepared[q] = st
			}
			_, err := st.Exec(args...)
			return err
		}
		// Victims' Code updates once the schema has them (migration 0019).
		var updates int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM schema_migrations WHERE version = 19`).Scan(&updates); err != nil {
			return err
		}
		for m := range 12 {
			day := now.AddDate(0, -m, -3).Format(time.DateOnly)
			if err := ins(`INSERT INTO marac_meetings (id, panel, meeting_date, created_by, created_at) VALUES (?, 'north', ?, 'load', ?)`,
				fmt.Sprintf("mm-%d", m), day, timeText(now)); err != nil {
				return err
			}
		}
		for i := range n {
			id := fmt.Sprintf("r-load-%07d", i)
			created := now.Add(-time.Duration(rng.Int64N(int64(span))))
			level := []string{"standard", "medium", "medium", "high"}[rng.IntN(4)]
			strand := ""
			if rng.IntN(10) == 0 {
				strand = pick(strands)
			}
			if err := ins(`INSERT INTO referrals (id, reference, state, officer, officer_name, offence, risk_level, domestic_abuse, hate_crime_strand,
				honour_based_abuse, fear_of_violence, technology_enabled, victim_fp, suspect_fp, created_at, sent_at, updated_at)
				VALUES (?, ?, 'sent', 'load|officer', 'Load Officer', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, fmt.Sprintf("SH-LOAD-%07d", i), pick(offences), level, rng.IntN(3) == 0, strand, rng.IntN(20) == 0, rng.IntN(4) == 0, rng.IntN(3) == 0,
				fmt.Sprintf("v%d", rng.IntN(n*4/5+1)), fmt.Sprintf("s%d", rng.IntN(n*4/5+1)), timeText(created), timeText(created), timeText(created)); err != nil {
				return err
			}
			for k, a := range rng.Perm(len(agencies))[:1+rng.IntN(3)] {
				if err := seedShare(ins, rng, id, agencies[a], k, level, created, now); err != nil {
					return err
				}
			}
			if err := ins(`INSERT INTO consents (id, referral_id, decision, recorded_by, recorded_at, seq) VALUES (?, ?, ?, 'load|officer', ?, 1)`,
				"c-"+id, id, pick(decisions), timeText(created)); err != nil {
				return err
			}
			if rng.IntN(20) == 0 {
				if err := ins(`INSERT INTO overrides (id, referral_id, basis, rationale_key, rationale, agencies, categories, until, requested_by, requested_at, status)
					VALUES (?, ?, ?, 'k', ?, ?, 1, '2027-01-01', 'load|officer', ?, ?)`, "o-"+id, id, pick(bases), []byte{0}, pick(agencies), timeText(created.Add(time.Hour)),
					pick([]string{"pending", "approved", "approved", "refused"})); err != nil {
					return err
				}
			}
			if i > 0 && rng.IntN(10) == 0 {
				other := fmt.Sprintf("r-load-%07d", rng.IntN(i))
				for _, pair := range [2][2]string{{id, other}, {other, id}} {
					if err := ins(`INSERT OR IGNORE INTO referral_links (referral_id, other_id, via, status) VALUES (?, ?, 'victim', 'confirmed')`, pair[0], pair[1]); err != nil {
						return err
					}
				}
			}
			if rng.IntN(50) == 0 {
				if err := seedCase(ins, rng, id, i, agencies, now); err != nil {
					return err
				}
			}
			if updates > 0 {
				if err := seedVictimUpdate(ins, urng, id, created, now); err != nil {
					return err
				}
			}
		}
		// Written past the store's write paths, so counted as migration
		// 0036 counts the data it finds, once the schema has counters.
		var counters int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'report_counts'`).Scan(&counters); err != nil || counters == 0 {
			return err
		}
		return db.fillReportCounts(context.Background(), tx)
	})
	if err != nil {
		tb.Fatal(err)
	}
	// Into the database file proper, as a hub that has run a while has it:
	// readers of a write-ahead log this long would pay for it on every page.
	if _, err := db.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		tb.Fatal(err)
	}
}

// seedVictimUpdate writes, for about two referrals in three, a Victims'
// Code update on an event some days after the referral, due one to five
// days later: told on time, told late or not told yet.
func seedVictimUpdate(ins func(string, ...any) error, rng *rand.Rand, referralID string, created, now time.Time) error {
	if rng.IntN(100) >= 64 {
		return nil
	}
	event := created.AddDate(0, 0, rng.IntN(30))
	if event.After(now) {
		event = now
	}
	due := event.AddDate(0, 0, 1+rng.IntN(5))
	told := ""
	switch rng.IntN(4) {
	case 0, 1:
		told = dateText(event.AddDate(0, 0, rng.IntN(1+int(due.Sub(event).Hours()/24))))
	case 2:
		told = dateText(due.AddDate(0, 0, 1+rng.IntN(5)))
	}
	if told > dateText(now) {
		told = ""
	}
	return ins(`INSERT INTO victim_updates (id, referral_id, event, event_on, due_by, enhanced, told_on, recorded_by, recorded_at) VALUES (?, ?, 'arrest', ?, ?, 1, ?, 'load|officer', ?)`,
		"v-"+referralID, referralID, dateText(event), dateText(due), told, timeText(event))
}

// seedShare writes one share somewhere along its lifecycle, answered some
// hours after it was sent.
func seedShare(ins func(string, ...any) error, rng *rand.Rand, referralID, agencyID string, k int, level string, sent, now time.Time) error {
	due := sent.Add(72 * time.Hour)
	at := func() time.Time { return sent.Add(time.Duration(1+rng.IntN(120)) * time.Hour) }
	status := []string{"sent", "viewed", "accepted", "accepted", "in_progress", "declined", "closed", "closed"}[rng.IntN(8)]
	var viewed, answered, accepted, closed string
	if status != "sent" {
		viewed = timeText(at())
	}
	if status != "sent" && status != "viewed" {
		t := at()
		if t.After(now) {
			t = now
		}
		answered = timeText(t)
		if status != "declined" {
			accepted = answered
		}
		if status == "closed" {
			closed = timeText(t.Add(24 * time.Hour))
		}
	}
	return ins(`INSERT INTO shares (id, referral_id, agency, status, risk_level, risk_rank, sent_at, due_at, viewed_at, answered_at, accepted_at, closed_at)
		VALUES (?, ?, ?, ?, ?, 2, ?, ?, ?, ?, ?, ?)`, fmt.Sprintf("s-%s-%d", referralID, k), referralID, agencyID, status, level,
		timeText(sent), timeText(due), viewed, answered, accepted, closed)
}

// seedCase puts a referral on one of the year's meetings with three actions.
func seedCase(ins func(string, ...any) error, rng *rand.Rand, referralID string, i int, agencies []string, now time.Time) error {
	m := rng.IntN(12)
	meetingDay := now.AddDate(0, -m, -3)
	caseID := "mc-" + referralID
	if err := ins(`INSERT INTO marac_cases (id, meeting_id, referral_id, position, criterion, is_repeat, added_by, added_at)
		VALUES (?, ?, ?, ?, 'visible_high_risk', ?, 'load', ?)`, caseID, fmt.Sprintf("mm-%d", m), referralID, i, rng.IntN(4) == 0, timeText(now)); err != nil {
		return err
	}
	for a := range 3 {
		due := meetingDay.AddDate(0, 0, 14)
		status := []string{"open", "done", "done", "not_possible", "not_done"}[rng.IntN(5)]
		updated := ""
		if status != "open" {
			updated = timeText(meetingDay.AddDate(0, 0, rng.IntN(28)))
		}
		if err := ins(`INSERT INTO marac_actions (id, case_id, agency, description_key, description, due, status, created_by, created_at, updated_at)
			VALUES (?, ?, ?, 'k', ?, ?, ?, 'load', ?, ?)`, fmt.Sprintf("ma-%s-%d", referralID, a), caseID, agencies[rng.IntN(len(agencies))], []byte{0},
			due.Format(time.DateOnly), status, timeText(meetingDay), updated); err != nil {
			return err
		}
	}
	return nil
}

package store

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/justice"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/referral"
)

// Business rules that the database computes (triggers, and the stored-time
// comparisons of the store's queries) are written once in Go; these tests
// run a table of cases through each database's SQL and hold it to the Go
// rule, so that neither dialect drifts from it.

// schemaDB is one database the rules run through.
type schemaDB struct {
	name string
	db   *sql.DB
	pg   bool
}

// eachSchema runs check in a subtest on a migrated SQLite database, then in
// one on a migrated PostgreSQL database (skipped without a server, unless
// CI=true), so that SQLite is held to the rule either way.
func eachSchema(t *testing.T, check func(t *testing.T, d schemaDB)) {
	t.Run("sqlite", func(t *testing.T) { check(t, schemaDB{"sqlite", sqliteSchema(t), false}) })
	t.Run("postgres", func(t *testing.T) { check(t, schemaDB{"postgres", postgresSchema(t), true}) })
}

// bind writes q's ? placeholders as $1..$n for PostgreSQL (the test's
// statements have no ? in their literals).
func (s schemaDB) bind(q string) string {
	if !s.pg {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s schemaDB) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := s.db.Exec(s.bind(q), args...); err != nil {
		t.Fatalf("%s: %s: %v", s.name, q, err)
	}
}

// ids returns the first column of q's rows.
func (s schemaDB) ids(t *testing.T, q string, args ...any) map[string]bool {
	t.Helper()
	rows, err := s.db.Query(s.bind(q), args...)
	if err != nil {
		t.Fatalf("%s: %s: %v", s.name, q, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (s schemaDB) insertReferral(t *testing.T, id, state, victimFP, suspectFP string, created time.Time) {
	t.Helper()
	s.exec(t, `INSERT INTO referrals (id, reference, state, officer, officer_name, offence, risk_level, victim_fp, suspect_fp, created_at, updated_at, shared_with)
		VALUES (?, ?, ?, 'test|officer', 'Officer', 'stalking', 'high', ?, ?, ?, ?, ',housing,')`, id, "SH-"+id, state, victimFP, suspectFP, timeText(created), timeText(created))
}

// caseTime parses a case's time (RFC 3339, UTC).
func caseTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The 12-month repeat (referrals_repeat_victim, referrals_repeat_suspect):
// a sent referral is a repeat when another sent referral names the same
// victim (suspect) and was raised at the same time or in the twelve months
// before it, as referral.Repeats says; in whichever order the two arrive,
// and when both arrive in one statement.
func TestRepeatRuleInSQL(t *testing.T) {
	cases := []struct {
		name           string
		earlier, later string
		earlierDraft   bool
	}{
		{"exactly twelve months", "2025-06-01T09:00:00Z", "2026-06-01T09:00:00Z", false},
		{"a nanosecond over", "2025-06-01T08:59:59.999999999Z", "2026-06-01T09:00:00Z", false},
		{"a day over", "2025-05-31T09:00:00Z", "2026-06-01T09:00:00Z", false},
		{"a day within", "2025-06-02T09:00:00Z", "2026-06-01T09:00:00Z", false},
		{"at the same time", "2026-06-01T09:00:00.123Z", "2026-06-01T09:00:00.123Z", false},
		{"across the year's end", "2025-01-01T00:00:00Z", "2025-12-31T23:59:59.999999999Z", false},
		{"to 29 February: from 1 March", "2023-03-01T00:00:00Z", "2024-02-29T00:00:00Z", false},
		{"to 29 February: 28 February is over", "2023-02-28T23:59:59.999999999Z", "2024-02-29T00:00:00Z", false},
		{"to 29 February: 1 March at the hour", "2023-03-01T10:00:00Z", "2024-02-29T10:00:00Z", false},
		{"to 29 February: 1 March before the hour is over", "2023-03-01T09:59:59.999999999Z", "2024-02-29T10:00:00Z", false},
		{"to 29 February: 28 February after the hour is over", "2023-02-28T12:00:00Z", "2024-02-29T10:00:00Z", false},
		{"from 29 February to 28 February", "2024-02-29T12:00:00Z", "2025-02-28T12:00:00Z", false},
		{"from 29 February to 1 March is over", "2024-02-29T12:00:00Z", "2025-03-01T12:00:00.000000001Z", false},
		{"a fraction near the next second", "2025-12-31T23:59:59.9996Z", "2026-12-31T23:59:59.9996Z", false},
		{"a fraction over, near the next second", "2025-12-31T23:59:59.9995Z", "2026-12-31T23:59:59.9996Z", false},
		{"a draft is no referral yet", "2026-05-01T09:00:00Z", "2026-06-01T09:00:00Z", true},
	}
	eachSchema(t, func(t *testing.T, d schemaDB) {
		for i, c := range cases {
			earlier, later := caseTime(t, c.earlier), caseTime(t, c.later)
			wantLater := referral.Repeats(earlier, later) && !c.earlierDraft
			wantEarlier := referral.Repeats(later, earlier) && !c.earlierDraft
			for _, person := range []string{"victim", "suspect"} {
				for _, order := range []string{"earlier first", "later first", "in one statement"} {
					fp := fmt.Sprintf("fp-%d-%s-%s", i, person, order)
					victimFP, suspectFP := fp, ""
					if person == "suspect" {
						victimFP, suspectFP = "", fp
					}
					e, l := fp+"-earlier", fp+"-later"
					earlierState := "sent"
					if c.earlierDraft {
						earlierState = "draft"
					}
					switch order {
					case "earlier first":
						d.insertReferral(t, e, earlierState, victimFP, suspectFP, earlier)
						d.insertReferral(t, l, "sent", victimFP, suspectFP, later)
					case "later first":
						d.insertReferral(t, l, "sent", victimFP, suspectFP, later)
						d.insertReferral(t, e, earlierState, victimFP, suspectFP, earlier)
					default:
						// SQLite runs a row trigger as each row is written,
						// PostgreSQL's AFTER ROW triggers at the statement's end.
						d.exec(t, `INSERT INTO referrals (id, reference, state, officer, officer_name, offence, risk_level, victim_fp, suspect_fp, created_at, updated_at)
							VALUES (?, ?, 'sent', 'o', 'O', 'stalking', 'high', ?, ?, ?, ''), (?, ?, ?, 'o', 'O', 'stalking', 'high', ?, ?, ?, '')`,
							l, "SH-"+l, victimFP, suspectFP, timeText(later), e, "SH-"+e, earlierState, victimFP, suspectFP, timeText(earlier))
					}
					repeats := d.ids(t, `SELECT id FROM referrals WHERE (repeat_victim = 1 OR repeat_suspect = 1) AND id IN (?, ?)`, e, l)
					wrongKind := d.ids(t, `SELECT id FROM referrals WHERE id IN (?, ?) AND `+map[string]string{"victim": "repeat_suspect", "suspect": "repeat_victim"}[person]+` = 1`, e, l)
					if repeats[l] != wantLater || repeats[e] != wantEarlier || len(wrongKind) > 0 {
						t.Errorf("%s, %s, written %s: repeat later %v earlier %v (other kind %v), want later %v earlier %v",
							c.name, person, order, repeats[l], repeats[e], wrongKind, wantLater, wantEarlier)
					}
				}
			}
		}
	})
}

// The times to answer and to accept a share in whole seconds
// (shares_clock_seconds_insert, shares_clock_seconds_update), on insert and
// on each update of the times, as referral.ResponseSeconds says.
func TestResponseSecondsInSQL(t *testing.T) {
	cases := []struct {
		name                     string
		sent, answered, accepted string // "" when not yet
	}{
		{"not answered", "2026-03-02T10:00:00Z", "", ""},
		{"within the same second", "2026-03-02T10:00:10.1Z", "2026-03-02T10:00:10.9Z", ""},
		{"a nanosecond into the next second", "2026-01-01T23:59:59.999999999Z", "2026-01-02T00:00:00.000000001Z", ""},
		{"declined, never accepted", "2026-03-02T10:00:00Z", "2026-03-03T09:30:00.5Z", ""},
		{"accepted across 29 February", "2028-02-28T12:00:00.5Z", "2028-02-28T13:00:00Z", "2028-03-01T12:00:00.4Z"},
		{"a year and more", "2025-11-30T08:00:00Z", "2026-12-31T23:59:59.999999999Z", "2026-12-31T23:59:59.999999999Z"},
	}
	text := func(s string) string {
		if s == "" {
			return ""
		}
		return timeText(caseTime(t, s))
	}
	want := func(sent, to string) sql.NullInt64 {
		if to == "" {
			return sql.NullInt64{}
		}
		return sql.NullInt64{Int64: referral.ResponseSeconds(caseTime(t, sent), caseTime(t, to)), Valid: true}
	}
	eachSchema(t, func(t *testing.T, d schemaDB) {
		check := func(id, path, sent, answered, accepted string) {
			t.Helper()
			var gotAnswer, gotAccept sql.NullInt64
			if err := d.db.QueryRow(d.bind(`SELECT answer_seconds, accept_seconds FROM shares WHERE id = ?`), id).Scan(&gotAnswer, &gotAccept); err != nil {
				t.Fatal(err)
			}
			if wa, wc := want(sent, answered), want(sent, accepted); gotAnswer != wa || gotAccept != wc {
				t.Errorf("%s (%s): answer %v accept %v, want %v and %v", id, path, gotAnswer, gotAccept, wa, wc)
			}
		}
		d.insertReferral(t, "r", "sent", "", "", caseTime(t, "2026-01-01T00:00:00Z"))
		for i, c := range cases {
			// Written whole, as the demo seed and a re-sent share are.
			id := fmt.Sprintf("s%d-insert", i)
			d.exec(t, `INSERT INTO shares (id, referral_id, agency, status, risk_level, risk_rank, sent_at, due_at, answered_at, accepted_at)
				VALUES (?, 'r', ?, 'sent', 'high', 3, ?, ?, ?, ?)`, id, id, text(c.sent), text(c.sent), text(c.answered), text(c.accepted))
			check(id, c.name+", inserted", c.sent, c.answered, c.accepted)

			// Sent, then answered, then accepted, as the pages and the API do.
			id = fmt.Sprintf("s%d-update", i)
			d.exec(t, `INSERT INTO shares (id, referral_id, agency, status, risk_level, risk_rank, sent_at, due_at)
				VALUES (?, 'r', ?, 'sent', 'high', 3, ?, ?)`, id, id, text(c.sent), text(c.sent))
			check(id, c.name+", sent", c.sent, "", "")
			d.exec(t, `UPDATE shares SET answered_at = ? WHERE id = ?`, text(c.answered), id)
			check(id, c.name+", answered", c.sent, c.answered, "")
			d.exec(t, `UPDATE shares SET accepted_at = ? WHERE id = ?`, text(c.accepted), id)
			check(id, c.name+", accepted", c.sent, c.answered, c.accepted)
			// Moving the sending time moves both.
			moved := "2025-01-01T00:00:00.75Z"
			d.exec(t, `UPDATE shares SET sent_at = ? WHERE id = ?`, text(moved), id)
			check(id, c.name+", sent time moved", moved, c.answered, c.accepted)
		}
	})
}

// Overdue, on time and ending, as the store's queries compare stored times
// and days (lists, notices, MARAC actions, the victim's updates, orders
// ending, the report), give what referral.Share.Overdue,
// marac.ActionOverdue, justice.Overdue, justice.OnTime and
// justice.EndingWithin say: the fixed-width layouts compare in time order
// in both databases.
func TestOverdueRulesInSQL(t *testing.T) {
	now := caseTime(t, "2026-12-07T10:00:00.5Z")
	shares := []struct {
		status referral.ShareStatus
		due    time.Time
	}{
		{referral.Sent, now.Add(-time.Nanosecond)},
		{referral.Sent, now},
		{referral.Sent, now.Add(time.Nanosecond)},
		{referral.Viewed, now.Add(-24 * time.Hour)},
		{referral.Viewed, now.Add(24 * time.Hour)},
		{referral.Sent, caseTime(t, "2026-12-07T09:59:59.999999999Z")},
		{referral.Sent, caseTime(t, "2026-12-07T10:00:01Z")},
		{referral.Accepted, now.Add(-time.Hour)},
		{referral.Declined, now.Add(-time.Hour)},
		{referral.InProgress, now.Add(-time.Hour)},
		{referral.Closed, now.Add(-time.Hour)},
		{referral.Withdrawn, now.Add(-time.Hour)},
	}
	actions := []struct {
		status marac.ActionStatus
		due    string
	}{
		{marac.Open, "2026-12-06"}, {marac.Open, "2026-12-07"}, {marac.Open, "2026-12-08"}, {marac.Open, "2025-12-31"},
		{marac.Done, "2026-12-01"}, {marac.NotPossible, "2026-12-01"}, {marac.NotDone, "2026-12-01"},
	}
	updates := []struct{ due, told string }{
		{"2026-12-06", ""}, {"2026-12-07", ""}, {"2026-12-08", ""},
		{"2026-12-01", "2026-12-01"}, {"2026-12-01", "2026-11-30"}, {"2026-12-01", "2026-12-02"},
	}
	orders := []struct{ ends, discharged string }{
		{"2026-12-07", ""}, {"2026-12-06", ""}, {"2027-01-04", ""}, {"2027-01-05", ""}, {"", ""},
		{"2026-12-20", "2026-12-07"}, {"2026-12-20", "2026-12-08"}, {"2026-12-20", "2026-12-01"},
	}
	day := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		v, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	eachSchema(t, func(t *testing.T, d schemaDB) {
		d.insertReferral(t, "r", "sent", "", "", now.AddDate(0, -1, 0))
		d.exec(t, `INSERT INTO marac_meetings (id, panel, meeting_date, created_by, created_at) VALUES ('m', 'p', '2026-11-01', 'c', '')`)
		d.exec(t, `INSERT INTO marac_cases (id, meeting_id, referral_id, position, criterion, added_by, added_at) VALUES ('c', 'm', 'r', 1, 'repeat', 'c', '')`)
		wantShares, wantActions, wantUpdates, wantOnTime, wantLate, wantEnding := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
		for i, s := range shares {
			id := fmt.Sprintf("s%d", i)
			d.exec(t, `INSERT INTO shares (id, referral_id, agency, status, risk_level, risk_rank, sent_at, due_at) VALUES (?, 'r', ?, ?, 'high', 3, ?, ?)`,
				id, id, string(s.status), timeText(now.AddDate(0, 0, -10)), timeText(s.due))
			if (referral.Share{Status: s.status, DueAt: s.due}).Overdue(now) {
				wantShares[id] = true
			}
		}
		for i, a := range actions {
			id := fmt.Sprintf("a%d", i)
			d.exec(t, `INSERT INTO marac_actions (id, case_id, agency, description_key, description, due, status, created_by, created_at) VALUES (?, 'c', 'housing', 'k', ?, ?, ?, 'c', '')`,
				id, []byte{1}, a.due, string(a.status))
			if marac.ActionOverdue(marac.Action{Status: a.status, Due: day(a.due)}, now) {
				wantActions[id] = true
			}
		}
		for i, u := range updates {
			id := fmt.Sprintf("u%d", i)
			d.exec(t, `INSERT INTO victim_updates (id, referral_id, event, event_on, due_by, enhanced, told_on, recorded_by, recorded_at) VALUES (?, 'r', 'arrest', ?, ?, 1, ?, 'o', '')`,
				id, u.due, u.due, u.told)
			if justice.Overdue(day(u.due), day(u.told), now) {
				wantUpdates[id] = true
			}
			if justice.OnTime(day(u.due), day(u.told)) {
				wantOnTime[id] = true
			} else if u.told != "" {
				wantLate[id] = true
			}
		}
		for i, o := range orders {
			id := fmt.Sprintf("o%d", i)
			d.exec(t, `INSERT INTO orders (id, referral_id, kind, detail_key, detail, starts_on, ends_on, discharged_on, created_by, created_at, updated_at)
				VALUES (?, 'r', 'restraining_order', 'k', ?, '2026-01-01', ?, ?, 'o', '', '')`, id, []byte{1}, o.ends, o.discharged)
			if justice.EndingWithin(justice.Order{EndsOn: day(o.ends), DischargedOn: day(o.discharged)}, now, justice.FirstNotice) {
				wantEnding[id] = true
			}
		}
		for _, q := range []struct {
			name string
			sql  string
			args []any
			want map[string]bool
		}{
			{"shares overdue (lists, notices)", `SELECT id FROM shares WHERE status IN ('sent', 'viewed') AND due_at < ?`, []any{timeText(now)}, wantShares},
			{"actions overdue (marac)", `SELECT id FROM marac_actions WHERE status = 'open' AND due < ?`, []any{dateText(now)}, wantActions},
			{"victim updates overdue", `SELECT id FROM victim_updates WHERE told_on = '' AND due_by < ?`, []any{dateText(now)}, wantUpdates},
			{"victim updates on time (report)", `SELECT id FROM victim_updates WHERE told_on <> '' AND told_on <= due_by`, nil, wantOnTime},
			{"victim updates late (report)", `SELECT id FROM victim_updates WHERE told_on > due_by`, nil, wantLate},
			{"orders ending within 28 days", `SELECT id FROM orders WHERE ends_on <> '' AND ends_on >= ? AND ends_on <= ? AND (discharged_on = '' OR discharged_on > ?)`,
				[]any{dateText(now), dateText(now.AddDate(0, 0, justice.FirstNotice)), dateText(now)}, wantEnding},
		} {
			got := d.ids(t, q.sql, q.args...)
			if len(q.want) == 0 || fmt.Sprint(got) != fmt.Sprint(q.want) {
				t.Errorf("%s: %v, want %v (the Go rule)", q.name, got, q.want)
			}
		}
	})
}

// What the report reads from columns that triggers keep: the agencies a
// referral was sent to (shares_shared_with), the latest consent decision
// (consents_latest) and whether a confirmed link has it on either side
// (referral_links_added, referral_links_changed); and the audit log that
// takes no change (the append-only triggers).
func TestDerivedColumnsInSQL(t *testing.T) {
	created := caseTime(t, "2026-06-01T09:00:00Z")
	eachSchema(t, func(t *testing.T, d schemaDB) {
		for _, id := range []string{"r1", "r2", "r3"} {
			d.insertReferral(t, id, "sent", "", "", created)
		}
		state := func(id string) string {
			t.Helper()
			var shared, consent string
			var victim, suspect int
			if err := d.db.QueryRow(d.bind(`SELECT shared_with, consent_decision, linked_via_victim, linked_via_suspect FROM referrals WHERE id = ?`), id).
				Scan(&shared, &consent, &victim, &suspect); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("%s %q victim=%d suspect=%d", shared, consent, victim, suspect)
		}
		steps := []struct {
			sql  string
			args []any
			want map[string]string
		}{
			{`INSERT INTO shares (id, referral_id, agency, status, risk_level, risk_rank, sent_at, due_at) VALUES ('s1', 'r1', 'housing', 'sent', 'high', 3, '', ''), ('s2', 'r1', 'health', 'sent', 'high', 3, '', '')`, nil,
				map[string]string{"r1": `,housing,health, "" victim=0 suspect=0`, "r2": `,housing, "" victim=0 suspect=0`}},
			{`INSERT INTO shares (id, referral_id, agency, status, risk_level, risk_rank, sent_at, due_at) VALUES ('s3', 'r2', 'idva', 'sent', 'high', 3, '', '')`, nil,
				map[string]string{"r1": `,housing,health, "" victim=0 suspect=0`, "r2": `,housing,idva, "" victim=0 suspect=0`}},
			{`INSERT INTO shares (id, referral_id, agency, status, risk_level, risk_rank, sent_at, due_at) VALUES ('s4', 'r3', 'mental-health', 'sent', 'high', 3, '', '')`, nil,
				map[string]string{"r3": `,housing,mental-health, "" victim=0 suspect=0`}},
			{`INSERT INTO shares (id, referral_id, agency, status, risk_level, risk_rank, sent_at, due_at) VALUES ('s5', 'r3', 'health', 'sent', 'high', 3, '', '')`, nil,
				map[string]string{"r3": `,housing,mental-health,health, "" victim=0 suspect=0`}},
			{`INSERT INTO consents (id, referral_id, decision, recorded_by, recorded_at, seq) VALUES ('c1', 'r1', 'given', 'o', '', 1)`, nil,
				map[string]string{"r1": `,housing,health, "given" victim=0 suspect=0`}},
			{`INSERT INTO consents (id, referral_id, decision, recorded_by, recorded_at, seq) VALUES ('c2', 'r1', 'withdrawn', 'o', '', 2)`, nil,
				map[string]string{"r1": `,housing,health, "withdrawn" victim=0 suspect=0`, "r2": `,housing,idva, "" victim=0 suspect=0`}},
			{`INSERT INTO referral_links (referral_id, other_id, via, status) VALUES ('r1', 'r2', 'victim', 'suggested')`, nil,
				map[string]string{"r1": `,housing,health, "withdrawn" victim=0 suspect=0`, "r2": `,housing,idva, "" victim=0 suspect=0`}},
			{`UPDATE referral_links SET status = 'confirmed' WHERE referral_id = 'r1' AND other_id = 'r2'`, nil,
				map[string]string{"r1": `,housing,health, "withdrawn" victim=1 suspect=0`, "r2": `,housing,idva, "" victim=1 suspect=0`, "r3": `,housing,mental-health,health, "" victim=0 suspect=0`}},
			{`INSERT INTO referral_links (referral_id, other_id, via, status) VALUES ('r3', 'r2', 'suspect', 'confirmed')`, nil,
				map[string]string{"r2": `,housing,idva, "" victim=1 suspect=1`, "r3": `,housing,mental-health,health, "" victim=0 suspect=1`}},
			{`UPDATE referral_links SET status = 'rejected' WHERE referral_id = 'r1'`, nil,
				map[string]string{"r1": `,housing,health, "withdrawn" victim=0 suspect=0`, "r2": `,housing,idva, "" victim=0 suspect=1`, "r3": `,housing,mental-health,health, "" victim=0 suspect=1`}},
			{`UPDATE referral_links SET via = 'victim' WHERE referral_id = 'r3'`, nil,
				map[string]string{"r2": `,housing,idva, "" victim=1 suspect=0`, "r3": `,housing,mental-health,health, "" victim=1 suspect=0`}},
		}
		for _, s := range steps {
			d.exec(t, s.sql, s.args...)
			for id, want := range s.want {
				if got := state(id); got != want {
					t.Errorf("after %s: %s is %s, want %s", s.sql, id, got, want)
				}
			}
		}

		d.exec(t, `INSERT INTO audit_entries (idx, at, actor, action, record, agency, body) VALUES (0, '', 'a', 'release', 'r1', '', ?)`, []byte("{}"))
		d.exec(t, `INSERT INTO audit_hashes (id, hash) VALUES (0, ?)`, []byte{1})
		d.exec(t, `INSERT INTO audit_checkpoints (size, note, at) VALUES (1, 'n', '')`)
		for _, q := range []string{
			`UPDATE audit_entries SET actor = 'b'`, `DELETE FROM audit_entries`,
			`UPDATE audit_hashes SET hash = NULL`, `DELETE FROM audit_hashes`,
			`UPDATE audit_checkpoints SET note = 'm'`, `DELETE FROM audit_checkpoints`,
		} {
			if _, err := d.db.Exec(q); err == nil || !strings.Contains(err.Error(), "are append-only") {
				t.Errorf("%s: %v, want refused as append-only", q, err)
			}
		}
	})
}

// The ids the database gives (the store writes these rows without one:
// outbox.go, referrals.go's insertEvent, orders.go, partner.go,
// verifications.go): each row gets a new one, larger than the last, and
// the partner feed's cursor is never given twice, not even after the
// newest event is removed.
func TestDatabaseGivenIDs(t *testing.T) {
	eachSchema(t, func(t *testing.T, d schemaDB) {
		d.insertReferral(t, "r", "sent", "", "", caseTime(t, "2026-06-01T09:00:00Z"))
		d.exec(t, `INSERT INTO orders (id, referral_id, kind, detail_key, detail, starts_on, created_by, created_at, updated_at) VALUES ('o', 'r', 'dvpo', 'k', ?, '2026-06-01', 'o', '', '')`, []byte{1})
		d.exec(t, `INSERT INTO webhooks (id, agency, url, events, secret_key, secret, created_by, created_at) VALUES ('w', 'housing', 'https://example.org/', '', 'k', ?, 'a', '')`, []byte{1})
		inserts := map[string]string{
			"outbox":              `INSERT INTO outbox (kind, recipient, reference, link, created_at, next_attempt_at) VALUES ('k', 'x@example.org', 'SH-r', '/', '', '')`,
			"referral_events":     `INSERT INTO referral_events (referral_id, at, actor, actor_name, agency, kind, detail) VALUES ('r', '', 'a', 'A', '', 'created', '')`,
			"order_changes":       `INSERT INTO order_changes (order_id, change, at, actor, ends_on, reason_key, reason) VALUES ('o', 'granted', '', 'a', '', '', NULL)`,
			"audit_verifications": `INSERT INTO audit_verifications (started_by, started_at, updated_at) VALUES ('a', '', '')`,
			"partner_events":      `INSERT INTO partner_events (event_id, type, agency, referral_id, reference, status, at) VALUES (?, 'share.created', 'housing', 'r', 'SH-r', '', '')`,
		}
		for table, insert := range inserts {
			var last int64
			for n := range 3 {
				args := []any{}
				if table == "partner_events" {
					args = append(args, fmt.Sprintf("ev-%d", n))
				}
				d.exec(t, insert, args...)
				var id int64
				if err := d.db.QueryRow(`SELECT MAX(id) FROM ` + table).Scan(&id); err != nil {
					t.Fatal(err)
				}
				if id <= last {
					t.Errorf("%s: row %d got id %d after %d", table, n+1, id, last)
				}
				last = id
			}
		}
		var event int64
		if err := d.db.QueryRow(`SELECT MAX(id) FROM partner_events`).Scan(&event); err != nil {
			t.Fatal(err)
		}
		d.exec(t, `INSERT INTO webhook_deliveries (webhook_id, event_id, created_at, next_attempt_at) VALUES ('w', ?, '', '')`, event)
		d.exec(t, `INSERT INTO webhook_deliveries (webhook_id, event_id, created_at, next_attempt_at) VALUES ('w', ?, '', '')`, event)
		if n := d.ids(t, `SELECT CAST(id AS TEXT) FROM webhook_deliveries`); len(n) != 2 {
			t.Errorf("webhook_deliveries: ids %v, want two", n)
		}
		d.exec(t, `DELETE FROM webhook_deliveries`)
		d.exec(t, `DELETE FROM partner_events WHERE id = ?`, event)
		d.exec(t, inserts["partner_events"], "ev-again")
		var again int64
		if err := d.db.QueryRow(`SELECT MAX(id) FROM partner_events`).Scan(&again); err != nil {
			t.Fatal(err)
		}
		if again <= event {
			t.Errorf("partner_events: the cursor %d was given again (now %d)", event, again)
		}
	})
}

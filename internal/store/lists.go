package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
)

// ListFilter selects referrals for a list. With Agency set it is that agency's
// inbox (its shares only, high risk first, then oldest); otherwise a police
// list, newest first, of one officer's referrals or of all.
type ListFilter struct {
	Agency  string
	Officer string
	Status  referral.ShareStatus
	Risk    risk.Level
	Overdue bool
	Now     time.Time
	Cursor  string
	Limit   int
}

// Page is one page of a list and the cursor of the next, empty at the end.
type Page struct {
	Referrals []referral.Summary
	Next      string
}

func encodeCursor(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "|")))
}

func decodeCursor(c string, n int) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	parts := strings.Split(string(b), "|")
	if err != nil || len(parts) != n {
		return nil, problem.Invalidf("cursor", "cursor is not one this list gave")
	}
	return parts, nil
}

// Referrals lists referrals as the filter asks, one page at a time.
func (db *DB) Referrals(ctx context.Context, f ListFilter) (Page, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	now := timeText(f.Now)
	var q strings.Builder
	var args []any
	if f.Agency != "" {
		q.WriteString(`SELECT r.id, s.risk_rank, s.sent_at, s.id FROM shares s JOIN referrals r ON r.id = s.referral_id WHERE s.agency = ? AND r.state = 'sent'`)
		args = append(args, f.Agency)
		if f.Status != "" {
			q.WriteString(` AND s.status = ?`)
			args = append(args, string(f.Status))
		}
		if f.Risk != "" {
			q.WriteString(` AND s.risk_level = ?`)
			args = append(args, string(f.Risk))
		}
		if f.Overdue {
			q.WriteString(` AND s.status IN ('sent', 'viewed') AND s.due_at < ?`)
			args = append(args, now)
		}
		if f.Cursor != "" {
			p, err := decodeCursor(f.Cursor, 3)
			if err != nil {
				return Page{}, err
			}
			rank, _ := strconv.Atoi(p[0])
			q.WriteString(` AND (s.risk_rank < ? OR (s.risk_rank = ? AND (s.sent_at > ? OR (s.sent_at = ? AND s.id > ?))))`)
			args = append(args, rank, rank, p[1], p[1], p[2])
		}
		q.WriteString(` ORDER BY s.risk_rank DESC, s.sent_at, s.id LIMIT ?`)
	} else {
		q.WriteString(`SELECT r.id, 0, r.created_at, r.id FROM referrals r WHERE 1 = 1`)
		if f.Officer != "" {
			q.WriteString(` AND r.officer = ?`)
			args = append(args, f.Officer)
		}
		if f.Risk != "" {
			q.WriteString(` AND r.risk_level = ?`)
			args = append(args, string(f.Risk))
		}
		if f.Status != "" {
			q.WriteString(` AND EXISTS (SELECT 1 FROM shares s WHERE s.referral_id = r.id AND s.status = ?)`)
			args = append(args, string(f.Status))
		}
		if f.Overdue {
			q.WriteString(` AND EXISTS (SELECT 1 FROM shares s WHERE s.referral_id = r.id AND s.status IN ('sent', 'viewed') AND s.due_at < ?)`)
			args = append(args, now)
		}
		if f.Cursor != "" {
			p, err := decodeCursor(f.Cursor, 2)
			if err != nil {
				return Page{}, err
			}
			q.WriteString(` AND (r.created_at < ? OR (r.created_at = ? AND r.id < ?))`)
			args = append(args, p[0], p[0], p[1])
		}
		q.WriteString(` ORDER BY r.created_at DESC, r.id DESC LIMIT ?`)
	}
	args = append(args, f.Limit+1)

	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Page{}, err
	}
	defer tx.Rollback()
	rows, err := db.readQuery(ctx, tx, q.String(), args...)
	if err != nil {
		return Page{}, err
	}
	type key struct {
		id, at, tie string
		rank        int
	}
	var keys []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.id, &k.rank, &k.at, &k.tie); err != nil {
			rows.Close()
			return Page{}, err
		}
		keys = append(keys, k)
	}
	rows.Close()
	var page Page
	if len(keys) > f.Limit {
		last := keys[f.Limit-1]
		if f.Agency != "" {
			page.Next = encodeCursor(strconv.Itoa(last.rank), last.at, last.tie)
		} else {
			page.Next = encodeCursor(last.at, last.tie)
		}
		keys = keys[:f.Limit]
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.id
	}
	if page.Referrals, err = db.summaries(ctx, tx, ids, f.Agency); err != nil {
		return Page{}, err
	}
	return page, nil
}

// summaries loads the metadata of referrals and their shares' statuses
// (only the agency's own share when agencyID is set), in the order of ids;
// no sealed text is opened. Two queries serve the whole page: one per row
// would cost a page of 50 a hundred statements.
func (db *DB) summaries(ctx context.Context, tx *sql.Tx, ids []string, agencyID string) ([]referral.Summary, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in := strings.Repeat("?, ", len(ids)-1) + "?"
	args := make([]any, len(ids), len(ids)+2)
	for i, id := range ids {
		args[i] = id
	}
	byID := make(map[string]*referral.Summary, len(ids))
	out := make([]referral.Summary, len(ids))
	for i, id := range ids {
		out[i].ID = id
		byID[id] = &out[i]
	}
	rows, err := db.readQuery(ctx, tx, `SELECT id, reference, officer, officer_name, state, offence, risk_level, created_at, sent_at, incidents,
		domestic_abuse, hate_crime_strand, honour_based_abuse, fear_of_violence, technology_enabled FROM referrals WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, state, level, created, sent string
		var r referral.Summary
		if err := rows.Scan(&id, &r.Reference, &r.Officer, &r.Meta.OfficerName, &state, &r.Meta.Offence, &level, &created, &sent, &r.Meta.Incidents,
			&r.Meta.Factors.DomesticAbuse, &r.Meta.Factors.HateCrimeStrand, &r.Meta.Factors.HonourBasedAbuse, &r.Meta.Factors.FearOfViolence, &r.Meta.Factors.TechnologyEnabled); err != nil {
			return nil, err
		}
		s := byID[id]
		r.ID = id
		r.Meta.State, r.Risk = referral.State(state), risk.Level(level)
		r.Meta.CreatedAt, r.Meta.SentAt = parseTime(created), parseTime(sent)
		*s = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	shares, err := db.readQuery(ctx, tx, `SELECT referral_id, id, agency, status, decline_code, outcome_code, risk_level, sent_at, due_at, viewed_at, answered_at, accepted_at, closed_at, version, police_unread
		FROM shares WHERE referral_id IN (`+in+`) AND (? = '' OR agency = ?) ORDER BY agency`, append(args, agencyID, agencyID)...)
	if err != nil {
		return nil, err
	}
	defer shares.Close()
	for shares.Next() {
		var refID string
		var sh referral.Share
		var status, lvl, sentAt, due, viewed, answered, accepted, closed string
		if err := shares.Scan(&refID, &sh.ID, &sh.Agency, &status, &sh.ReasonCode, &sh.OutcomeCode, &lvl, &sentAt, &due, &viewed, &answered, &accepted, &closed, &sh.Version, &sh.Unread); err != nil {
			return nil, err
		}
		sh.Status, sh.Risk = referral.ShareStatus(status), risk.Level(lvl)
		sh.SentAt, sh.DueAt, sh.ViewedAt, sh.AnsweredAt, sh.AcceptedAt, sh.ClosedAt = parseTime(sentAt), parseTime(due), parseTime(viewed), parseTime(answered), parseTime(accepted), parseTime(closed)
		if s := byID[refID]; s != nil {
			s.Shares = append(s.Shares, sh)
		}
	}
	return out, shares.Err()
}

// InboxCounts are the numbers on an agency's home page.
type InboxCounts struct {
	New, Open, Overdue int
}

// CountInbox counts an agency's shares: new (sent or viewed), open (accepted
// or in progress) and overdue.
func (db *DB) CountInbox(ctx context.Context, agencyID string, now time.Time) (InboxCounts, error) {
	var c InboxCounts
	err := db.r.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(status IN ('sent', 'viewed')), 0),
		COALESCE(SUM(status IN ('accepted', 'in_progress')), 0),
		COALESCE(SUM(status IN ('sent', 'viewed') AND due_at < ?), 0)
		FROM shares WHERE agency = ?`, timeText(now), agencyID).Scan(&c.New, &c.Open, &c.Overdue)
	return c, err
}

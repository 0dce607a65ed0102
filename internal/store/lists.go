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
// inbox (its shares only); otherwise a police list of one officer's
// referrals or of all. Open work comes before closed unless Sort says
// otherwise.
type ListFilter struct {
	Agency  string
	Officer string
	Status  referral.ShareStatus
	// Statuses keeps shares in any of these statuses, as well as Status.
	Statuses []referral.ShareStatus
	Risk     risk.Level
	Overdue  bool
	// Attention keeps what needs the reader: for the police a share declined,
	// overdue or with an unread message; for an agency a share not yet opened
	// or overdue.
	Attention bool
	// Sort is one of Sorts; empty is open work first.
	Sort string
	// Searching limits the list to IDs, the referrals a search found.
	Searching bool
	IDs       []string
	Now       time.Time
	Cursor    string
	Limit     int
}

// Page is one page of a list and the cursor of the next, empty at the end.
type Page struct {
	Referrals []referral.Summary
	Next      string
}

// Sorts are the orders a list can take: by risk (highest first), by the
// earliest answer due, by when sent (oldest first) or -sent (newest first).
var Sorts = []string{"risk", "due", "sent", "-sent"}

// sortKey is one term of a list's order.
type sortKey struct {
	expr string
	desc bool
	num  bool
}

// The open/closed terms: 0 for open work, 1 for closed.
const (
	// shareClosed is repeated, word for word, in the indexes of migration
	// 0037, which hold an agency's inbox in its order (TestInboxOrderIsIndexed).
	shareClosed    = `(CASE WHEN s.status IN ('declined', 'closed', 'withdrawn') THEN 1 ELSE 0 END)`
	referralClosed = `(CASE WHEN r.state = 'sent' AND NOT EXISTS (SELECT 1 FROM shares x WHERE x.referral_id = r.id AND x.status NOT IN ('declined', 'closed', 'withdrawn')) THEN 1 ELSE 0 END)`
	referralRank   = `(CASE r.risk_level WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)`
	referralDue    = `COALESCE((SELECT MIN(x.due_at) FROM shares x WHERE x.referral_id = r.id AND x.status IN ('sent', 'viewed')), '9999')`
)

// order is the list's order for the filter; the last term is unique.
func (f ListFilter) order() []sortKey {
	if f.Agency != "" {
		switch f.Sort {
		case "risk":
			return []sortKey{{"s.risk_rank", true, true}, {"s.sent_at", false, false}, {"s.id", false, false}}
		case "due":
			return []sortKey{{shareClosed, false, true}, {"s.due_at", false, false}, {"s.id", false, false}}
		case "sent":
			return []sortKey{{"s.sent_at", false, false}, {"s.id", false, false}}
		case "-sent":
			return []sortKey{{"s.sent_at", true, false}, {"s.id", true, false}}
		}
		return []sortKey{{shareClosed, false, true}, {"s.risk_rank", true, true}, {"s.sent_at", false, false}, {"s.id", false, false}}
	}
	switch f.Sort {
	case "risk":
		return []sortKey{{referralRank, true, true}, {"r.created_at", true, false}, {"r.id", true, false}}
	case "due":
		return []sortKey{{referralDue, false, false}, {"r.created_at", true, false}, {"r.id", true, false}}
	case "sent":
		return []sortKey{{"r.created_at", false, false}, {"r.id", false, false}}
	case "-sent":
		return []sortKey{{"r.created_at", true, false}, {"r.id", true, false}}
	}
	return []sortKey{{referralClosed, false, true}, {"r.created_at", true, false}, {"r.id", true, false}}
}

// after is the keyset condition "after the row with these values" for keys.
func after(keys []sortKey, vals []string) (string, []any, error) {
	if len(keys) == 0 {
		return "1 = 0", nil, nil
	}
	k := keys[0]
	var v any = vals[0]
	if k.num {
		n, err := strconv.ParseInt(vals[0], 10, 64)
		if err != nil {
			return "", nil, problem.Invalidf("cursor", "cursor is not one this list gave")
		}
		v = n
	}
	op := ">"
	if k.desc {
		op = "<"
	}
	rest, args, err := after(keys[1:], vals[1:])
	if err != nil {
		return "", nil, err
	}
	return "(" + k.expr + " " + op + " ? OR (" + k.expr + " = ? AND " + rest + "))", append([]any{v, v}, args...), nil
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
	if f.Searching && len(f.IDs) == 0 {
		return Page{}, nil
	}
	keys := f.order()
	query, args, err := f.query(keys)
	if err != nil {
		return Page{}, err
	}
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Page{}, err
	}
	defer tx.Rollback()
	rows, err := db.readQuery(ctx, tx, query, args...)
	if err != nil {
		return Page{}, err
	}
	var ids []string
	var vals [][]string
	for rows.Next() {
		v := make([]string, len(keys)+1)
		dest := make([]any, len(v))
		for i := range v {
			dest[i] = &v[i]
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return Page{}, err
		}
		ids = append(ids, v[0])
		vals = append(vals, v[1:])
	}
	rows.Close()
	var page Page
	if len(ids) > f.Limit {
		page.Next = encodeCursor(append([]string{f.Sort}, vals[f.Limit-1]...)...)
		ids = ids[:f.Limit]
	}
	if page.Referrals, err = db.summaries(ctx, tx, ids, f.Agency); err != nil {
		return Page{}, err
	}
	return page, nil
}

// query is the list's SQL and its arguments, ordered by keys (f.order())
// and a row past the page so that the next cursor can be told.
func (f ListFilter) query(keys []sortKey) (string, []any, error) {
	now := timeText(f.Now)
	var q strings.Builder
	var args []any
	q.WriteString(`SELECT r.id`)
	for _, k := range keys {
		q.WriteString(", " + k.expr)
	}
	if f.Agency != "" {
		q.WriteString(` FROM shares s JOIN referrals r ON r.id = s.referral_id WHERE s.agency = ? AND r.state = 'sent'`)
		args = append(args, f.Agency)
		if f.Status != "" {
			q.WriteString(` AND s.status = ?`)
			args = append(args, string(f.Status))
		}
		if len(f.Statuses) > 0 {
			q.WriteString(` AND s.status IN (` + strings.Repeat("?, ", len(f.Statuses)-1) + `?)`)
			for _, st := range f.Statuses {
				args = append(args, string(st))
			}
		}
		if f.Risk != "" {
			q.WriteString(` AND s.risk_level = ?`)
			args = append(args, string(f.Risk))
		}
		if f.Overdue {
			q.WriteString(` AND s.status IN ('sent', 'viewed') AND s.due_at < ?`)
			args = append(args, now)
		}
		if f.Attention {
			q.WriteString(` AND (s.status = 'sent' OR (s.status = 'viewed' AND s.due_at < ?))`)
			args = append(args, now)
		}
	} else {
		q.WriteString(` FROM referrals r WHERE 1 = 1`)
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
		if len(f.Statuses) > 0 {
			q.WriteString(` AND EXISTS (SELECT 1 FROM shares s WHERE s.referral_id = r.id AND s.status IN (` + strings.Repeat("?, ", len(f.Statuses)-1) + `?))`)
			for _, st := range f.Statuses {
				args = append(args, string(st))
			}
		}
		if f.Overdue {
			q.WriteString(` AND EXISTS (SELECT 1 FROM shares s WHERE s.referral_id = r.id AND s.status IN ('sent', 'viewed') AND s.due_at < ?)`)
			args = append(args, now)
		}
		if f.Attention {
			q.WriteString(` AND r.state = 'sent' AND EXISTS (SELECT 1 FROM shares s WHERE s.referral_id = r.id AND (s.status = 'declined' OR s.police_unread = 1 OR (s.status IN ('sent', 'viewed') AND s.due_at < ?)))`)
			args = append(args, now)
		}
	}
	if f.Searching {
		q.WriteString(` AND r.id IN (` + strings.Repeat("?, ", len(f.IDs)-1) + `?)`)
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	if f.Cursor != "" {
		p, err := decodeCursor(f.Cursor, len(keys)+1)
		if err != nil {
			return "", nil, err
		}
		if p[0] != f.Sort {
			return "", nil, problem.Invalidf("cursor", "cursor is not one this list gave")
		}
		cond, cargs, err := after(keys, p[1:])
		if err != nil {
			return "", nil, err
		}
		q.WriteString(" AND " + cond)
		args = append(args, cargs...)
	}
	q.WriteString(` ORDER BY `)
	for i, k := range keys {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(k.expr)
		if k.desc {
			q.WriteString(" DESC")
		}
	}
	q.WriteString(` LIMIT ?`)
	args = append(args, f.Limit+1)

	return q.String(), args, nil
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

// CountInbox counts an agency's shares: new (sent or viewed), open (accepted
// or in progress) and overdue.
func (db *DB) CountInbox(ctx context.Context, agencyID string, now time.Time) (referral.InboxCounts, error) {
	var c referral.InboxCounts
	err := db.r.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN status IN ('sent', 'viewed') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status IN ('accepted', 'in_progress') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status IN ('sent', 'viewed') AND due_at < ? THEN 1 ELSE 0 END), 0)
		FROM shares WHERE agency = ?`, timeText(now), agencyID).Scan(&c.New, &c.Open, &c.Overdue)
	return c, err
}

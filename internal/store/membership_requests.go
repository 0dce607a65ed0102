package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
)

// RequestMembership records a request for a privileged membership, audited.
// A membership already held, or already requested, is a Conflict.
func (db *DB) RequestMembership(ctx context.Context, m identity.Membership, by identity.Principal) (string, error) {
	id := newID("mr")
	email := strings.ToLower(m.Email)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var held int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE email = ? AND role = ? AND agency = ?`, email, string(m.Role), m.Agency).Scan(&held); err != nil {
			return err
		}
		if held > 0 {
			return problem.New(problem.Conflict, "this person already has that role")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO membership_requests (id, email, role, agency, requested_by, requester, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (email, role, agency) DO NOTHING`,
			id, email, string(m.Role), m.Agency, by.Subject, strings.ToLower(by.Email), timeText(db.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.Conflict, "that role has already been asked for; another administrator must approve it")
		}
		return db.record(ctx, tx, by, audit.RoleRequested, email, m.Agency, string(m.Role))
	})
	return id, err
}

// MembershipRequests lists the requests waiting for a decision, oldest first.
func (db *DB) MembershipRequests(ctx context.Context) ([]identity.MembershipRequest, error) {
	rows, err := db.readQuery(ctx, nil, `SELECT id, email, role, agency, requested_by, requester, requested_at FROM membership_requests ORDER BY requested_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []identity.MembershipRequest
	for rows.Next() {
		var r identity.MembershipRequest
		var role, at string
		if err := rows.Scan(&r.ID, &r.Membership.Email, &role, &r.Membership.Agency, &r.RequestedBy, &r.Requester, &at); err != nil {
			return nil, err
		}
		r.Membership.Role, r.Membership.GrantedBy, r.Membership.GrantedAt = identity.Role(role), r.RequestedBy, parseTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// DecideMembership approves (the membership is granted) or refuses (the
// request is dropped) a request, audited with the decider. The decider may
// be neither the administrator who asked nor the person it is for.
func (db *DB) DecideMembership(ctx context.Context, id string, approve bool, by identity.Principal) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var r identity.MembershipRequest
		var role string
		err := tx.QueryRowContext(ctx, `SELECT email, role, agency, requested_by, requester FROM membership_requests WHERE id = ?`, id).
			Scan(&r.Membership.Email, &role, &r.Membership.Agency, &r.RequestedBy, &r.Requester)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.New(problem.NotFound, "no such request")
		}
		if err != nil {
			return err
		}
		me, received := strings.ToLower(by.Email), strings.ToLower(by.Received)
		switch {
		case r.RequestedBy == by.Subject || (me != "" && me == r.Requester):
			return problem.New(problem.Forbidden, "another administrator must decide a request you made")
		case (me != "" && me == r.Membership.Email) || (received != "" && received == r.Membership.Email):
			return problem.New(problem.Forbidden, "nobody decides their own memberships")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM membership_requests WHERE id = ?`, id); err != nil {
			return err
		}
		if !approve {
			return db.record(ctx, tx, by, audit.MembershipRevoked, r.Membership.Email, r.Membership.Agency, "request_refused:"+role)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (email, role, agency, granted_by, granted_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (email, role, agency) DO NOTHING`,
			r.Membership.Email, role, r.Membership.Agency, r.RequestedBy+" approved by "+by.Subject, timeText(db.Now())); err != nil {
			return err
		}
		return db.record(ctx, tx, by, audit.MembershipGranted, r.Membership.Email, r.Membership.Agency, role)
	})
}

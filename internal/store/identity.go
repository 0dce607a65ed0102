package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
)

// SaveSigninState records a new sign-in attempt.
func (db *DB) SaveSigninState(ctx context.Context, s identity.SigninState) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		// Expired attempts are of no use to anyone; clear them as we go.
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_states WHERE created_at < ?`, timeText(db.Now().Add(-identity.SigninTTL))); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO signin_states (state, nonce, verifier, return_to, browser, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			s.State, s.Nonce, s.Verifier, s.ReturnTo, s.Browser, timeText(s.CreatedAt))
		return err
	})
}

// TakeSigninState returns and deletes the sign-in attempt with that state, so
// that it is used once. An unknown state is NotFound.
func (db *DB) TakeSigninState(ctx context.Context, state string) (identity.SigninState, error) {
	var s identity.SigninState
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var created string
		err := tx.QueryRowContext(ctx, `DELETE FROM signin_states WHERE state = ? RETURNING state, nonce, verifier, return_to, browser, created_at`, state).
			Scan(&s.State, &s.Nonce, &s.Verifier, &s.ReturnTo, &s.Browser, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.New(problem.NotFound, "this sign-in link has expired or was already used")
		}
		s.CreatedAt = parseTime(created)
		return err
	})
	return s, err
}

// HashToken is how a session token is kept: only its SHA-256.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession stores a new session under the hash of token.
func (db *DB) CreateSession(ctx context.Context, token string, s identity.Session) error {
	p := s.Principal
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.record(ctx, tx, p, audit.SignIn, "", "", joinRoles(p.Roles)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, subject, name, email, roles, agency, id_token, auth_time, created_at, last_seen, csrf,
			claim_roles, claim_agency, received)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			HashToken(token), p.Subject, p.Name, p.Email, joinRoles(p.Roles), p.Agency, s.IDToken, p.AuthTime,
			timeText(s.CreatedAt), timeText(s.LastSeen), s.CSRF,
			joinRoles(s.Grant.Roles), strings.Join(s.Grant.Agencies, ","), p.Received)
		return err
	})
}

// TouchSession returns the session for token if it is within both timeouts,
// and records that it was seen now. An expired session is deleted.
func (db *DB) TouchSession(ctx context.Context, token string, idle, absolute time.Duration) (identity.Session, error) {
	var s identity.Session
	now := db.Now()
	ended := false // expired: the delete and its audit entry commit, then the caller is refused
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var roles, created, seen, claimRoles, claimAgencies string
		h := HashToken(token)
		err := tx.QueryRowContext(ctx, `SELECT subject, name, email, roles, agency, id_token, auth_time, created_at, last_seen, csrf,
			claim_roles, claim_agency, received FROM sessions WHERE token_hash = ?`, h).
			Scan(&s.Principal.Subject, &s.Principal.Name, &s.Principal.Email, &roles, &s.Principal.Agency, &s.IDToken, &s.Principal.AuthTime, &created, &seen, &s.CSRF,
				&claimRoles, &claimAgencies, &s.Principal.Received)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.New(problem.Unauthorized, "your session has ended; sign in again")
		}
		if err != nil {
			return err
		}
		s.CreatedAt, s.LastSeen = parseTime(created), parseTime(seen)
		s.Principal.Roles = splitRoles(roles)
		s.Grant.Roles = splitRoles(claimRoles)
		if claimAgencies != "" {
			s.Grant.Agencies = strings.Split(claimAgencies, ",")
		}
		s.Principal.SessionID = h
		if now.Sub(s.LastSeen) > idle || now.Sub(s.CreatedAt) > absolute {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, h); err != nil {
				return err
			}
			ended = true
			return db.record(ctx, tx, s.Principal, audit.SignOut, "", "", "session_expired")
		}
		// Write at most once a minute: a page's assets should not each cost a write.
		if now.Sub(s.LastSeen) > time.Minute {
			s.LastSeen = now
			_, err = tx.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE token_hash = ?`, timeText(now), h)
		}
		return err
	})
	if err == nil && ended {
		return identity.Session{}, problem.New(problem.Unauthorized, "your session has ended; sign in again")
	}
	return s, err
}

// DeleteSession ends the session for token: signing out.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var p identity.Principal
		err := tx.QueryRowContext(ctx, `DELETE FROM sessions WHERE token_hash = ? RETURNING subject, agency`, HashToken(token)).Scan(&p.Subject, &p.Agency)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return db.record(ctx, tx, p, audit.SignOut, "", "", "signed_out")
	})
}

// EndSessions ends every session of one person, by subject or by e-mail
// address (trusted or received), each with an audit entry whose actor is by
// and whose detail is why. It returns how many ended.
func (db *DB) EndSessions(ctx context.Context, who identity.SessionsOf, by identity.Principal, why string) (int, error) {
	n := 0
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		n = 0
		rows, err := tx.QueryContext(ctx, `DELETE FROM sessions WHERE (? <> '' AND subject = ?) OR (? <> '' AND (email = ? OR received = ?)) RETURNING subject`,
			who.Subject, who.Subject, who.Email, who.Email, who.Email)
		if err != nil {
			return err
		}
		var subjects []string
		for rows.Next() {
			var sub string
			if err := rows.Scan(&sub); err != nil {
				rows.Close()
				return err
			}
			subjects = append(subjects, sub)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, sub := range subjects {
			if err := db.record(ctx, tx, by, audit.SignOut, sub, "", why); err != nil {
				return err
			}
		}
		n = len(subjects)
		return nil
	})
	return n, err
}

// Grant adds a membership; granting one that exists changes nothing. The
// grant is audited with who made it.
func (db *DB) Grant(ctx context.Context, m identity.Membership, by identity.Principal) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO memberships (email, role, agency, granted_by, granted_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (email, role, agency) DO NOTHING`,
			strings.ToLower(m.Email), string(m.Role), m.Agency, by.Subject, timeText(db.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return db.record(ctx, tx, by, audit.MembershipGranted, strings.ToLower(m.Email), m.Agency, string(m.Role))
	})
}

// Revoke removes a membership. Revoking one that does not exist is NotFound.
func (db *DB) Revoke(ctx context.Context, email string, role identity.Role, agency string, by identity.Principal) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE email = ? AND role = ? AND agency = ?`, strings.ToLower(email), string(role), agency)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "no such membership")
		}
		return db.record(ctx, tx, by, audit.MembershipRevoked, strings.ToLower(email), agency, string(role))
	})
}

// Memberships lists the memberships of one e-mail address, or of everyone
// when email is empty.
func (db *DB) Memberships(ctx context.Context, email string) ([]identity.Membership, error) {
	rows, err := db.readQuery(ctx, nil, `SELECT email, role, agency, granted_by, granted_at FROM memberships WHERE ? = '' OR email = ? ORDER BY email, role, agency`,
		email, strings.ToLower(email))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []identity.Membership
	for rows.Next() {
		var m identity.Membership
		var role, at string
		if err := rows.Scan(&m.Email, &role, &m.Agency, &m.GrantedBy, &at); err != nil {
			return nil, err
		}
		m.Role, m.GrantedAt = identity.Role(role), parseTime(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

func joinRoles(rs []identity.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func splitRoles(s string) []identity.Role {
	if s == "" {
		return nil
	}
	var out []identity.Role
	for _, r := range strings.Split(s, ",") {
		out = append(out, identity.Role(r))
	}
	return out
}

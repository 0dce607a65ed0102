package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
)

// Links between referrals are matched on keyed fingerprints of the victim's
// and the suspect's normalised name and date of birth (referrals.victim_fp,
// suspect_fp), so no sealed section is opened to find them. A decision is
// stored both ways round, so either referral sees it.

// maxCandidates bounds the suggestions of one referral: a suspect named in
// hundreds of referrals is shown by the most recent.
const maxCandidates = 100

// incidentColumns are the metadata of a referral that a link shows.
const incidentColumns = `o.id, o.reference, o.offence, o.risk_level, o.created_at, o.incidents, o.first_incident, o.last_incident`

func scanIncident(sc interface{ Scan(...any) error }, extra ...any) (referral.Incident, error) {
	var in referral.Incident
	var level, created string
	err := sc.Scan(append([]any{&in.ID, &in.Reference, &in.Offence, &level, &created, &in.Incidents, &in.FirstIncident, &in.LastIncident}, extra...)...)
	in.Risk, in.CreatedAt = risk.Level(level), parseTime(created)
	return in, err
}

// LinkCandidates lists the other referrals that share this one's victim or
// suspect and whose link no officer has decided yet, newest first. One
// referral can appear twice, once for each person it shares.
func (db *DB) LinkCandidates(ctx context.Context, referralID string) ([]referral.Incident, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := referralExists(ctx, tx, referralID); err != nil {
		return nil, err
	}
	// The fingerprint columns are named, not built, so that each half of
	// the union uses its own partial index.
	rows, err := tx.QueryContext(ctx, `SELECT `+incidentColumns+`, 'victim' FROM referrals r JOIN referrals o ON o.victim_fp = r.victim_fp
			WHERE r.id = ? AND r.victim_fp <> '' AND o.victim_fp <> '' AND o.id <> r.id
			AND NOT EXISTS (SELECT 1 FROM referral_links l WHERE l.referral_id = r.id AND l.other_id = o.id AND l.via = 'victim')
		UNION ALL
		SELECT `+incidentColumns+`, 'suspect' FROM referrals r JOIN referrals o ON o.suspect_fp = r.suspect_fp
			WHERE r.id = ? AND r.suspect_fp <> '' AND o.suspect_fp <> '' AND o.id <> r.id
			AND NOT EXISTS (SELECT 1 FROM referral_links l WHERE l.referral_id = r.id AND l.other_id = o.id AND l.via = 'suspect')
		ORDER BY 5 DESC, 1, 9 DESC LIMIT ?`, referralID, referralID, maxCandidates)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []referral.Incident
	for rows.Next() {
		var via string
		in, err := scanIncident(rows, &via)
		if err != nil {
			return nil, err
		}
		in.Via = referral.LinkVia(via)
		out = append(out, in)
	}
	return out, rows.Err()
}

// DecideLink records an officer's decision on a suggested link: confirmed,
// the two referrals are shown together from then on; rejected, the
// suggestion is not made again. A later decision on the same pair replaces
// the earlier one. The two referrals must share the person named by via;
// the decision goes on both timelines and in the audit log.
func (db *DB) DecideLink(ctx context.Context, referralID, otherID string, via referral.LinkVia, confirm bool, actor identity.Principal) error {
	if _, err := referral.ParseLinkVia(string(via)); err != nil {
		return problem.Invalidf("via", "via must be victim or suspect")
	}
	status := referral.LinkRejected
	if confirm {
		status = referral.LinkConfirmed
	}
	now := db.Now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := referralExists(ctx, tx, referralID); err != nil {
			return err
		}
		return db.decideLink(ctx, tx, referralID, otherID, via, status, actor, now)
	})
}

// decideLink records a decision on a link in the caller's transaction:
// both directions, both timelines, the audit log.
func (db *DB) decideLink(ctx context.Context, tx *sql.Tx, referralID, otherID string, via referral.LinkVia, status referral.LinkStatus, actor identity.Principal, now time.Time) error {
	ref, otherRef, err := sharedPerson(ctx, tx, referralID, otherID, via)
	if err != nil {
		return err
	}
	for _, pair := range [2][2]string{{referralID, otherID}, {otherID, referralID}} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_links (referral_id, other_id, via, status, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (referral_id, other_id, via) DO UPDATE SET status = excluded.status, decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
			pair[0], pair[1], string(via), string(status), actor.Subject, timeText(now)); err != nil {
			return err
		}
	}
	if err := db.recount(ctx, tx, referralID, otherID); err != nil {
		return err
	}
	kind := "link_" + string(status)
	if err := db.addEvent(ctx, tx, referralID, now, actor, "", kind, otherRef+" via "+string(via)); err != nil {
		return err
	}
	if err := db.addEvent(ctx, tx, otherID, now, actor, "", kind, ref+" via "+string(via)); err != nil {
		return err
	}
	return db.record(ctx, tx, actor, audit.LinkDecided, referralID, "", string(status)+" "+string(via)+" "+otherID)
}

// sharedPerson checks that two distinct referrals share the person via
// names and returns their references. Anything else is an invalid other:
// the caller may only decide links the hub could have suggested.
func sharedPerson(ctx context.Context, tx *sql.Tx, referralID, otherID string, via referral.LinkVia) (string, string, error) {
	col := "victim_fp"
	if via == referral.ViaSuspect {
		col = "suspect_fp"
	}
	var ref, otherRef string
	err := tx.QueryRowContext(ctx, `SELECT r.reference, o.reference FROM referrals r JOIN referrals o ON o.`+col+` = r.`+col+`
		WHERE r.id = ? AND o.id = ? AND r.id <> o.id AND r.`+col+` <> ''`, referralID, otherID).Scan(&ref, &otherRef)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", problem.Invalidf("other", "other is not a referral that shares this referral's %s", via)
	}
	return ref, otherRef, err
}

// LinkedView is the pattern of every referral linked to this one by
// confirmed links, followed transitively (a link of a link is linked), with
// this referral among them. A referral with no links is a pattern of one.
func (db *DB) LinkedView(ctx context.Context, referralID string) (referral.Pattern, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return referral.Pattern{}, err
	}
	defer tx.Rollback()
	if err := referralExists(ctx, tx, referralID); err != nil {
		return referral.Pattern{}, err
	}
	// UNION (not UNION ALL) drops rows already reached, so cycles end.
	rows, err := tx.QueryContext(ctx, `WITH RECURSIVE linked (id) AS (
			SELECT id FROM referrals WHERE id = ?
			UNION
			SELECT l.other_id FROM referral_links l JOIN linked ON l.referral_id = linked.id WHERE l.status = 'confirmed'
		)
		SELECT `+incidentColumns+`, COALESCE((SELECT `+db.groupConcat("d.via", ",")+` FROM referral_links d
			WHERE d.referral_id = ? AND d.other_id = o.id AND d.status = 'confirmed'), '')
		FROM linked JOIN referrals o ON o.id = linked.id`, referralID, referralID)
	if err != nil {
		return referral.Pattern{}, err
	}
	defer rows.Close()
	var in []referral.Incident
	for rows.Next() {
		var via string
		r, err := scanIncident(rows, &via)
		if err != nil {
			return referral.Pattern{}, err
		}
		r.Via = directVia(via)
		in = append(in, r)
	}
	if err := rows.Err(); err != nil {
		return referral.Pattern{}, err
	}
	return referral.PatternOf(in), nil
}

// directVia names the direct link to a referral; a link through both the
// victim and the suspect is named by the victim.
func directVia(list string) referral.LinkVia {
	switch {
	case list == "":
		return ""
	case list == string(referral.ViaSuspect):
		return referral.ViaSuspect
	}
	return referral.ViaVictim
}

// RepeatVictim reports whether this referral's victim was the victim of
// another referral raised in the twelve months up to this one, whether or
// not an officer has linked the two. The referrals_repeat trigger
// (migration 0008) works it out when a referral is written.
func (db *DB) RepeatVictim(ctx context.Context, referralID string) (bool, error) {
	var repeat bool
	err := db.r.QueryRowContext(ctx, `SELECT repeat_victim FROM referrals WHERE id = ?`, referralID).Scan(&repeat)
	if errors.Is(err, sql.ErrNoRows) {
		return false, referral.NotFound()
	}
	return repeat, err
}

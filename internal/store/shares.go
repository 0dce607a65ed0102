package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
)

// ChangeShareStatus moves a share along its lifecycle in one transaction: the
// move must be allowed (Conflict), the version must match If-Match (Stale),
// and the change goes on the timeline. It returns the share as it now is.
func (db *DB) ChangeShareStatus(ctx context.Context, c referral.StatusChange) (referral.Share, error) {
	var out referral.Share
	now := db.Now().UTC()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		s, err := db.shareTx(ctx, tx, c.ReferralID, c.Agency)
		if err != nil {
			return err
		}
		if c.IfMatch != 0 && c.IfMatch != s.Version {
			return problem.New(problem.Stale, "the referral changed since you loaded it; reload and try again")
		}
		a := referral.Answer{To: c.To, Reason: c.Reason, ReasonCode: c.ReasonCode, Outcome: c.Outcome, OutcomeCode: c.OutcomeCode}
		if perr := referral.Transition(s.Status, a); perr != nil {
			return perr
		}
		ctxText := c.ReferralID + "/share/" + c.Agency + "/"
		rk, reason, err := db.sealText(c.Reason, ctxText+"reason")
		if err != nil {
			return err
		}
		ok, outcome, err := db.sealText(c.Outcome, ctxText+"outcome")
		if err != nil {
			return err
		}
		t := timeText(now)
		_, err = tx.ExecContext(ctx, `UPDATE shares SET status = ?, version = version + 1,
			reason_key = CASE WHEN ? = 'declined' THEN ? ELSE reason_key END, reason = CASE WHEN ? = 'declined' THEN ? ELSE reason END,
			decline_code = CASE WHEN ? = 'declined' THEN ? ELSE decline_code END,
			outcome_key = CASE WHEN ? = 'closed' THEN ? ELSE outcome_key END, outcome = CASE WHEN ? = 'closed' THEN ? ELSE outcome END,
			outcome_code = CASE WHEN ? = 'closed' THEN ? ELSE outcome_code END,
			viewed_at = CASE WHEN viewed_at = '' THEN ? ELSE viewed_at END,
			answered_at = CASE WHEN answered_at = '' AND ? IN ('accepted', 'declined') THEN ? ELSE answered_at END,
			accepted_at = CASE WHEN ? = 'accepted' THEN ? ELSE accepted_at END,
			closed_at = CASE WHEN ? = 'closed' THEN ? ELSE closed_at END
			WHERE id = ?`,
			string(c.To), c.To, rk, c.To, reason, c.To, c.ReasonCode, c.To, ok, c.To, outcome, c.To, c.OutcomeCode, t, c.To, t, c.To, t, c.To, t, s.ID)
		if err != nil {
			return err
		}
		if err := db.recount(ctx, tx, c.ReferralID); err != nil {
			return err
		}
		if err := touchReferral(ctx, tx, c.ReferralID, now); err != nil {
			return err
		}
		// The timeline names the kind of reason or outcome: a code, not the words.
		code := c.ReasonCode
		if c.To == referral.Closed {
			code = c.OutcomeCode
		}
		if err := db.addEvent(ctx, tx, c.ReferralID, now, c.Actor, c.Agency, "share_"+string(c.To), code); err != nil {
			return err
		}
		if err := db.record(ctx, tx, c.Actor, audit.ShareStatusChanged, c.ReferralID, c.Agency, string(c.To)); err != nil {
			return err
		}
		ref, err := referenceOf(ctx, tx, c.ReferralID)
		if err != nil {
			return err
		}
		if err := db.notice(ctx, tx, notify.StatusChanged, agency.Police, c.ReferralID, ref); err != nil {
			return err
		}
		if err := db.partnerEvent(ctx, tx, partner.ShareStatusChanged, c.Agency, c.ReferralID, ref, string(c.To)); err != nil {
			return err
		}
		out, err = db.shareTx(ctx, tx, c.ReferralID, c.Agency)
		return err
	})
	return out, err
}

// MarkViewed records the first time an agency opens its share; later opens change nothing.
func (db *DB) MarkViewed(ctx context.Context, referralID, agencyID string, actor identity.Principal) error {
	now := db.Now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE shares SET status = 'viewed', viewed_at = ?, version = version + 1
			WHERE referral_id = ? AND agency = ? AND status = 'sent'`, timeText(now), referralID, agencyID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			if err := db.recount(ctx, tx, referralID); err != nil {
				return err
			}
			if err := db.addEvent(ctx, tx, referralID, now, actor, agencyID, "share_viewed", ""); err != nil {
				return err
			}
			ref, err := referenceOf(ctx, tx, referralID)
			if err != nil {
				return err
			}
			if err := db.partnerEvent(ctx, tx, partner.ShareStatusChanged, agencyID, referralID, ref, string(referral.Viewed)); err != nil {
				return err
			}
			return db.record(ctx, tx, actor, audit.ShareStatusChanged, referralID, agencyID, string(referral.Viewed))
		}
		return nil
	})
}

func (db *DB) shareTx(ctx context.Context, tx *sql.Tx, referralID, agencyID string) (referral.Share, error) {
	s, _, err := db.scanShare(tx.QueryRowContext(ctx, `SELECT `+shareColumns+` FROM shares WHERE referral_id = ? AND agency = ?`, referralID, agencyID))
	if errors.Is(err, sql.ErrNoRows) {
		return s, referral.NotFound()
	}
	return s, err
}

func touchReferral(ctx context.Context, tx *sql.Tx, id string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE referrals SET updated_at = ?, version = version + 1 WHERE id = ?`, timeText(now), id)
	return err
}

// AddMessage adds a message to the thread of one agency's share.
func (db *DB) AddMessage(ctx context.Context, referralID, agencyID string, m referral.Message, actor identity.Principal) error {
	now := db.Now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		s, err := db.shareTx(ctx, tx, referralID, agencyID)
		if err != nil {
			return err
		}
		if s.Status == referral.Withdrawn {
			return problem.New(problem.Conflict, "The referral was withdrawn from this agency; its thread is closed")
		}
		id := newID("m-")
		body, err := db.sealFree(m.Body, referralID+"/message/"+id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO share_messages (id, share_id, author, author_name, author_side, key_id, body, category, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, s.ID, actor.Subject, actor.Name, m.AuthorSide, body.keyID, body.sealed, body.category, timeText(now)); err != nil {
			return err
		}
		if err := db.addEvent(ctx, tx, referralID, now, actor, agencyID, "message", "from "+m.AuthorSide); err != nil {
			return err
		}
		ref, err := referenceOf(ctx, tx, referralID)
		if err != nil {
			return err
		}
		// A message goes to the other side of the thread. An agency's
		// message waits for the police's attention until they read it.
		to, kind := agencyID, notify.NewMessage
		if m.AuthorSide != agency.Police {
			to, kind = agency.Police, notify.AgencyMessage
			if _, err := tx.ExecContext(ctx, `UPDATE shares SET police_unread = 1 WHERE id = ?`, s.ID); err != nil {
				return err
			}
		}
		if err := db.partnerEvent(ctx, tx, partner.MessageCreated, to, referralID, ref, ""); err != nil {
			return err
		}
		return db.notice(ctx, tx, kind, to, referralID, ref)
	})
}

// Messages lists the threads of a referral's shares, oldest first; with an
// agency, only that agency's thread.
func (db *DB) Messages(ctx context.Context, referralID, agencyID string) ([]referral.Message, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT m.id, s.agency, m.author, m.author_name, m.author_side, m.key_id, m.body, m.category, m.created_at
		FROM share_messages m JOIN shares s ON s.id = m.share_id
		WHERE s.referral_id = ? AND (? = '' OR s.agency = ?) ORDER BY m.created_at, m.id`, referralID, agencyID, agencyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []referral.Message
	for rows.Next() {
		var m referral.Message
		var at string
		var body freeText
		if err := rows.Scan(&m.ID, &m.Agency, &m.Author, &m.AuthorName, &m.AuthorSide, &body.keyID, &body.sealed, &body.category, &at); err != nil {
			return nil, err
		}
		body.author = m.AuthorSide
		if m.Body, err = db.openFree(referralID, body, referralID+"/message/"+m.ID); err != nil {
			return nil, err
		}
		m.CreatedAt = parseTime(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// Events is the timeline of a referral, oldest first; with an agency, only
// what concerns that agency and the referral as a whole.
func (db *DB) Events(ctx context.Context, referralID, agencyID string) ([]referral.Event, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT at, actor, actor_name, agency, kind, detail FROM referral_events
		WHERE referral_id = ? AND (? = '' OR agency = '' OR agency = ?) ORDER BY at, id`, referralID, agencyID, agencyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []referral.Event
	for rows.Next() {
		var e referral.Event
		var at string
		if err := rows.Scan(&at, &e.Actor, &e.ActorName, &e.Agency, &e.Kind, &e.Detail); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddConsent appends a consent record to a referral's history.
func (db *DB) AddConsent(ctx context.Context, referralID string, c consent.Consent, actor identity.Principal) (consent.Consent, error) {
	now := db.Now().UTC()
	c.ID, c.RecordedBy, c.RecordedAt = newID("c-"), actor.Subject, now
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := referralExists(ctx, tx, referralID); err != nil {
			return err
		}
		// The agencies that relied on consent are those the record in force
		// until now gave it to.
		var relied []string
		if c.Decision == consent.Withdrawn {
			var decision, agencies string
			err := tx.QueryRowContext(ctx, `SELECT decision, agencies FROM consents WHERE referral_id = ? ORDER BY seq DESC LIMIT 1`, referralID).Scan(&decision, &agencies)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if consent.Decision(decision) == consent.Given {
				relied = splitList(agencies)
			}
		}
		if err := db.insertConsent(ctx, tx, referralID, c); err != nil {
			return err
		}
		if err := db.recount(ctx, tx, referralID); err != nil {
			return err
		}
		if err := touchReferral(ctx, tx, referralID, now); err != nil {
			return err
		}
		if err := db.addEvent(ctx, tx, referralID, now, actor, "", "consent_"+string(c.Decision), ""); err != nil {
			return err
		}
		if c.Decision == consent.Withdrawn {
			ref, err := referenceOf(ctx, tx, referralID)
			if err != nil {
				return err
			}
			if err := db.partnerEventToShares(ctx, tx, partner.ConsentWithdrawn, referralID, ref); err != nil {
				return err
			}
			if err := db.noticeRelying(ctx, tx, referralID, ref, relied); err != nil {
				return err
			}
		}
		return db.record(ctx, tx, actor, audit.ConsentRecorded, referralID, "", string(c.Decision))
	})
	return c, err
}

func referralExists(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM referrals WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return referral.NotFound()
	}
	return err
}

// RequestOverride records an officer's request to share without consent.
func (db *DB) RequestOverride(ctx context.Context, referralID string, o consent.Override, actor identity.Principal) (consent.Override, error) {
	now := db.Now().UTC()
	o.ID, o.RequestedBy, o.RequestedAt, o.Status = newID("o-"), actor.Subject, now, consent.OverridePending
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := referralExists(ctx, tx, referralID); err != nil {
			return err
		}
		rat, err := db.sealFree(o.Rationale, referralID+"/override/"+o.ID+"/rationale")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO overrides (id, referral_id, basis, rationale_key, rationale, rationale_category, agencies, categories, until, requested_by, requested_at, status)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.ID, referralID, o.Basis, rat.keyID, rat.sealed, rat.category, joinList(o.Agencies), int64(o.Categories), dateText(o.Until),
			o.RequestedBy, timeText(now), string(o.Status)); err != nil {
			return err
		}
		if err := db.addEvent(ctx, tx, referralID, now, actor, "", "override_requested", o.Basis); err != nil {
			return err
		}
		// The force's mailbox: its supervisors decide.
		ref, err := referenceOf(ctx, tx, referralID)
		if err != nil {
			return err
		}
		if err := db.notice(ctx, tx, notify.OverrideRequested, agency.Police, referralID, ref); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, audit.Entry{Time: now, Actor: actor.Subject, ActorAgency: actor.Agency, Action: audit.OverrideRequested,
			Record: referralID, Agency: joinList(o.Agencies), Basis: o.Basis, Detail: o.ID, RequestID: audit.RequestIDFrom(ctx)})
	})
	return o, err
}

// Override loads one request to share without consent, with its referral id.
func (db *DB) Override(ctx context.Context, id string) (consent.Override, string, error) {
	var refID string
	if err := db.r.QueryRowContext(ctx, `SELECT referral_id FROM overrides WHERE id = ?`, id).Scan(&refID); errors.Is(err, sql.ErrNoRows) {
		return consent.Override{}, "", problem.New(problem.NotFound, "Request not found")
	} else if err != nil {
		return consent.Override{}, "", err
	}
	os, err := db.loadOverrides(ctx, db.r, `WHERE id = ?`, id)
	if err != nil || len(os) == 0 {
		return consent.Override{}, "", err
	}
	return os[0], refID, nil
}

// DecideOverride stores a supervisor's decision, made by decide from the
// request as it stands inside the transaction, so two supervisors cannot
// both decide the same request.
func (db *DB) DecideOverride(ctx context.Context, id string, decide func(consent.Override) (consent.Override, error), actor identity.Principal) (consent.Override, error) {
	var out consent.Override
	now := db.Now().UTC()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var refID string
		if err := tx.QueryRowContext(ctx, `SELECT referral_id FROM overrides WHERE id = ?`, id).Scan(&refID); errors.Is(err, sql.ErrNoRows) {
			return problem.New(problem.NotFound, "Request not found")
		} else if err != nil {
			return err
		}
		os, err := db.loadOverrides(ctx, tx, `WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if out, err = decide(os[0]); err != nil {
			return err
		}
		nk, note, err := db.sealText(out.Note, refID+"/override/"+id+"/note")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE overrides SET status = ?, decided_by = ?, decided_at = ?, note_key = ?, note = ? WHERE id = ? AND status = 'pending'`,
			string(out.Status), out.DecidedBy, timeText(out.DecidedAt), nk, note, id); err != nil {
			return err
		}
		if err := touchReferral(ctx, tx, refID, now); err != nil {
			return err
		}
		if err := db.addEvent(ctx, tx, refID, now, actor, "", "override_"+string(out.Status), out.Basis); err != nil {
			return err
		}
		ref, err := referenceOf(ctx, tx, refID)
		if err != nil {
			return err
		}
		if err := db.notice(ctx, tx, notify.OverrideDecided, agency.Police, refID, ref); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, audit.Entry{Time: now, Actor: actor.Subject, ActorAgency: actor.Agency, Action: audit.OverrideDecided,
			Record: refID, Agency: joinList(out.Agencies), Basis: out.Basis, Detail: string(out.Status) + " " + id, RequestID: audit.RequestIDFrom(ctx)})
	})
	return out, err
}

func joinList(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

// ETag is the entity tag of a version.
func ETag(version int) string { return `"` + strconv.Itoa(version) + `"` }

package store

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/problem"
)

// partnerEvent records an event for the agency it concerns in the caller's
// transaction, and a delivery for each of that agency's webhooks that wants
// it, so that an event exists exactly when its change was committed.
func (db *DB) partnerEvent(ctx context.Context, tx *sql.Tx, t partner.Type, agencyID, referralID, reference, status string) error {
	now := timeText(db.Now())
	var cursor int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO partner_events (event_id, type, agency, referral_id, reference, status, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		newID("msg_"), string(t), agencyID, referralID, reference, status, now).Scan(&cursor); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (webhook_id, event_id, created_at, next_attempt_at)
		SELECT id, ?, ?, ? FROM webhooks WHERE agency = ? AND ',' || events || ',' LIKE ?`,
		cursor, now, now, agencyID, "%,"+string(t)+",%")
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 && db.notices != nil && db.notices.PartnerEvent != nil {
		db.notices.PartnerEvent()
	}
	return nil
}

// partnerEventToShares records an event for every agency the referral was sent to.
func (db *DB) partnerEventToShares(ctx context.Context, tx *sql.Tx, t partner.Type, referralID, reference string) error {
	agencies, err := shareAgencies(ctx, tx, referralID, "1 = 1")
	if err != nil {
		return err
	}
	for _, a := range agencies {
		if err := db.partnerEvent(ctx, tx, t, a, referralID, reference, ""); err != nil {
			return err
		}
	}
	return nil
}

// PartnerEvents is a page of the events for one agency after the cursor,
// oldest first, at most limit of them.
func (db *DB) PartnerEvents(ctx context.Context, agencyID string, after int64, limit int) ([]partner.Event, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, event_id, type, agency, referral_id, reference, status, at FROM partner_events
		WHERE agency = ? AND id > ? ORDER BY id LIMIT ?`, agencyID, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []partner.Event{}
	for rows.Next() {
		e, err := scanPartnerEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func scanPartnerEvent(rows *sql.Rows) (partner.Event, error) {
	var e partner.Event
	var t, at string
	if err := rows.Scan(&e.Cursor, &e.ID, &t, &e.Agency, &e.Referral, &e.Reference, &e.Status, &at); err != nil {
		return e, err
	}
	e.Type, e.At = partner.Type(t), parseTime(at)
	return e, nil
}

// webhookSecretContext binds a webhook's sealed secret to its row.
func webhookSecretContext(id string) string { return "webhook/" + id + "/secret" }

// CreateWebhook registers a partner agency's endpoint with its signing
// secret, sealed, and audits the registration.
func (db *DB) CreateWebhook(ctx context.Context, w partner.Webhook, secret string, by identity.Principal) (partner.Webhook, error) {
	now := db.Now().UTC()
	w.ID, w.CreatedBy, w.CreatedAt = newID("wh_"), by.Subject, now
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		kid, sealed, err := db.sealText(secret, webhookSecretContext(w.ID))
		if err != nil {
			return err
		}
		if kid == "" {
			return errors.New("webhook: empty secret")
		}
		events := make([]string, len(w.Events))
		for i, t := range w.Events {
			events[i] = string(t)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhooks (id, agency, url, events, secret_key, secret, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			w.ID, w.Agency, w.URL, strings.Join(events, ","), kid, sealed, w.CreatedBy, timeText(now)); err != nil {
			return err
		}
		return db.record(ctx, tx, by, audit.WebhookRegistered, w.ID, w.Agency, strings.Join(events, ","))
	})
	return w, err
}

// DeleteWebhook removes a webhook and its deliveries, and audits it.
func (db *DB) DeleteWebhook(ctx context.Context, id string, by identity.Principal) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var agencyID string
		if err := tx.QueryRowContext(ctx, `DELETE FROM webhooks WHERE id = ? RETURNING agency`, id).Scan(&agencyID); errors.Is(err, sql.ErrNoRows) {
			return problem.New(problem.NotFound, "Webhook not found")
		} else if err != nil {
			return err
		}
		return db.record(ctx, tx, by, audit.WebhookRemoved, id, agencyID, "")
	})
}

// ResumeWebhook lifts a pause: deliveries it held, and those the hub gave up
// on, are tried again now.
func (db *DB) ResumeWebhook(ctx context.Context, id string, by identity.Principal) error {
	now := timeText(db.Now())
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var agencyID string
		if err := tx.QueryRowContext(ctx, `UPDATE webhooks SET paused_at = NULL, pause_reason = '' WHERE id = ? RETURNING agency`, id).Scan(&agencyID); errors.Is(err, sql.ErrNoRows) {
			return problem.New(problem.NotFound, "Webhook not found")
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET failed_at = NULL, next_attempt_at = ?, created_at = ?
			WHERE webhook_id = ? AND delivered_at IS NULL`, now, now, id); err != nil {
			return err
		}
		return db.record(ctx, tx, by, audit.WebhookResumed, id, agencyID, "")
	})
}

// Webhooks lists the registered webhooks, by agency then age, with counts of
// their deliveries by state and the last failure. Secrets are not read.
func (db *DB) Webhooks(ctx context.Context) ([]partner.Webhook, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT w.id, w.agency, w.url, w.events, w.created_by, w.created_at, w.paused_at, w.pause_reason,
		COALESCE(SUM(CASE WHEN d.id IS NOT NULL AND d.delivered_at IS NULL AND d.failed_at IS NULL THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN d.delivered_at IS NOT NULL THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN d.failed_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE((SELECT last_error FROM webhook_deliveries l WHERE l.webhook_id = w.id AND l.last_error <> '' ORDER BY l.id DESC LIMIT 1), '')
		FROM webhooks w LEFT JOIN webhook_deliveries d ON d.webhook_id = w.id
		GROUP BY w.id ORDER BY w.agency, w.created_at, w.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []partner.Webhook{}
	for rows.Next() {
		var w partner.Webhook
		var events, created string
		var paused sql.NullString
		if err := rows.Scan(&w.ID, &w.Agency, &w.URL, &events, &w.CreatedBy, &created, &paused, &w.PauseReason,
			&w.Pending, &w.Delivered, &w.Failed, &w.LastError); err != nil {
			return nil, err
		}
		for _, e := range splitList(events) {
			w.Events = append(w.Events, partner.Type(e))
		}
		w.CreatedAt, w.PausedAt = parseTime(created), optionalTime(paused)
		out = append(out, w)
	}
	return out, rows.Err()
}

const deliveryColumns = `d.id, d.attempts, d.created_at, d.next_attempt_at, d.leased_until, d.delivered_at, d.failed_at, d.last_status, d.last_error, d.webhook_id, w.url,
	e.id, e.event_id, e.type, e.agency, e.referral_id, e.reference, e.status, e.at`

// WebhookDeliveries lists a webhook's latest deliveries, newest first, for
// the administrator's page.
func (db *DB) WebhookDeliveries(ctx context.Context, webhookID string, limit int) ([]partner.Delivery, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
		JOIN partner_events e ON e.id = d.event_id WHERE d.webhook_id = ? ORDER BY d.id DESC LIMIT ?`, webhookID, limit)
	if err != nil {
		return nil, err
	}
	return scanDeliveries(rows)
}

func scanDeliveries(rows *sql.Rows) ([]partner.Delivery, error) {
	defer rows.Close()
	var out []partner.Delivery
	for rows.Next() {
		var d partner.Delivery
		var created, next string
		var leased, delivered, failed sql.NullString
		var t, at string
		if err := rows.Scan(&d.ID, &d.Attempts, &created, &next, &leased, &delivered, &failed, &d.LastStatus, &d.LastError, &d.WebhookID, &d.URL,
			&d.Event.Cursor, &d.Event.ID, &t, &d.Event.Agency, &d.Event.Referral, &d.Event.Reference, &d.Event.Status, &at); err != nil {
			return nil, err
		}
		d.CreatedAt, d.NextAttemptAt = parseTime(created), parseTime(next)
		d.LeasedUntil, d.DeliveredAt, d.FailedAt = optionalTime(leased), optionalTime(delivered), optionalTime(failed)
		d.Event.Type, d.Event.At = partner.Type(t), parseTime(at)
		out = append(out, d)
	}
	return out, rows.Err()
}

// ClaimDeliveries leases up to limit due deliveries of webhooks that are not
// paused, counts an attempt on each, and returns them, oldest first, with the
// webhook's URL and opened secret. Claim and lease are one write
// transaction; on PostgreSQL it locks the rows it claims, skipping those
// another replica is claiming, without waiting for the write lock.
func (db *DB) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]partner.Delivery, error) {
	var out []partner.Delivery
	err := db.claimTx(ctx, func(tx *sql.Tx) error {
		claimed, err := tx.QueryContext(ctx, `UPDATE webhook_deliveries SET leased_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
				WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= ?
				AND (d.leased_until IS NULL OR d.leased_until <= ?) AND w.paused_at IS NULL
				ORDER BY d.next_attempt_at, d.id LIMIT ?`+db.skipLocked("d")+`)
			RETURNING id`,
			timeText(now.Add(lease)), timeText(now), timeText(now), limit)
		if err != nil {
			return err
		}
		var ids []any
		for claimed.Next() {
			var id int64
			if err := claimed.Scan(&id); err != nil {
				claimed.Close()
				return err
			}
			ids = append(ids, id)
		}
		claimed.Close()
		if err := claimed.Err(); err != nil || len(ids) == 0 {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+deliveryColumns+`, w.secret_key, w.secret FROM webhook_deliveries d
			JOIN webhooks w ON w.id = d.webhook_id JOIN partner_events e ON e.id = d.event_id
			WHERE d.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY d.id`, ids...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d partner.Delivery
			var created, next string
			var leased, delivered, failed sql.NullString
			var t, at, kid string
			var sealed []byte
			if err := rows.Scan(&d.ID, &d.Attempts, &created, &next, &leased, &delivered, &failed, &d.LastStatus, &d.LastError, &d.WebhookID, &d.URL,
				&d.Event.Cursor, &d.Event.ID, &t, &d.Event.Agency, &d.Event.Referral, &d.Event.Reference, &d.Event.Status, &at, &kid, &sealed); err != nil {
				return err
			}
			d.CreatedAt, d.NextAttemptAt = parseTime(created), parseTime(next)
			d.LeasedUntil = optionalTime(leased)
			d.Event.Type, d.Event.At = partner.Type(t), parseTime(at)
			if d.Secret, err = db.openText(kid, sealed, webhookSecretContext(d.WebhookID)); err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

// DeliveryDone records that the receiver answered 2xx, and ends the lease.
func (db *DB) DeliveryDone(ctx context.Context, id int64, now time.Time, status int) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET delivered_at = ?, failed_at = NULL, leased_until = NULL, last_status = ?
			WHERE id = ? AND delivered_at IS NULL`, timeText(now), status, id)
		return err
	})
}

// DeliveryFailed records a failed attempt and schedules the next; when the
// hub gives up it marks the delivery failed and pauses its webhook in the
// same transaction, for the administrator to see and resume.
func (db *DB) DeliveryFailed(ctx context.Context, id int64, now time.Time, f partner.Failure) error {
	if len(f.Error) > lastErrorMax {
		f.Error = strings.ToValidUTF8(f.Error[:lastErrorMax], "")
	}
	var failedAt any
	if f.GiveUp {
		failedAt = timeText(now)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var webhookID string
		err := tx.QueryRowContext(ctx, `UPDATE webhook_deliveries SET last_status = ?, last_error = ?, leased_until = NULL, next_attempt_at = ?, failed_at = ?
			WHERE id = ? AND delivered_at IS NULL AND failed_at IS NULL RETURNING webhook_id`,
			f.Status, f.Error, timeText(f.Next), failedAt, id).Scan(&webhookID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // delivered or given up meanwhile
		}
		if err != nil || !f.GiveUp {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE webhooks SET paused_at = ?, pause_reason = ? WHERE id = ? AND paused_at IS NULL`, timeText(now), f.Pause, webhookID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 || db.notices == nil {
			return nil
		}
		var reference string
		if err := tx.QueryRowContext(ctx, `SELECT e.reference FROM webhook_deliveries d JOIN partner_events e ON e.id = d.event_id WHERE d.id = ?`, id).Scan(&reference); err != nil {
			return err
		}
		link := strings.TrimSuffix(db.notices.BaseURL, "/") + "/admin/webhooks"
		for _, to := range db.notices.WebhookAlerts {
			if err := db.enqueue(ctx, tx, notify.Message{Kind: notify.WebhookPaused, To: to, Reference: reference, Link: link}); err != nil {
				return err
			}
		}
		return nil
	})
}

// ShareLocation finds a share by its id: the referral it belongs to and the
// agency it was sent to. An unknown id is NotFound.
func (db *DB) ShareLocation(ctx context.Context, shareID string) (referralID, agencyID string, err error) {
	err = db.r.QueryRowContext(ctx, `SELECT referral_id, agency FROM shares WHERE id = ?`, shareID).Scan(&referralID, &agencyID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", problem.New(problem.NotFound, "Not found")
	}
	return referralID, agencyID, err
}

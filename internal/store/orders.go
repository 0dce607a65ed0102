package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/justice"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	sealedpkg "github.com/stalking-hub/hub/internal/sharing/sealed"
)

// orderDetail is what an order says, sealed as one value.
type orderDetail struct {
	Conditions string `json:"conditions"`
	Court      string `json:"court,omitempty"`
	Reference  string `json:"reference,omitempty"`
}

func orderContext(referralID, orderID string) string { return referralID + "/order/" + orderID }

// orderChangeJSON is one entry of an order's history as the orders section
// and the API hold it, its reason opened.
type orderChangeJSON struct {
	Change string    `json:"change"`
	At     time.Time `json:"at"`
	EndsOn string    `json:"ends_on,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// storedOrder is an order as the store reads it: the domain order, its
// conditions sealed, and the conditions in plain for the orders section,
// which the store builds and seals itself (as it does every section).
type storedOrder struct {
	order      justice.Order
	conditions string
}

// storedChange is one entry of an order's history, with its reason in
// plain for the orders section.
type storedChange struct {
	change justice.OrderChange
	reason string
}

// filedUnder refuses free text written about another referral than the
// one the store files it under; text naming no referral takes that one.
func filedUnder(t sealedpkg.Text, referralID string) error {
	if t.Referral() != "" && t.Referral() != referralID {
		return errors.New("free text about another referral")
	}
	return nil
}

// OrderNotFound is the error for an order that does not exist.
func OrderNotFound() *problem.Error { return problem.New(problem.NotFound, "Order not found") }

// AddOrder records an order or bail that protects the victim of a referral.
func (db *DB) AddOrder(ctx context.Context, o justice.Order, actor identity.Principal) (justice.Order, error) {
	now := db.Now().UTC()
	o.ID, o.Version = newID("o-"), 1
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := referralExists(ctx, tx, o.ReferralID); err != nil {
			return err
		}
		if err := filedUnder(o.Conditions, o.ReferralID); err != nil {
			return err
		}
		kid, sealed, err := db.sealOrder(&o)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id, referral_id, kind, detail_key, detail, starts_on, ends_on, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.ID, o.ReferralID, o.Kind, kid, sealed, dateText(o.StartsOn), dateText(o.EndsOn), actor.Subject, timeText(now), timeText(now)); err != nil {
			return err
		}
		if err := db.addOrderChange(ctx, tx, o, "granted", sealedpkg.Text{}, actor, now); err != nil {
			return err
		}
		return db.orderTouched(ctx, tx, o.ReferralID, actor, now, "order_recorded", o.Kind, audit.OrderRecorded)
	})
	return o, err
}

// sealOrder seals what the order says as one value for its row, and files
// its conditions under the order's referral. The conditions sit in that
// value beside the court, so the store takes them in plain (plainOf).
func (db *DB) sealOrder(o *justice.Order) (string, []byte, error) {
	if err := filedUnder(o.Conditions, o.ReferralID); err != nil {
		return "", nil, err
	}
	ctx := orderContext(o.ReferralID, o.ID)
	conditions, err := db.plainOf(o.Conditions, ctx)
	if err != nil {
		return "", nil, err
	}
	o.Conditions = justice.Conditions(o.ReferralID, conditions)
	b, err := json.Marshal(orderDetail{Conditions: conditions, Court: o.Court, Reference: o.Reference})
	if err != nil {
		return "", nil, err
	}
	if db.keys == nil {
		return "", nil, errors.New("no sealing keys")
	}
	return db.keys.Seal(b, ctx)
}

func (db *DB) addOrderChange(ctx context.Context, tx *sql.Tx, o justice.Order, change string, reason sealedpkg.Text, actor identity.Principal, now time.Time) error {
	if err := filedUnder(reason, o.ReferralID); err != nil {
		return err
	}
	kid, sealed, err := reason.SealWith(db.keys, orderContext(o.ReferralID, o.ID)+"/"+change+"/"+timeText(now))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO order_changes (order_id, change, at, actor, ends_on, reason_key, reason) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		o.ID, change, timeText(now), actor.Subject, dateText(o.EndsOn), kid, sealed)
	return err
}

// orderTouched puts a change of a referral's orders on its timeline and in
// the audit log, moves the referral's version on, and sends order.changed
// to each receiving agency still in the referral (status: what changed,
// such as recorded, varied or breached).
func (db *DB) orderTouched(ctx context.Context, tx *sql.Tx, referralID string, actor identity.Principal, now time.Time, kind, detail string, action audit.Action) error {
	if err := db.justiceTouched(ctx, tx, referralID, "", actor, now, kind, detail, action); err != nil {
		return err
	}
	return db.orderEvents(ctx, tx, referralID, strings.TrimPrefix(kind, "order_"))
}

// orderEvents records order.changed for the agencies whose share has not ended.
func (db *DB) orderEvents(ctx context.Context, tx *sql.Tx, referralID, change string) error {
	ref, err := referenceOf(ctx, tx, referralID)
	if err != nil {
		return err
	}
	agencies, err := activeAgencies(ctx, tx, referralID)
	if err != nil {
		return err
	}
	for _, a := range agencies {
		if err := db.partnerEvent(ctx, tx, partner.OrderChanged, a, referralID, ref, change); err != nil {
			return err
		}
	}
	return nil
}

// justiceTouched records a change on the criminal-justice side: on the
// timeline of the agency named (police: the force's alone; empty: every
// reader of the referral), in the audit log, and in the referral's version.
func (db *DB) justiceTouched(ctx context.Context, tx *sql.Tx, referralID, eventAgency string, actor identity.Principal, now time.Time, kind, detail string, action audit.Action) error {
	if err := touchReferral(ctx, tx, referralID, now); err != nil {
		return err
	}
	if err := db.addEvent(ctx, tx, referralID, now, actor, eventAgency, kind, detail); err != nil {
		return err
	}
	return db.record(ctx, tx, actor, action, referralID, "", detail)
}

const orderColumns = `id, referral_id, kind, detail_key, detail, starts_on, ends_on, discharged_on, breaches, version`

// scanOrder reads an order's row: the store decrypts what it says, then
// hands the conditions out sealed (the plain copy stays in the store).
func (db *DB) scanOrder(sc interface{ Scan(...any) error }) (storedOrder, error) {
	var o justice.Order
	var kid, starts, ends, discharged string
	var sealed []byte
	if err := sc.Scan(&o.ID, &o.ReferralID, &o.Kind, &kid, &sealed, &starts, &ends, &discharged, &o.Breaches, &o.Version); err != nil {
		return storedOrder{order: o}, err
	}
	o.StartsOn, o.EndsOn, o.DischargedOn = parseDate(starts), parseDate(ends), parseDate(discharged)
	b, err := db.keys.Open(kid, sealed, orderContext(o.ReferralID, o.ID))
	if err != nil {
		return storedOrder{order: o}, fmt.Errorf("open order %s: %w", o.ID, err)
	}
	var d orderDetail
	if err := json.Unmarshal(b, &d); err != nil {
		return storedOrder{order: o}, err
	}
	o.Conditions, o.Court, o.Reference = justice.Conditions(o.ReferralID, d.Conditions), d.Court, d.Reference
	return storedOrder{order: o, conditions: d.Conditions}, nil
}

// Order loads one order with its history, its conditions and reasons
// sealed: a reader opens them only through the View of its referral. An
// order that does not exist is OrderNotFound().
func (db *DB) Order(ctx context.Context, id string) (justice.Order, []justice.OrderChange, error) {
	so, err := db.scanOrder(db.r.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
	o := so.order
	if errors.Is(err, sql.ErrNoRows) {
		return o, nil, OrderNotFound()
	}
	if err != nil {
		return o, nil, err
	}
	stored, err := db.orderHistory(ctx, db.r, o)
	var hist []justice.OrderChange
	for _, c := range stored {
		hist = append(hist, c.change)
	}
	return o, hist, err
}

type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

func (db *DB) orderHistory(ctx context.Context, q querier, o justice.Order) ([]storedChange, error) {
	rows, err := q.QueryContext(ctx, `SELECT change, at, ends_on, reason_key, reason FROM order_changes WHERE order_id = ? ORDER BY id`, o.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedChange
	for rows.Next() {
		var c storedChange
		var at, kid string
		var sealed []byte
		if err := rows.Scan(&c.change.Change, &at, &c.change.EndsOn, &kid, &sealed); err != nil {
			return nil, err
		}
		c.change.At = parseTime(at)
		if c.reason, err = db.openText(kid, sealed, orderContext(o.ReferralID, o.ID)+"/"+c.change.Change+"/"+at); err != nil {
			return nil, err
		}
		c.change.Reason = justice.ChangeReason(o.ReferralID, c.reason)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ChangeOrder applies an officer's change to an order in one transaction,
// refusing a stale If-Match (412) and any change to a discharged order (409).
func (db *DB) ChangeOrder(ctx context.Context, u justice.OrderUpdate) (justice.Order, error) {
	now := db.Now().UTC()
	var o justice.Order
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		so, err := db.scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, u.ID))
		o = so.order
		if errors.Is(err, sql.ErrNoRows) {
			return OrderNotFound()
		}
		if err != nil {
			return err
		}
		if u.IfMatch != o.Version {
			return problem.New(problem.Stale, "the order has changed since you read it; read it again")
		}
		if !o.DischargedOn.IsZero() {
			return problem.New(problem.Conflict, "the order was discharged and cannot be changed")
		}
		if err := u.Apply(&o); err != nil {
			return err
		}
		kid, sealed, err := db.sealOrder(&o)
		if err != nil {
			return err
		}
		o.Version++
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET detail_key = ?, detail = ?, ends_on = ?, discharged_on = ?, notice_sent = CASE WHEN ends_on = ? THEN notice_sent ELSE 0 END,
			updated_at = ?, version = ? WHERE id = ?`, kid, sealed, dateText(o.EndsOn), dateText(o.DischargedOn), dateText(o.EndsOn), timeText(now), o.Version, o.ID); err != nil {
			return err
		}
		if err := db.addOrderChange(ctx, tx, o, u.Change, u.Reason, u.Actor, now); err != nil {
			return err
		}
		return db.orderTouched(ctx, tx, o.ReferralID, u.Actor, now, "order_"+u.Change, o.Kind, audit.OrderChanged)
	})
	return o, err
}

// RecordBreach records a breach of an order on day (the officer's today). A
// breach is an incident: the referral's count rises by one and its last date
// moves to the breach if later, in the plain columns and in the sealed
// offence section alike. The summary is filed under the order's referral. The receiving agencies still in the referral are
// told, without personal data.
func (db *DB) RecordBreach(ctx context.Context, b justice.Breach, day time.Time, actor identity.Principal) (justice.Breach, error) {
	now := db.Now().UTC()
	b.ID = newID("b-")
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		so, err := db.scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, b.OrderID))
		o := so.order
		if errors.Is(err, sql.ErrNoRows) {
			return OrderNotFound()
		}
		if err != nil {
			return err
		}
		if msg := justice.BreachProblem(o, b.OccurredOn, day); msg != "" {
			return problem.Invalidf("occurred_on", "%s", msg)
		}
		if err := filedUnder(b.Summary, o.ReferralID); err != nil {
			return err
		}
		b.ReferralID = o.ReferralID
		var in justice.Incidents
		if err := tx.QueryRowContext(ctx, `SELECT reference, incidents, first_incident, last_incident FROM referrals WHERE id = ?`, o.ReferralID).
			Scan(&b.Reference, &in.Count, &in.First, &in.Last); err != nil {
			return err
		}
		b.Incidents = justice.WithBreach(in, b.OccurredOn)
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET incidents = ?, first_incident = ?, last_incident = ? WHERE id = ?`,
			b.Incidents.Count, b.Incidents.First, b.Incidents.Last, o.ReferralID); err != nil {
			return err
		}
		if err := db.rewriteIncidents(ctx, tx, o.ReferralID, b.Incidents); err != nil {
			return err
		}
		context := orderContext(o.ReferralID, o.ID) + "/breach/" + b.ID
		summary, err := db.plainOf(b.Summary, context)
		if err != nil {
			return err
		}
		b.Summary = justice.BreachSummary(o.ReferralID, summary)
		kid, sealed, err := db.sealText(summary, context)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO breaches (id, order_id, referral_id, occurred_on, summary_key, summary, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			b.ID, o.ID, o.ReferralID, dateText(b.OccurredOn), kid, sealed, actor.Subject, timeText(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET breaches = breaches + 1 WHERE id = ?`, o.ID); err != nil {
			return err
		}
		if err := db.orderTouched(ctx, tx, o.ReferralID, actor, now, "order_breached", o.Kind, audit.BreachRecorded); err != nil {
			return err
		}
		agencies, err := activeAgencies(ctx, tx, o.ReferralID)
		if err != nil {
			return err
		}
		for _, a := range agencies {
			if err := db.notice(ctx, tx, notify.OrderBreached, a, o.ReferralID, b.Reference); err != nil {
				return err
			}
		}
		return nil
	})
	return b, err
}

// rewriteIncidents puts the incidents into the referral's sealed offence
// section, keeping everything else in it as it was.
func (db *DB) rewriteIncidents(ctx context.Context, tx *sql.Tx, referralID string, in justice.Incidents) error {
	var kid string
	var sealed []byte
	section := map[string]json.RawMessage{}
	err := tx.QueryRowContext(ctx, `SELECT key_id, sealed FROM referral_sections WHERE referral_id = ? AND category = ?`, referralID, category.Offence.String()).Scan(&kid, &sealed)
	switch {
	case err == nil:
		b, err := db.keys.Open(kid, sealed, sectionContext(referralID, category.Offence))
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &section); err != nil {
			return err
		}
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	inc, err := json.Marshal(referral.Incidents{Count: in.Count, First: in.First, Last: in.Last})
	if err != nil {
		return err
	}
	section["incidents"] = inc
	b, err := json.Marshal(section)
	if err != nil {
		return err
	}
	var sections [category.Count][]byte
	sections[category.Offence] = b
	return db.writeSections(ctx, tx, referralID, sections)
}

// orderJSON is one order as the orders section and the API hold it.
type orderJSON struct {
	ID           string              `json:"id"`
	Kind         string              `json:"kind"`
	Status       justice.OrderStatus `json:"status"`
	Conditions   string              `json:"conditions"`
	StartsOn     string              `json:"starts_on"`
	EndsOn       string              `json:"ends_on,omitempty"`
	DischargedOn string              `json:"discharged_on,omitempty"`
	Court        string              `json:"court,omitempty"`
	Reference    string              `json:"reference,omitempty"`
	Breaches     int                 `json:"breaches"`
	History      []orderChangeJSON   `json:"history"`
}

// OrderJSON is the order as the API shows it, as the orders section holds
// it: its status on day and its history, the conditions and reasons opened
// by open (the View of the order's referral: sharing.View.Text).
func OrderJSON(o justice.Order, hist []justice.OrderChange, day time.Time, open func(sealedpkg.Text) string) any {
	reasons := make([]string, len(hist))
	for i, c := range hist {
		reasons[i] = open(c.Reason)
	}
	return orderJSONOf(o, open(o.Conditions), hist, reasons, day)
}

// orderJSONOf is the order with its conditions and its history's reasons
// in plain: the store's own, building the orders section, or a View's.
func orderJSONOf(o justice.Order, conditions string, hist []justice.OrderChange, reasons []string, day time.Time) orderJSON {
	h := make([]orderChangeJSON, len(hist))
	for i, c := range hist {
		h[i] = orderChangeJSON{Change: c.Change, At: c.At, EndsOn: c.EndsOn, Reason: reasons[i]}
	}
	return orderJSON{ID: o.ID, Kind: o.Kind, Status: justice.StatusOn(o, day), Conditions: conditions, StartsOn: dateText(o.StartsOn),
		EndsOn: dateText(o.EndsOn), DischargedOn: dateText(o.DischargedOn), Court: o.Court, Reference: o.Reference, Breaches: o.Breaches, History: h}
}

// loadOrders builds the referral's orders section from the register: every
// order with its status today, active ones first. A referral with no orders
// has no orders section.
func (db *DB) loadOrders(ctx context.Context, tx *sql.Tx, r *referral.Referral) error {
	// Every read of a referral takes this path: the statements are prepared.
	q := readTx{db, tx}
	orders, err := db.referralOrders(ctx, q, r.ID)
	if err != nil || len(orders) == 0 {
		return err
	}
	day := db.Now()
	out := make([]orderJSON, 0, len(orders))
	for _, active := range []bool{true, false} {
		for _, so := range orders {
			if (justice.StatusOn(so.order, day) == justice.Active) != active {
				continue
			}
			stored, err := db.orderHistory(ctx, q, so.order)
			if err != nil {
				return err
			}
			hist, reasons := make([]justice.OrderChange, len(stored)), make([]string, len(stored))
			for i, c := range stored {
				hist[i], reasons[i] = c.change, c.reason
			}
			out = append(out, orderJSONOf(so.order, so.conditions, hist, reasons, day))
		}
	}
	b, err := json.Marshal(out)
	r.Sections[category.Orders] = sealedpkg.NewSection(b)
	return err
}

func (db *DB) referralOrders(ctx context.Context, q querier, referralID string) ([]storedOrder, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE referral_id = ? ORDER BY starts_on, id`, referralID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedOrder
	for rows.Next() {
		o, err := db.scanOrder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ReferralOrders lists a referral's orders, their conditions sealed.
func (db *DB) ReferralOrders(ctx context.Context, referralID string) ([]justice.Order, error) {
	stored, err := db.referralOrders(ctx, db.r, referralID)
	var out []justice.Order
	for _, so := range stored {
		out = append(out, so.order)
	}
	return out, err
}

// ProtectionLapses reports whether the victim of a referral is protected by
// an order on today but by none on day (a MARAC meeting's): every order in
// force ends before it. It says nothing of what the orders are.
func (db *DB) ProtectionLapses(ctx context.Context, referralID string, today, day time.Time) (bool, error) {
	orders, err := db.ReferralOrders(ctx, referralID)
	return justice.ProtectionLapses(orders, today, day), err
}

// OrdersEnding lists the orders and bail still in force on day that end
// within days of it, soonest first: the officer's own referrals, or every
// referral when officer is empty (supervisors).
func (db *DB) OrdersEnding(ctx context.Context, officer string, day time.Time, days int) ([]justice.EndingOrder, error) {
	from, to := dateText(day), dateText(day.AddDate(0, 0, days))
	rows, err := db.r.QueryContext(ctx, `SELECT o.id, o.referral_id, r.reference, o.kind, o.ends_on FROM orders o JOIN referrals r ON r.id = o.referral_id
		WHERE o.ends_on <> '' AND o.ends_on >= ? AND o.ends_on <= ? AND (o.discharged_on = '' OR o.discharged_on > ?) AND (? = '' OR r.officer = ?)
		ORDER BY o.ends_on, r.reference LIMIT 500`, from, to, from, officer, officer)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []justice.EndingOrder{}
	for rows.Next() {
		var e justice.EndingOrder
		var ends string
		if err := rows.Scan(&e.ID, &e.ReferralID, &e.Reference, &e.Kind, &ends); err != nil {
			return nil, err
		}
		e.EndsOn = parseDate(ends)
		e.DaysLeft, _ = justice.DaysLeft(justice.Order{EndsOn: e.EndsOn}, day)
		out = append(out, e)
	}
	return out, rows.Err()
}

// NoteOrdersEnding sends the notices owed 28 and 7 days before an order or
// bail ends to the force's mailbox, each once, and returns how many it sent.
func (db *DB) NoteOrdersEnding(ctx context.Context, now time.Time) (int, error) {
	n := 0
	day := dateOf(now)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT o.id, o.referral_id, r.reference, o.ends_on, o.discharged_on, o.notice_sent FROM orders o JOIN referrals r ON r.id = o.referral_id
			WHERE o.ends_on <> '' AND o.ends_on >= ? AND o.ends_on <= ? AND o.discharged_on = '' AND o.notice_sent <> ? LIMIT 500`,
			dateText(day), dateText(day.AddDate(0, 0, justice.FirstNotice)), justice.LastNotice)
		if err != nil {
			return err
		}
		type due struct {
			id, referral, reference string
			notice                  int
		}
		var found []due
		for rows.Next() {
			var o justice.Order
			var d due
			var ends, discharged string
			var sent int
			if err := rows.Scan(&d.id, &d.referral, &d.reference, &ends, &discharged, &sent); err != nil {
				rows.Close()
				return err
			}
			o.EndsOn, o.DischargedOn = parseDate(ends), parseDate(discharged)
			if d.notice = justice.NoticeDue(o, day, sent); d.notice > 0 {
				found = append(found, d)
			}
		}
		rows.Close()
		for _, d := range found {
			if _, err := tx.ExecContext(ctx, `UPDATE orders SET notice_sent = ? WHERE id = ?`, d.notice, d.id); err != nil {
				return err
			}
			if err := db.notice(ctx, tx, notify.OrderEnding, agency.Police, d.referral, d.reference); err != nil {
				return err
			}
		}
		n = len(found)
		return nil
	})
	return n, err
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/seal"
	sealedpkg "github.com/stalking-hub/hub/internal/sharing/sealed"
)

// SetKeyring gives the store the keys that seal personal data. Without one,
// nothing personal can be written or read.
func (db *DB) SetKeyring(k *seal.Keyring) { db.keys = k }

// Keyring is the store's sealing keys, for fingerprints made outside it.
func (db *DB) Keyring() *seal.Keyring { return db.keys }

func newID(prefix string) string {
	var b [10]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// sealText seals a free-text field of a referral; empty text stays empty.
func (db *DB) sealText(text, context string) (string, []byte, error) {
	if text == "" {
		return "", nil, nil
	}
	if db.keys == nil {
		return "", nil, errors.New("no sealing keys")
	}
	return db.keys.Seal([]byte(text), context)
}

func (db *DB) openText(keyID string, sealed []byte, context string) (string, error) {
	if keyID == "" || len(sealed) == 0 {
		return "", nil
	}
	b, err := db.keys.Open(keyID, sealed, context)
	return string(b), err
}

// insertReferral writes a referral's metadata (CreateReferral).
const insertReferral = `INSERT INTO referrals (id, reference, state, officer, officer_name, offence, risk_level, risk_tool, risk_score,
	incidents, first_incident, last_incident, domestic_abuse, hate_crime_strand, honour_based_abuse, fear_of_violence, technology_enabled,
	marac_concern, victim_fp, suspect_fp, consent_decision, shared_with, created_at, sent_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// writeStrands sets a referral's hate-crime strands after the first
// (referral_strands), replacing those it had.
func writeStrands(ctx context.Context, tx *sql.Tx, id string, strands []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM referral_strands WHERE referral_id = ?`, id); err != nil {
		return err
	}
	for _, st := range strands {
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_strands (referral_id, strand) VALUES (?, ?)`, id, st); err != nil {
			return err
		}
	}
	return nil
}

// insertShare writes one agency's share of a new referral.
const insertShare = `INSERT INTO shares (id, referral_id, agency, request_key, request, status, risk_level, risk_rank, sent_at, due_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// CreateReferral stores a referral: metadata in plain columns, each category
// sealed, one share per agency, the first consent record and the timeline's
// first event. With an idempotency key already used by the same officer it
// returns that referral when the body is the same (created false), and a
// conflict when it is not.
func (db *DB) CreateReferral(ctx context.Context, n referral.NewReferral) (id string, created bool, err error) {
	if db.keys == nil {
		return "", false, errors.New("no sealing keys")
	}
	now := db.Now().UTC()
	s := n.Submission
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if n.IdempotencyKey != "" {
			var hash, existing string
			err := tx.QueryRowContext(ctx, `SELECT body_hash, referral_id FROM idempotency_keys WHERE actor = ? AND key = ?`, n.Officer.Subject, n.IdempotencyKey).Scan(&hash, &existing)
			switch {
			case err == nil && hash == n.BodyHash:
				id = existing
				return nil
			case err == nil:
				return problem.New(problem.Conflict, "this Idempotency-Key was used for a different referral")
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		if n.FromDraft != "" {
			if err := deleteDraft(ctx, tx, n.Officer.Subject, n.FromDraft); err != nil {
				return err
			}
		}
		id = newID("r-")
		ref, err := db.nextReference(ctx, tx, now)
		if err != nil {
			return err
		}
		state, sentAt := referral.Open, timeText(now)
		if n.Draft {
			state, sentAt = referral.Draft, ""
		}
		f := referral.FactorsOf(s.AggravatingFactors)
		victimFP, suspectFP := "", ""
		if s.Victim.Name != "" {
			victimFP = db.keys.Fingerprint(s.Victim.Name, s.Victim.DateOfBirth)
		}
		if s.Suspect.Name != "" {
			suspectFP = db.keys.Fingerprint(s.Suspect.Name, s.Suspect.DateOfBirth)
		}
		if _, err := db.exec(ctx, tx, insertReferral,
			id, ref, string(state), n.Officer.Subject, n.Officer.Name, s.Offence, s.Risk.Level, s.Risk.Tool, s.Risk.Score,
			s.Incidents.Count, s.Incidents.First, s.Incidents.Last, f.DomesticAbuse, f.HateCrimeStrand, f.HonourBasedAbuse, f.FearOfViolence, f.TechnologyEnabled,
			strings.TrimSpace(s.ConcernMARAC) != "", victimFP, suspectFP, string(n.Consent.Decision), sharedWith(s.Agencies), timeText(now), sentAt, timeText(now)); err != nil {
			return err
		}
		if err := writeStrands(ctx, tx, id, f.OtherStrands); err != nil {
			return err
		}
		if err := db.writeSections(ctx, tx, id, s.Sections()); err != nil {
			return err
		}
		if err := db.createJustice(ctx, tx, id, n, now); err != nil {
			return err
		}
		for _, r := range s.Agencies {
			kid, req, err := db.sealText(r.Request, id+"/share/"+r.Agency+"/request")
			if err != nil {
				return err
			}
			if _, err := db.exec(ctx, tx, insertShare, newID("s-"), id, r.Agency, kid, req, string(referral.Sent), s.Risk.Level, risk.Level(s.Risk.Level).Rank(), timeText(now), timeText(n.Due[r.Agency])); err != nil {
				return err
			}
		}
		if err := db.insertConsent(ctx, tx, id, n.Consent); err != nil {
			return err
		}
		if err := db.addEvent(ctx, tx, id, now, n.Officer, "", "referral_created", fmt.Sprintf("sent to %d agencies", len(s.Agencies))); err != nil {
			return err
		}
		if err := db.record(ctx, tx, n.Officer, audit.ReferralCreated, id, "", string(state)); err != nil {
			return err
		}
		if !n.Draft {
			for _, r := range s.Agencies {
				if err := db.notice(ctx, tx, notify.NewShare, r.Agency, id, ref); err != nil {
					return err
				}
				if err := db.partnerEvent(ctx, tx, partner.ShareCreated, r.Agency, id, ref, string(referral.Sent)); err != nil {
					return err
				}
			}
		}
		if n.IdempotencyKey != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (actor, key, body_hash, referral_id, created_at) VALUES (?, ?, ?, ?, ?)`,
				n.Officer.Subject, n.IdempotencyKey, n.BodyHash, id, timeText(now)); err != nil {
				return err
			}
		}
		if err := db.recountCreated(ctx, tx, id, victimFP, suspectFP, now); err != nil {
			return err
		}
		created = true
		return db.releaseInTx(ctx, tx, id, n.Release)
	})
	return id, created, err
}

// releaseInTx loads the referral id in the writer's transaction tx, passes
// it to release and appends the audit entry it returns, in tx.
func (db *DB) releaseInTx(ctx context.Context, tx *sql.Tx, id string, release func(*referral.Referral) (audit.Entry, error)) error {
	if release == nil {
		return nil
	}
	db.writerTx.Store(tx)
	r, err := db.loadReferral(ctx, tx, id)
	db.writerTx.Store(nil)
	if err != nil {
		return err
	}
	e, err := release(r)
	if err != nil {
		return err
	}
	if e.Time.IsZero() {
		e.Time = db.Now()
	}
	if err := e.Validate(); err != nil {
		return err
	}
	return db.appendAudit(ctx, tx, e)
}

// takeReference counts the year's referrals on by one.
const takeReference = `INSERT INTO reference_counters (year, last) VALUES (?, 1)
	ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 RETURNING last`

// nextReference takes the next SH-YYYY-NNNNNN of the year.
func (db *DB) nextReference(ctx context.Context, tx *sql.Tx, now time.Time) (string, error) {
	var n int
	err := db.queryRow(ctx, tx, takeReference, now.Year()).Scan(&n)
	return fmt.Sprintf("SH-%d-%06d", now.Year(), n), err
}

func sectionContext(referralID string, c category.Category) string {
	return referralID + "/" + c.String()
}

// insertSection writes (or rewrites) one sealed category of a referral.
const insertSection = `INSERT INTO referral_sections (referral_id, category, key_id, sealed) VALUES (?, ?, ?, ?)
	ON CONFLICT (referral_id, category) DO UPDATE SET key_id = excluded.key_id, sealed = excluded.sealed`

func (db *DB) writeSections(ctx context.Context, tx *sql.Tx, id string, sections [category.Count][]byte) error {
	for _, c := range category.All() {
		if sections[c] == nil {
			continue
		}
		kid, sealed, err := db.keys.Seal(sections[c], sectionContext(id, c))
		if err != nil {
			return err
		}
		if _, err := db.exec(ctx, tx, insertSection, id, c.String(), kid, sealed); err != nil {
			return err
		}
	}
	return nil
}

// sharedWith is the referrals.shared_with of a referral sent to these
// agencies: each between commas.
func sharedWith(rs []referral.Request) string {
	var b strings.Builder
	b.WriteString(",")
	for _, r := range rs {
		b.WriteString(r.Agency + ",")
	}
	return b.String()
}

// insertConsent adds a consent record, numbered one after the referral's last.
const insertConsent = `INSERT INTO consents (id, referral_id, decision, reason_key, reason, agencies, categories, method, obtained_on, review_on, recorded_by, recorded_at, seq)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM consents WHERE referral_id = ?))`

func (db *DB) insertConsent(ctx context.Context, tx *sql.Tx, referralID string, c consent.Consent) error {
	if c.ID == "" {
		c.ID = newID("c-")
	}
	kid, reason, err := db.sealText(c.Reason, referralID+"/consent/"+c.ID)
	if err != nil {
		return err
	}
	_, err = db.exec(ctx, tx, insertConsent, c.ID, referralID, string(c.Decision), kid, reason, strings.Join(c.Agencies, ","), int64(c.Categories), string(c.Method),
		dateText(c.ObtainedOn), dateText(c.ReviewOn), c.RecordedBy, timeText(c.RecordedAt), referralID)
	return err
}

// insertEvent adds an event to a referral's timeline.
const insertEvent = `INSERT INTO referral_events (referral_id, at, actor, actor_name, agency, kind, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`

func (db *DB) addEvent(ctx context.Context, tx *sql.Tx, referralID string, at time.Time, actor identity.Principal, agencyID, kind, detail string) error {
	_, err := db.exec(ctx, tx, insertEvent, referralID, timeText(at), actor.Subject, actor.Name, agencyID, kind, detail)
	return err
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func parseDate(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Referral loads a referral whole: metadata, opened sections, shares with
// their opened texts, consent history and overrides. It is what
// sharing.Release decides over; nothing else should render it. A referral
// that does not exist is referral.NotFound().
func (db *DB) Referral(ctx context.Context, id string) (*referral.Referral, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return db.loadReferral(ctx, tx, id)
}

// loadReferral is Referral in tx, a reader's transaction or the writer's.
func (db *DB) loadReferral(ctx context.Context, tx *sql.Tx, id string) (*referral.Referral, error) {
	r := &referral.Referral{ID: id}
	var state, level, created, sent, updated string
	var score sql.NullInt64
	m := &r.Meta
	err := db.readRow(ctx, tx, `SELECT reference, state, officer, officer_name, offence, risk_level, risk_tool, risk_score, incidents, first_incident, last_incident,
		domestic_abuse, hate_crime_strand, honour_based_abuse, fear_of_violence, technology_enabled, marac_concern, created_at, sent_at, updated_at, version
		FROM referrals WHERE id = ?`, id).Scan(&r.Reference, &state, &r.Officer, &m.OfficerName, &m.Offence, &level, &m.RiskTool, &score,
		&m.Incidents, &m.FirstIncident, &m.LastIncident, &m.Factors.DomesticAbuse, &m.Factors.HateCrimeStrand, &m.Factors.HonourBasedAbuse,
		&m.Factors.FearOfViolence, &m.Factors.TechnologyEnabled, &m.MARACConcern, &created, &sent, &updated, &m.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, referral.NotFound()
	}
	if err != nil {
		return nil, err
	}
	r.Risk, m.State = risk.Level(level), referral.State(state)
	m.CreatedAt, m.SentAt, m.UpdatedAt = parseTime(created), parseTime(sent), parseTime(updated)
	if score.Valid {
		v := int(score.Int64)
		m.RiskScore = &v
	}
	if err := db.loadSections(ctx, tx, r); err != nil {
		return nil, err
	}
	if err := db.loadOrders(ctx, tx, r); err != nil {
		return nil, err
	}
	if r.Shares, err = db.loadShares(ctx, tx, id); err != nil {
		return nil, err
	}
	if r.Consents, err = db.loadConsents(ctx, tx, id); err != nil {
		return nil, err
	}
	if r.Overrides, err = db.loadOverrides(ctx, readTx{db, tx}, `WHERE referral_id = ?`, id); err != nil {
		return nil, err
	}
	if r.OnMARAC, err = db.onMARAC(ctx, readTx{db, tx}, id, db.Now()); err != nil {
		return nil, err
	}
	if r.Restricted, r.NamedOfficers, err = restrictionOf(ctx, readTx{db, tx}, id); err != nil {
		return nil, err
	}
	return r, nil
}

func (db *DB) loadSections(ctx context.Context, tx *sql.Tx, r *referral.Referral) error {
	sections, err := db.openSections(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	for c, content := range sections {
		if content != nil {
			r.Sections[c] = sealedpkg.NewSection(content)
		}
	}
	return nil
}

// openSections decrypts a referral's sections for the store's own use
// (sealing them for sharing, or fingerprinting them for search); nothing
// outside the store sees them unsealed.
func (db *DB) openSections(ctx context.Context, tx *sql.Tx, id string) ([category.Count][]byte, error) {
	var out [category.Count][]byte
	rows, err := db.readQuery(ctx, tx, `SELECT category, key_id, sealed FROM referral_sections WHERE referral_id = ?`, id)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, kid string
		var sealed []byte
		if err := rows.Scan(&name, &kid, &sealed); err != nil {
			return out, err
		}
		c, err := category.Parse(name)
		if err != nil {
			return out, err
		}
		content, err := db.keys.Open(kid, sealed, sectionContext(id, c))
		if err != nil {
			return out, fmt.Errorf("open section %s of %s: %w", name, id, err)
		}
		out[c] = content
	}
	return out, rows.Err()
}

const shareColumns = `id, referral_id, agency, request_key, request, status, reason_key, reason, outcome_key, outcome, decline_code, outcome_code, risk_level, sent_at, due_at, viewed_at, answered_at, accepted_at, closed_at, version, withdrawn_at, police_unread`

func (db *DB) scanShare(sc interface{ Scan(...any) error }) (referral.Share, string, error) {
	var s referral.Share
	var refID, reqKey, reasonKey, outcomeKey, status, level, sent, due, viewed, answered, accepted, closed, withdrawn string
	var req, reason, outcome []byte
	if err := sc.Scan(&s.ID, &refID, &s.Agency, &reqKey, &req, &status, &reasonKey, &reason, &outcomeKey, &outcome, &s.ReasonCode, &s.OutcomeCode, &level, &sent, &due, &viewed, &answered, &accepted, &closed, &s.Version,
		&withdrawn, &s.Unread); err != nil {
		return s, "", err
	}
	s.WithdrawnAt = parseTime(withdrawn)
	s.Status, s.Risk = referral.ShareStatus(status), risk.Level(level)
	s.SentAt, s.DueAt, s.ViewedAt, s.AnsweredAt, s.AcceptedAt, s.ClosedAt = parseTime(sent), parseTime(due), parseTime(viewed), parseTime(answered), parseTime(accepted), parseTime(closed)
	var err error
	if s.Request, err = db.openText(reqKey, req, refID+"/share/"+s.Agency+"/request"); err != nil {
		return s, "", err
	}
	if s.Reason, err = db.openText(reasonKey, reason, refID+"/share/"+s.Agency+"/reason"); err != nil {
		return s, "", err
	}
	if s.Outcome, err = db.openText(outcomeKey, outcome, refID+"/share/"+s.Agency+"/outcome"); err != nil {
		return s, "", err
	}
	return s, refID, nil
}

func (db *DB) loadShares(ctx context.Context, tx *sql.Tx, referralID string) ([]referral.Share, error) {
	rows, err := db.readQuery(ctx, tx, `SELECT `+shareColumns+` FROM shares WHERE referral_id = ? ORDER BY agency`, referralID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []referral.Share
	for rows.Next() {
		s, _, err := db.scanShare(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (db *DB) loadConsents(ctx context.Context, tx *sql.Tx, referralID string) ([]consent.Consent, error) {
	rows, err := db.readQuery(ctx, tx, `SELECT id, decision, reason_key, reason, agencies, categories, method, obtained_on, review_on, recorded_by, recorded_at
		FROM consents WHERE referral_id = ? ORDER BY seq`, referralID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []consent.Consent
	for rows.Next() {
		var c consent.Consent
		var decision, reasonKey, agencies, method, obtained, review, recorded string
		var reason []byte
		var cats int64
		if err := rows.Scan(&c.ID, &decision, &reasonKey, &reason, &agencies, &cats, &method, &obtained, &review, &c.RecordedBy, &recorded); err != nil {
			return nil, err
		}
		c.Decision, c.Method, c.Categories = consent.Decision(decision), consent.Method(method), category.Set(cats)
		c.Agencies, c.ObtainedOn, c.ReviewOn, c.RecordedAt = splitList(agencies), parseDate(obtained), parseDate(review), parseTime(recorded)
		if c.Reason, err = db.openText(reasonKey, reason, referralID+"/consent/"+c.ID); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (db *DB) loadOverrides(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, where string, args ...any) ([]consent.Override, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, referral_id, basis, rationale_key, rationale, rationale_category, agencies, categories, until, requested_by, requested_at, status, decided_by, decided_at, note_key, note
		FROM overrides `+where+` ORDER BY requested_at`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []consent.Override
	for rows.Next() {
		var o consent.Override
		var refID, agencies, until, reqAt, status, decAt, noteKey string
		var note []byte
		rat := freeText{author: agency.Police}
		var cats int64
		if err := rows.Scan(&o.ID, &refID, &o.Basis, &rat.keyID, &rat.sealed, &rat.category, &agencies, &cats, &until, &o.RequestedBy, &reqAt, &status, &o.DecidedBy, &decAt, &noteKey, &note); err != nil {
			return nil, err
		}
		o.Agencies, o.Categories, o.Until, o.RequestedAt = splitList(agencies), category.Set(cats), parseDate(until), parseTime(reqAt)
		o.Status, o.DecidedAt = consent.OverrideStatus(status), parseTime(decAt)
		if o.Rationale, err = db.openFree(refID, rat, refID+"/override/"+o.ID+"/rationale"); err != nil {
			return nil, err
		}
		if o.Note, err = db.openText(noteKey, note, refID+"/override/"+o.ID+"/note"); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

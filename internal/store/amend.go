package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
)

// AmendReferral makes an amendment a new version of the referral, in one
// transaction: the content each changed category had is kept beside the
// amendment (the categories by name, the reason sealed); the new content is
// sealed in its place; the metadata lists, fingerprints and MARAC
// eligibility read follows; the force's timeline names every category
// changed and each active agency's only those it may see, and only an
// agency that may see a change is notified and sent referral.updated. A
// version other than IfMatch is a 412 and nothing changes. It returns the
// new version.
func (db *DB) AmendReferral(ctx context.Context, a referral.Amendment) (int, error) {
	if db.keys == nil {
		return 0, errors.New("no sealing keys")
	}
	now := db.Now().UTC()
	changed := a.Changed()
	var version int
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var ref, state string
		err := tx.QueryRowContext(ctx, `SELECT reference, state, version FROM referrals WHERE id = ?`, a.ReferralID).Scan(&ref, &state, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return referral.NotFound()
		}
		if err != nil {
			return err
		}
		if version != a.IfMatch {
			return problem.New(problem.Stale, "the referral has changed since it was read: read it again")
		}
		if referral.State(state) != referral.Open {
			return problem.New(problem.Conflict, "only a sent referral can be updated")
		}
		if len(changed) == 0 && a.Enhanced == nil {
			return nil
		}
		version++
		names := make([]string, len(changed))
		for i, c := range changed {
			names[i] = c.String()
			if _, err := tx.ExecContext(ctx, `INSERT INTO referral_section_versions (referral_id, version, category, key_id, sealed)
				SELECT referral_id, ?, category, key_id, sealed FROM referral_sections WHERE referral_id = ? AND category = ?`,
				version-1, a.ReferralID, c.String()); err != nil {
				return err
			}
		}
		var write [category.Count][]byte
		for _, c := range changed {
			if len(a.Sections[c]) > 0 {
				write[c] = a.Sections[c]
			} else if _, err := tx.ExecContext(ctx, `DELETE FROM referral_sections WHERE referral_id = ? AND category = ?`, a.ReferralID, c.String()); err != nil {
				return err
			}
		}
		if err := db.writeSections(ctx, tx, a.ReferralID, write); err != nil {
			return err
		}
		if err := db.amendMeta(ctx, tx, a); err != nil {
			return err
		}
		kid, sealed, err := db.sealText(a.Reason, a.ReferralID+"/amendment/"+strconv.Itoa(version))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_amendments (referral_id, version, at, actor, actor_name, categories, reason_key, reason)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.ReferralID, version, timeText(now), a.Actor.Subject, a.Actor.Name, strings.Join(names, ","), kid, sealed); err != nil {
			return err
		}
		if err := touchReferral(ctx, tx, a.ReferralID, now); err != nil {
			return err
		}
		detail := "victim's rights under the Victims' Code"
		if len(names) > 0 {
			detail = "updated: " + strings.Join(names, ", ")
		}
		if err := db.addEvent(ctx, tx, a.ReferralID, now, a.Actor, agency.Police, "referral_updated", detail); err != nil {
			return err
		}
		if err := db.record(ctx, tx, a.Actor, audit.ReferralAmended, a.ReferralID, "", strings.Join(names, ",")); err != nil {
			return err
		}
		return db.tellAgencies(ctx, tx, a, changed, ref)
	})
	return version, err
}

// amendMeta brings the referral's plain columns in line with its amended
// content: offence, incidents, factors, the fingerprints and the MARAC
// concern (which a re-assessment to high also set and keeps).
func (db *DB) amendMeta(ctx context.Context, tx *sql.Tx, a referral.Amendment) error {
	s := a.Submission
	f := referral.FactorsOf(s.AggravatingFactors)
	victimFP, suspectFP := "", ""
	if s.Victim.Name != "" {
		victimFP = db.keys.Fingerprint(s.Victim.Name, s.Victim.DateOfBirth)
	}
	if s.Suspect.Name != "" {
		suspectFP = db.keys.Fingerprint(s.Suspect.Name, s.Suspect.DateOfBirth)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE referrals SET offence = ?, incidents = ?, first_incident = ?, last_incident = ?,
		domestic_abuse = ?, hate_crime_strand = ?, honour_based_abuse = ?, fear_of_violence = ?, technology_enabled = ?,
		marac_concern = CASE WHEN ? = 1 THEN 1 WHEN risk_level = 'high' THEN marac_concern ELSE 0 END, victim_fp = ?, suspect_fp = ? WHERE id = ?`,
		s.Offence, s.Incidents.Count, s.Incidents.First, s.Incidents.Last, f.DomesticAbuse, f.HateCrimeStrand, f.HonourBasedAbuse, f.FearOfViolence, f.TechnologyEnabled,
		strings.TrimSpace(s.ConcernMARAC) != "", victimFP, suspectFP, a.ReferralID); err != nil {
		return err
	}
	if err := writeStrands(ctx, tx, a.ReferralID, f.OtherStrands); err != nil {
		return err
	}
	if err := db.recount(ctx, tx, a.ReferralID); err != nil {
		return err
	}
	if a.Enhanced != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET victim_enhanced = ?, victim_enhanced_reason = 'recorded by the officer' WHERE id = ?`, *a.Enhanced, a.ReferralID); err != nil {
			return err
		}
	}
	return nil
}

// tellAgencies puts the amendment on each active agency's timeline, naming
// only the categories it may see, and notifies it and sends it
// referral.updated; an agency that may see none of the change learns nothing.
func (db *DB) tellAgencies(ctx context.Context, tx *sql.Tx, a referral.Amendment, changed []category.Category, ref string) error {
	agencies, err := activeAgencies(ctx, tx, a.ReferralID)
	if err != nil {
		return err
	}
	now := db.Now().UTC()
	for _, ag := range agencies {
		var seen []string
		for _, c := range changed {
			if a.Visible != nil && a.Visible(ag, c) {
				seen = append(seen, c.String())
			}
		}
		if len(seen) == 0 {
			continue
		}
		if err := db.addEvent(ctx, tx, a.ReferralID, now, a.Actor, ag, "referral_updated", "updated: "+strings.Join(seen, ", ")); err != nil {
			return err
		}
		if err := db.notice(ctx, tx, notify.ReferralChanged, ag, a.ReferralID, ref); err != nil {
			return err
		}
		if err := db.partnerEvent(ctx, tx, partner.ReferralUpdated, ag, a.ReferralID, ref, ""); err != nil {
			return err
		}
	}
	return nil
}

// activeAgencies lists the agencies of a referral's active shares.
func activeAgencies(ctx context.Context, tx *sql.Tx, referralID string) ([]string, error) {
	return shareAgencies(ctx, tx, referralID, activeShares)
}

// shareAgencies lists the agencies of a referral's shares that meet where
// (an SQL condition on shares).
func shareAgencies(ctx context.Context, tx *sql.Tx, referralID, where string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT agency FROM shares WHERE referral_id = ? AND `+where+` ORDER BY agency`, referralID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

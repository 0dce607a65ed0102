package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/seal"
)

// Search by reference, crime reference or a person's name. Names and crime
// references are personal data: they are matched only through keyed
// fingerprints of their normalised forms (table referral_search), so nothing
// searchable is held in clear and the term itself is never written anywhere.

// Search is a search term made ready for the store: a reference, or the
// fingerprints the term would have if it were a name (with or without a date
// of birth) or a crime reference. It holds no clear text but the reference,
// which is not personal data.
type Search struct {
	Reference string
	Prints    []string
}

// SearchHit is a referral a search matched, and the category of the value it
// matched (identity, suspect or offence); a match on the reference has none.
type SearchHit struct {
	Referral string
	Category category.Category
	ByRef    bool
}

// The kinds of fingerprint, so that a name can never match a crime reference.
const (
	printName    = "search:name"
	printNameDOB = "search:name_dob"
	printCrime   = "search:crime"
)

var referencePattern = regexp.MustCompile(`(?i)^\s*sh\s*-?\s*(\d{4})\s*-?\s*(\d{6})\s*$`)

// dateForms are the ways a date of birth may be written after a name.
var dateForms = []string{"2006-01-02", "02/01/2006", "2/1/2006", "2 January 2006", "2 Jan 2006"}

// NewSearch prepares a term typed by a reader: "SH-2026-000123", a crime
// reference, "Jane Smith" or "jane  SMITH 1990-04-02". The term is used here
// and dropped; only its fingerprints leave.
func NewSearch(k *seal.Keyring, term string) Search {
	if m := referencePattern.FindStringSubmatch(term); m != nil {
		return Search{Reference: "SH-" + m[1] + "-" + m[2]}
	}
	var s Search
	fields := strings.Fields(term)
	s.Prints = append(s.Prints, k.Fingerprint(printCrime, compact(term)))
	s.Prints = append(s.Prints, nameprints(k, term, "")...)
	for n := 1; n <= 3 && n < len(fields); n++ {
		if dob, ok := parseDOB(strings.Join(fields[len(fields)-n:], " ")); ok {
			s.Prints = append(s.Prints, nameprints(k, strings.Join(fields[:len(fields)-n], " "), dob)...)
			break
		}
	}
	return s
}

// compact is a value normalised with every space taken out, so that however
// it is cased or spaced it gives one fingerprint.
func compact(s string) string { return strings.ReplaceAll(seal.Normalise(s), " ", "") }

// nameprints are the fingerprints of a name as written and with its words in
// alphabetical order ("Smith Jane" finds Jane Smith), with the date of birth
// when there is one.
func nameprints(k *seal.Keyring, name, dob string) []string {
	words := strings.Fields(seal.Normalise(name))
	if len(words) == 0 {
		return nil
	}
	forms := []string{strings.Join(words, "")}
	slices.Sort(words)
	if sorted := strings.Join(words, ""); sorted != forms[0] {
		forms = append(forms, sorted)
	}
	var out []string
	for _, f := range forms {
		if dob == "" {
			out = append(out, k.Fingerprint(printName, f))
		} else {
			out = append(out, k.Fingerprint(printNameDOB, f, dob))
		}
	}
	return out
}

func parseDOB(s string) (string, bool) {
	for _, layout := range dateForms {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// searchPrints are the fingerprints a referral is found by.
func searchPrints(k *seal.Keyring, sections [category.Count][]byte) map[string]category.Category {
	out := map[string]category.Category{}
	person := func(c category.Category, name, dob string) {
		for _, p := range nameprints(k, name, "") {
			out[p] = c
		}
		if dob != "" {
			for _, p := range nameprints(k, name, dob) {
				out[p] = c
			}
		}
	}
	var id referral.IdentitySection
	if json.Unmarshal(sections[category.Identity], &id) == nil && id.Name != "" {
		person(category.Identity, id.Name, id.DateOfBirth)
	}
	var su referral.Suspect
	if json.Unmarshal(sections[category.Suspect], &su) == nil && su.Name != "" {
		person(category.Suspect, su.Name, su.DateOfBirth)
	}
	var off referral.OffenceSection
	if json.Unmarshal(sections[category.Offence], &off) == nil && compact(off.CrimeReference) != "" {
		out[k.Fingerprint(printCrime, compact(off.CrimeReference))] = category.Offence
	}
	return out
}

// indexSearch writes the fingerprints of every referral that has none yet,
// a batch at a time.
func (db *DB) indexSearch(ctx context.Context) error {
	for {
		rows, err := db.r.QueryContext(ctx, `SELECT r.id FROM referrals r WHERE NOT EXISTS (SELECT 1 FROM referral_search_indexed i WHERE i.referral_id = r.id) LIMIT 200`)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		for _, id := range ids {
			if err := db.indexReferral(ctx, id); err != nil {
				return err
			}
		}
	}
}

// indexReferral (re)writes one referral's fingerprints.
func (db *DB) indexReferral(ctx context.Context, id string) error {
	rtx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	sections, err := db.openSections(ctx, rtx, id)
	rtx.Rollback()
	if err != nil {
		return err
	}
	prints := searchPrints(db.keys, sections)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM referral_search WHERE referral_id = ?`, id); err != nil {
			return err
		}
		for fp, c := range prints {
			if _, err := tx.ExecContext(ctx, `INSERT INTO referral_search (referral_id, fp, category) VALUES (?, ?, ?)`, id, fp, c.String()); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO referral_search_indexed (referral_id) SELECT id FROM referrals WHERE id = ? ON CONFLICT DO NOTHING`, id)
		return err
	})
}

// SearchHits finds the referrals a search matches, whoever may see them: the
// caller narrows the hits to what the reader may see (ListFilter.IDs).
// Referrals not yet fingerprinted are fingerprinted first.
func (db *DB) SearchHits(ctx context.Context, s Search) ([]SearchHit, error) {
	if s.Reference != "" {
		var id string
		err := db.r.QueryRowContext(ctx, `SELECT id FROM referrals WHERE reference = ?`, s.Reference).Scan(&id)
		if err == sql.ErrNoRows {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return []SearchHit{{Referral: id, ByRef: true}}, nil
	}
	if len(s.Prints) == 0 {
		return nil, nil
	}
	if err := db.indexSearch(ctx); err != nil {
		return nil, err
	}
	in := strings.Repeat("?, ", len(s.Prints)-1) + "?"
	args := make([]any, len(s.Prints))
	for i, p := range s.Prints {
		args[i] = p
	}
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT referral_id, category FROM referral_search WHERE fp IN (`+in+`) ORDER BY referral_id, category`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SearchHit
	for rows.Next() {
		var h SearchHit
		var name string
		if err := rows.Scan(&h.Referral, &name); err != nil {
			return nil, err
		}
		if h.Category, err = category.Parse(name); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

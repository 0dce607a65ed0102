package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// sealedColumn is one column of sealed text and the column of the key id
// that sealed it, with the context it was sealed under, as SQL over the
// row. The contexts must match the ones the store seals with (sectionContext,
// the share, message, consent and override texts); TestResealEveryColumn
// fails when a sealed column is missing from this list.
type sealedColumn struct {
	table, key, blob string
	context          string
}

// sealedColumns lists every sealed column of the schema.
var sealedColumns = []sealedColumn{
	{"referral_sections", "key_id", "sealed", `referral_id || '/' || category`},
	{"shares", "request_key", "request", `referral_id || '/share/' || agency || '/request'`},
	{"shares", "reason_key", "reason", `referral_id || '/share/' || agency || '/reason'`},
	{"shares", "outcome_key", "outcome", `referral_id || '/share/' || agency || '/outcome'`},
	{"shares", "withdraw_reason_key", "withdraw_reason", `referral_id || '/share/' || agency || '/withdraw_reason'`},
	{"share_messages", "key_id", "body", `(SELECT s.referral_id FROM shares s WHERE s.id = share_messages.share_id) || '/message/' || id`},
	{"consents", "reason_key", "reason", `referral_id || '/consent/' || id`},
	{"overrides", "rationale_key", "rationale", `referral_id || '/override/' || id || '/rationale'`},
	{"overrides", "note_key", "note", `referral_id || '/override/' || id || '/note'`},
	{"marac_cases", "note_key", "note", `id || '/note'`},
	{"marac_research", "summary_key", "summary", `case_id || '/research/' || agency`},
	{"marac_actions", "description_key", "description", `id || '/description'`},
	{"marac_actions", "note_key", "note", `id || '/note'`},
	{"referral_drafts", "key_id", "sealed", `'draft/' || id`},
	{"webhooks", "secret_key", "secret", `'webhook/' || id || '/secret'`},
	{"orders", "detail_key", "detail", `referral_id || '/order/' || id`},
	{"order_changes", "reason_key", "reason", `(SELECT o.referral_id FROM orders o WHERE o.id = order_changes.order_id) || '/order/' || order_id || '/' || change || '/' || at`},
	{"breaches", "summary_key", "summary", `referral_id || '/order/' || order_id || '/breach/' || id`},
	{"victim_updates", "note_key", "note", `referral_id || '/victim-update/' || id`},
	{"break_glass_reads", "reason_key", "reason", `referral_id || '/break-glass/' || id`},
	{"held_forms", "key_id", "sealed", `'held/' || id || '/' || subject`},
	{"marac_action_changes", "reason_key", "reason", `'marac_action_change/' || id || '/reason'`},
	{"referral_amendments", "reason_key", "reason", `referral_id || '/amendment/' || version`},
	{"referral_section_versions", "key_id", "sealed", `referral_id || '/' || category`},
	{"marac_case_changes", "reason_key", "reason", `'marac_case_change/' || id || '/reason'`},
	{"marac_minutes", "risks_key", "risks", `case_id || '/minutes/risks'`},
	{"marac_minutes", "decisions_key", "decisions", `case_id || '/minutes/decisions'`},
	{"marac_minutes", "actions_key", "actions", `case_id || '/minutes/actions'`},
}

// SealedByKey counts the sealed values of the database by the id of the
// key that sealed them, so an operator knows when an old key is unused.
func (db *DB) SealedByKey(ctx context.Context) (map[string]int64, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	out := map[string]int64{}
	for _, c := range sealedColumns {
		rows, err := tx.QueryContext(ctx, `SELECT `+c.key+`, COUNT(*) FROM `+c.table+` WHERE `+c.key+` <> '' GROUP BY `+c.key)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var n int64
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Reseal seals again, under the keyring's current key, every sealed value
// that an older key sealed, batch rows per transaction so that a serving
// hub's writes wait for one short batch at most. progress, when set, hears
// how many of the values found at the start are done. It returns how many
// values it re-sealed. A value written under an old key while it runs (by
// a hub that has not yet taken up the new key) may be missed: run it again
// until SealedByKey shows none left.
func (db *DB) Reseal(ctx context.Context, batch int, progress func(done, total int64)) (int64, error) {
	if db.keys == nil {
		return 0, errors.New("no sealing keys")
	}
	if batch < 1 {
		batch = 500
	}
	current := db.keys.Current()
	var total int64
	for _, c := range sealedColumns {
		var n int64
		if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+c.table+` WHERE `+c.key+` <> '' AND `+c.key+` <> ?`, current).Scan(&n); err != nil {
			return 0, err
		}
		total += n
	}
	var done int64
	if progress != nil {
		progress(0, total)
	}
	for _, c := range sealedColumns {
		var after []any
		for {
			n, last, err := db.resealBatch(ctx, c, current, after, batch)
			if err != nil {
				return done, fmt.Errorf("re-seal %s.%s: %w", c.table, c.blob, err)
			}
			if n == 0 {
				break
			}
			done, after = done+int64(n), last
			if progress != nil {
				progress(min(done, total), total)
			}
		}
	}
	return done, nil
}

// tableKeys are the primary keys of the tables with sealed columns that
// are not keyed by id alone: Reseal walks each table in the order of its key.
var tableKeys = map[string][]string{
	"marac_minutes":             {"case_id"},
	"marac_research":            {"case_id", "agency"},
	"referral_amendments":       {"referral_id", "version"},
	"referral_section_versions": {"referral_id", "version", "category"},
	"referral_sections":         {"referral_id", "category"},
}

// keyOf is the primary key of table.
func keyOf(table string) []string {
	if k, ok := tableKeys[table]; ok {
		return k
	}
	return []string{"id"}
}

// resealBatch re-seals up to batch values of column c whose key comes after
// after (nil: from the first), in one transaction, and returns how many and
// the last key it saw.
func (db *DB) resealBatch(ctx context.Context, c sealedColumn, current string, after []any, batch int) (int, []any, error) {
	key := keyOf(c.table)
	cols := strings.Join(key, ", ")
	n, last := 0, after
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		where, args := "", []any{current}
		if after != nil {
			where = `(` + cols + `) > (?` + strings.Repeat(", ?", len(key)-1) + `) AND `
			args = append(append([]any{}, after...), current)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+cols+`, `+c.key+`, `+c.blob+`, `+c.context+` FROM `+c.table+`
			WHERE `+where+c.key+` <> '' AND `+c.key+` <> ? ORDER BY `+cols+` LIMIT ?`, append(args, batch)...)
		if err != nil {
			return err
		}
		type value struct {
			key          []any
			kid, context string
			sealed       []byte
		}
		var vs []value
		for rows.Next() {
			v := value{key: make([]any, len(key))}
			dest := make([]any, 0, len(key)+3)
			for i := range v.key {
				dest = append(dest, &v.key[i])
			}
			if err := rows.Scan(append(dest, &v.kid, &v.sealed, &v.context)...); err != nil {
				rows.Close()
				return err
			}
			vs = append(vs, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		match := strings.Join(key, " = ? AND ") + " = ?"
		for i, v := range vs {
			plain, err := db.keys.Open(v.kid, v.sealed, v.context)
			if err != nil {
				return fmt.Errorf("row %d of the batch: %w", i+1, err)
			}
			kid, sealed, err := db.keys.Seal(plain, v.context)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE `+c.table+` SET `+c.key+` = ?, `+c.blob+` = ? WHERE `+match, append([]any{kid, sealed}, v.key...)...); err != nil {
				return err
			}
			n, last = n+1, v.key
		}
		return nil
	})
	return n, last, err
}

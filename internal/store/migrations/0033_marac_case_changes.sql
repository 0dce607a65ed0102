-- A MARAC case the coordinator took off its meeting's agenda stays in the
-- record (its research and actions with it), marked removed; edits and
-- removals are kept with their reason (sealed), who and when.
ALTER TABLE marac_cases ADD COLUMN removed_at TEXT NOT NULL DEFAULT '';
ALTER TABLE marac_cases ADD COLUMN removed_by TEXT NOT NULL DEFAULT '';

CREATE TABLE marac_case_changes (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES marac_cases (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,              -- edited, removed
    criterion_before TEXT NOT NULL DEFAULT '',
    criterion_after  TEXT NOT NULL DEFAULT '',
    note_changed     INTEGER NOT NULL DEFAULT 0,
    reason_key       TEXT NOT NULL DEFAULT '',
    reason           BLOB,
    by_subject       TEXT NOT NULL,
    at               TEXT NOT NULL
);
CREATE INDEX marac_case_changes_case ON marac_case_changes (case_id, at);

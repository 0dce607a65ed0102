-- The names people signed in under, and since when, so that pages can name
-- the person behind an audit entry or a decision as they were known at the
-- time, while the audit log itself keeps only their subject.
CREATE TABLE people (
    subject    TEXT NOT NULL,
    name       TEXT NOT NULL,
    agency     TEXT NOT NULL DEFAULT '',
    seen_from  TEXT NOT NULL,
    PRIMARY KEY (subject, seen_from)
);

-- Verifications of the audit log started from the hub by an auditor: who,
-- when, how far, and the verdict (counts and hashes only).
CREATE TABLE audit_verifications (
    id          INTEGER PRIMARY KEY,
    started_by  TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT '',
    done        INTEGER NOT NULL DEFAULT 0,
    total       INTEGER NOT NULL DEFAULT 0,
    ok          INTEGER NOT NULL DEFAULT 0,
    verdict     TEXT NOT NULL DEFAULT ''
);

-- What the MARAC coordinator did to an action besides its status: chased
-- its owner, or moved its due date (with the reason, sealed).
CREATE TABLE marac_action_changes (
    id          TEXT PRIMARY KEY,
    action_id   TEXT NOT NULL REFERENCES marac_actions (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,              -- chased, extended
    due_before  TEXT NOT NULL DEFAULT '',
    due_after   TEXT NOT NULL DEFAULT '',
    reason_key  TEXT NOT NULL DEFAULT '',
    reason      BLOB,
    by_subject  TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX marac_action_changes_action ON marac_action_changes (action_id, at);

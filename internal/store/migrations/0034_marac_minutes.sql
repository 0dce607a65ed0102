-- The minutes of a MARAC case (risks discussed, decisions, actions agreed),
-- each sealed with the kind of information it holds, and the member
-- agencies that sent apologies to a meeting.
CREATE TABLE marac_minutes (
    case_id            TEXT PRIMARY KEY REFERENCES marac_cases (id) ON DELETE CASCADE,
    risks_key          TEXT NOT NULL DEFAULT '',
    risks              BLOB,
    decisions_key      TEXT NOT NULL DEFAULT '',
    decisions          BLOB,
    actions_key        TEXT NOT NULL DEFAULT '',
    actions            BLOB,
    category           TEXT NOT NULL DEFAULT '',
    author             TEXT NOT NULL DEFAULT '',
    written_by         TEXT NOT NULL,
    written_at         TEXT NOT NULL
);

CREATE TABLE marac_apologies (
    meeting_id  TEXT NOT NULL REFERENCES marac_meetings (id) ON DELETE CASCADE,
    agency      TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, agency)
);

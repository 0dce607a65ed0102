-- MARAC: meetings, the cases on their agendas, each member agency's research,
-- who attended and acknowledged confidentiality, and the actions agreed. Free
-- text may hold personal data and is sealed like a referral's sections.
CREATE TABLE marac_meetings (
    id           TEXT PRIMARY KEY,
    panel        TEXT NOT NULL,               -- a configured panel id
    meeting_date TEXT NOT NULL,               -- YYYY-MM-DD
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX marac_meetings_date ON marac_meetings (meeting_date, panel);

CREATE TABLE marac_cases (
    id          TEXT PRIMARY KEY,
    meeting_id  TEXT NOT NULL REFERENCES marac_meetings (id) ON DELETE CASCADE,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,             -- the order on the agenda, from 1
    criterion   TEXT NOT NULL,
    note_key    TEXT NOT NULL DEFAULT '',     -- the coordinator's restricted note, sealed
    note        BLOB,
    is_repeat   INTEGER NOT NULL DEFAULT 0,   -- the same victim and suspect were heard in the 12 months before
    added_by    TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    UNIQUE (meeting_id, referral_id)
);
CREATE INDEX marac_cases_referral ON marac_cases (referral_id);

CREATE TABLE marac_research (
    case_id          TEXT NOT NULL REFERENCES marac_cases (id) ON DELETE CASCADE,
    agency           TEXT NOT NULL,
    summary_key      TEXT NOT NULL DEFAULT '',  -- sealed
    summary          BLOB,
    known_to_service INTEGER NOT NULL,
    open_case        INTEGER NOT NULL,
    submitted_by     TEXT NOT NULL,
    submitted_at     TEXT NOT NULL,
    PRIMARY KEY (case_id, agency)
);

-- The agencies the coordinator records as attending; only their people (and
-- the coordinator) may acknowledge confidentiality and read the papers.
CREATE TABLE marac_meeting_agencies (
    meeting_id  TEXT NOT NULL REFERENCES marac_meetings (id) ON DELETE CASCADE,
    agency      TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, agency)
);

-- The people who attended for those agencies and acknowledged confidentiality.
CREATE TABLE marac_attendance (
    meeting_id      TEXT NOT NULL REFERENCES marac_meetings (id) ON DELETE CASCADE,
    agency          TEXT NOT NULL,
    person          TEXT NOT NULL,            -- the attendee's subject
    name            TEXT NOT NULL,
    acknowledged_at TEXT NOT NULL,            -- when they acknowledged confidentiality
    PRIMARY KEY (meeting_id, agency, person)
);
CREATE INDEX marac_attendance_person ON marac_attendance (meeting_id, person);

CREATE TABLE marac_actions (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES marac_cases (id) ON DELETE CASCADE,
    agency          TEXT NOT NULL,            -- the owning agency
    description_key TEXT NOT NULL,            -- sealed
    description     BLOB NOT NULL,
    due             TEXT NOT NULL,            -- YYYY-MM-DD, the last day
    status          TEXT NOT NULL,            -- open, done, not_possible, not_done
    note_key        TEXT NOT NULL DEFAULT '', -- sealed
    note            BLOB,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL DEFAULT '',
    updated_at      TEXT NOT NULL DEFAULT '',
    overdue_noted   INTEGER NOT NULL DEFAULT 0, -- the owning agency was told it is overdue
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX marac_actions_agency ON marac_actions (agency, status, due);
CREATE INDEX marac_actions_status ON marac_actions (status, due);
CREATE INDEX marac_actions_case ON marac_actions (case_id);

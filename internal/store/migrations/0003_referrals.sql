-- Referrals. Personal data lives only in referral_sections, one sealed row per
-- data category; everything else here is the non-personal metadata that
-- lists, inboxes and reports need.
CREATE TABLE referrals (
    id                  TEXT PRIMARY KEY,
    reference           TEXT NOT NULL UNIQUE,
    state               TEXT NOT NULL,            -- draft, sent
    officer             TEXT NOT NULL,            -- subject of the officer who raised it
    officer_name        TEXT NOT NULL,
    offence             TEXT NOT NULL,
    risk_level          TEXT NOT NULL,
    risk_tool           TEXT NOT NULL DEFAULT '',
    risk_score          INTEGER,
    incidents           INTEGER NOT NULL DEFAULT 0,
    first_incident      TEXT NOT NULL DEFAULT '',
    last_incident       TEXT NOT NULL DEFAULT '',
    domestic_abuse      INTEGER NOT NULL DEFAULT 0,
    hate_crime_strand   TEXT NOT NULL DEFAULT '',
    honour_based_abuse  INTEGER NOT NULL DEFAULT 0,
    fear_of_violence    INTEGER NOT NULL DEFAULT 0,
    technology_enabled  INTEGER NOT NULL DEFAULT 0,
    marac_concern       INTEGER NOT NULL DEFAULT 0,  -- the officer stated a professional-judgement concern
    victim_fp           TEXT NOT NULL DEFAULT '',    -- keyed fingerprint of the victim's name and date of birth
    suspect_fp          TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    sent_at             TEXT NOT NULL DEFAULT '',
    updated_at          TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX referrals_officer ON referrals (officer, created_at);
CREATE INDEX referrals_created ON referrals (created_at);
CREATE INDEX referrals_victim_fp ON referrals (victim_fp) WHERE victim_fp <> '';
CREATE INDEX referrals_suspect_fp ON referrals (suspect_fp) WHERE suspect_fp <> '';

CREATE TABLE referral_sections (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    category    TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    sealed      BLOB NOT NULL,
    PRIMARY KEY (referral_id, category)
);

-- One share per receiving agency: its lifecycle and its clock.
CREATE TABLE shares (
    id            TEXT PRIMARY KEY,
    referral_id   TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    agency        TEXT NOT NULL,
    request_key   TEXT NOT NULL DEFAULT '',   -- what is asked of the agency, sealed
    request       BLOB,
    status        TEXT NOT NULL,
    reason_key    TEXT NOT NULL DEFAULT '',   -- decline reason, sealed
    reason        BLOB,
    outcome_key   TEXT NOT NULL DEFAULT '',   -- closing outcome, sealed
    outcome       BLOB,
    decline_code  TEXT NOT NULL DEFAULT '',   -- the reason's kind, for reports
    risk_level    TEXT NOT NULL,
    risk_rank     INTEGER NOT NULL,           -- 3 high, 2 medium, 1 standard: the inbox puts high first
    sent_at       TEXT NOT NULL,
    due_at        TEXT NOT NULL,
    viewed_at     TEXT NOT NULL DEFAULT '',
    answered_at   TEXT NOT NULL DEFAULT '',   -- first accepted or declined
    accepted_at   TEXT NOT NULL DEFAULT '',
    closed_at     TEXT NOT NULL DEFAULT '',
    overdue_noted INTEGER NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL DEFAULT 1,
    UNIQUE (referral_id, agency)
);
CREATE INDEX shares_inbox ON shares (agency, risk_rank DESC, sent_at, id);
CREATE INDEX shares_due ON shares (status, due_at);

-- A thread per share: "we need more information" and the answers. Sealed.
CREATE TABLE share_messages (
    id          TEXT PRIMARY KEY,
    share_id    TEXT NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
    author      TEXT NOT NULL,
    author_name TEXT NOT NULL,
    author_side TEXT NOT NULL,                -- police or the agency id
    key_id      TEXT NOT NULL,
    body        BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX share_messages_share ON share_messages (share_id, created_at);

-- What happened on a referral, for its timeline. No personal data.
CREATE TABLE referral_events (
    id          INTEGER PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    agency      TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, at);

-- Consent history: append-only, the latest record rules.
CREATE TABLE consents (
    id          TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    decision    TEXT NOT NULL,
    reason_key  TEXT NOT NULL DEFAULT '',     -- why consent was not sought, sealed
    reason      BLOB,
    agencies    TEXT NOT NULL DEFAULT '',     -- comma-separated agency ids
    categories  INTEGER NOT NULL DEFAULT 0,   -- category.Set bits
    method      TEXT NOT NULL DEFAULT '',
    obtained_on TEXT NOT NULL DEFAULT '',
    review_on   TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    seq         INTEGER NOT NULL
);
CREATE INDEX consents_referral ON consents (referral_id, seq);

-- Requests to share without consent, and their decisions.
CREATE TABLE overrides (
    id           TEXT PRIMARY KEY,
    referral_id  TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    basis        TEXT NOT NULL,
    rationale_key TEXT NOT NULL,              -- free text is sealed like every section
    rationale    BLOB NOT NULL,
    agencies     TEXT NOT NULL,
    categories   INTEGER NOT NULL,
    until        TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    status       TEXT NOT NULL,
    decided_by   TEXT NOT NULL DEFAULT '',
    decided_at   TEXT NOT NULL DEFAULT '',
    note_key     TEXT NOT NULL DEFAULT '',
    note         BLOB
);
CREATE INDEX overrides_referral ON overrides (referral_id);
CREATE INDEX overrides_pending ON overrides (status);

-- Links between referrals that concern the same victim or suspect.
CREATE TABLE referral_links (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    other_id    TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    via         TEXT NOT NULL,                -- victim, suspect
    status      TEXT NOT NULL,                -- suggested, confirmed, rejected
    decided_by  TEXT NOT NULL DEFAULT '',
    decided_at  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (referral_id, other_id, via)
);

-- Idempotency-Key on create: the same key and body give the same referral.
CREATE TABLE idempotency_keys (
    actor       TEXT NOT NULL,
    key         TEXT NOT NULL,
    body_hash   TEXT NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (actor, key)
);

-- The yearly sequence behind the human references SH-YYYY-NNNNNN.
CREATE TABLE reference_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

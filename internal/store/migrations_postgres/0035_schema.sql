-- The PostgreSQL schema of the hub: the shape the SQLite migrations
-- 0001..0035 (internal/store/migrations) leave, written once in its final
-- form rather than replayed. Every later migration is written for both
-- folders under the same number, with the same effect; schema_test.go holds
-- the two schemas equal (tables, columns, keys, indexes, triggers).
--
-- Types as SQLite holds them: INTEGER is BIGINT, BLOB is BYTEA; booleans
-- stay the integers 0 and 1 the store writes; times stay the fixed-width
-- UTC text the store writes (2006-01-02T15:04:05.000000000Z), compared as
-- text. Every TEXT column is COLLATE "C" so that comparison and ORDER BY
-- are in byte order, as SQLite's BINARY collation has them. Ids SQLite
-- gives out itself (INTEGER PRIMARY KEY written without one, AUTOINCREMENT)
-- are identities; ids the hub writes itself (audit indexes, the counter's
-- year) are plain keys. schema_migrations belongs to the migrator, not to a
-- migration. No SQLite migration inserts rows, so none are inserted here.

-- twelve_months_before is the time twelve calendar months before t, in
-- the store's layout: the year before, the same day and time; 29 February
-- gives 1 March, as Go's time.AddDate(0, -12, 0) and SQLite's '-12 months'
-- have it (PostgreSQL's interval arithmetic gives 28 February). It works on
-- the text, so the time of day and its fraction are kept as written.
CREATE FUNCTION twelve_months_before(t TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT lpad((substr(t, 1, 4)::INTEGER - 1)::TEXT, 4, '0')
        || CASE WHEN substr(t, 5, 6) = '-02-29' THEN '-03-01' ELSE substr(t, 5, 6) END
        || substr(t, 11)
$$;

-- epoch_seconds is the Unix time, in whole seconds, of a stored time's
-- first 19 characters (YYYY-MM-DDTHH:MM:SS, UTC), as SQLite's
-- unixepoch(substr(t, 1, 19)) gives it: the fraction is dropped, not
-- rounded, and the session's time zone plays no part.
CREATE FUNCTION epoch_seconds(t TEXT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT EXTRACT(EPOCH FROM make_timestamp(substr(t, 1, 4)::INTEGER, substr(t, 6, 2)::INTEGER, substr(t, 9, 2)::INTEGER,
        substr(t, 12, 2)::INTEGER, substr(t, 15, 2)::INTEGER, substr(t, 18, 2)::DOUBLE PRECISION))::BIGINT
$$;

CREATE TABLE signin_states (
    state      TEXT COLLATE "C" PRIMARY KEY,
    nonce      TEXT COLLATE "C" NOT NULL,
    verifier   TEXT COLLATE "C" NOT NULL,
    return_to  TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    browser    TEXT COLLATE "C" NOT NULL DEFAULT ''
);

CREATE TABLE sessions (
    token_hash   TEXT COLLATE "C" PRIMARY KEY,
    subject      TEXT COLLATE "C" NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    email        TEXT COLLATE "C" NOT NULL,
    roles        TEXT COLLATE "C" NOT NULL,
    agency       TEXT COLLATE "C" NOT NULL,
    id_token     TEXT COLLATE "C" NOT NULL,
    auth_time    BIGINT NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL,
    last_seen    TEXT COLLATE "C" NOT NULL,
    csrf         TEXT COLLATE "C" NOT NULL,
    claim_roles  TEXT COLLATE "C" NOT NULL DEFAULT '',
    claim_agency TEXT COLLATE "C" NOT NULL DEFAULT '',
    received     TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX sessions_email ON sessions (email);
CREATE INDEX sessions_subject ON sessions (subject);

CREATE TABLE memberships (
    email      TEXT COLLATE "C" NOT NULL,
    role       TEXT COLLATE "C" NOT NULL,
    agency     TEXT COLLATE "C" NOT NULL DEFAULT '',
    granted_by TEXT COLLATE "C" NOT NULL,
    granted_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (email, role, agency)
);

CREATE TABLE audit_entries (
    idx    BIGINT PRIMARY KEY,
    at     TEXT COLLATE "C" NOT NULL,
    actor  TEXT COLLATE "C" NOT NULL,
    action TEXT COLLATE "C" NOT NULL,
    record TEXT COLLATE "C" NOT NULL,
    agency TEXT COLLATE "C" NOT NULL,
    body   BYTEA NOT NULL
);
CREATE INDEX audit_entries_actor ON audit_entries (actor, idx);
CREATE INDEX audit_entries_at ON audit_entries (at);
CREATE INDEX audit_entries_record ON audit_entries (record, idx);

CREATE TABLE audit_hashes (
    id   BIGINT PRIMARY KEY,
    hash BYTEA NOT NULL
);

CREATE TABLE audit_checkpoints (
    size BIGINT PRIMARY KEY,
    note TEXT COLLATE "C" NOT NULL,
    at   TEXT COLLATE "C" NOT NULL
);

CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL,
    note TEXT COLLATE "C" NOT NULL
);

CREATE TABLE referrals (
    id                     TEXT COLLATE "C" PRIMARY KEY,
    reference              TEXT COLLATE "C" NOT NULL UNIQUE,
    state                  TEXT COLLATE "C" NOT NULL,                  -- draft, sent
    officer                TEXT COLLATE "C" NOT NULL,                  -- subject of the officer who raised it
    officer_name           TEXT COLLATE "C" NOT NULL,
    offence                TEXT COLLATE "C" NOT NULL,
    risk_level             TEXT COLLATE "C" NOT NULL,
    risk_tool              TEXT COLLATE "C" NOT NULL DEFAULT '',
    risk_score             BIGINT,
    incidents              BIGINT NOT NULL DEFAULT 0,
    first_incident         TEXT COLLATE "C" NOT NULL DEFAULT '',
    last_incident          TEXT COLLATE "C" NOT NULL DEFAULT '',
    domestic_abuse         BIGINT NOT NULL DEFAULT 0,
    hate_crime_strand      TEXT COLLATE "C" NOT NULL DEFAULT '',
    honour_based_abuse     BIGINT NOT NULL DEFAULT 0,
    fear_of_violence       BIGINT NOT NULL DEFAULT 0,
    technology_enabled     BIGINT NOT NULL DEFAULT 0,
    marac_concern          BIGINT NOT NULL DEFAULT 0,                  -- the officer stated a professional-judgement concern
    victim_fp              TEXT COLLATE "C" NOT NULL DEFAULT '',       -- keyed fingerprint of the victim's name and date of birth
    suspect_fp             TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_at             TEXT COLLATE "C" NOT NULL,
    sent_at                TEXT COLLATE "C" NOT NULL DEFAULT '',
    updated_at             TEXT COLLATE "C" NOT NULL,
    version                BIGINT NOT NULL DEFAULT 1,
    repeat_victim          BIGINT NOT NULL DEFAULT 0,
    repeat_suspect         BIGINT NOT NULL DEFAULT 0,
    linked_via_victim      BIGINT NOT NULL DEFAULT 0,
    linked_via_suspect     BIGINT NOT NULL DEFAULT 0,
    consent_decision       TEXT COLLATE "C" NOT NULL DEFAULT '',       -- of the latest consent record; '' for none
    shared_with            TEXT COLLATE "C" NOT NULL DEFAULT ',',     -- the agencies it was sent to: ',housing,health,'
    victim_enhanced        BIGINT NOT NULL DEFAULT 0,
    victim_enhanced_reason TEXT COLLATE "C" NOT NULL DEFAULT '',
    cj_outcome             TEXT COLLATE "C" NOT NULL DEFAULT '',
    cj_outcome_on          TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX referrals_officer ON referrals (officer, created_at);
CREATE INDEX referrals_report ON referrals (created_at, state, offence, risk_level, hate_crime_strand, domestic_abuse, honour_based_abuse, fear_of_violence, technology_enabled, repeat_victim, repeat_suspect, linked_via_victim, linked_via_suspect, consent_decision, shared_with);
CREATE INDEX referrals_suspect_raised ON referrals (suspect_fp, created_at) WHERE suspect_fp <> '';
CREATE INDEX referrals_unsent ON referrals (id) WHERE state <> 'sent';
CREATE INDEX referrals_victim_raised ON referrals (victim_fp, created_at) WHERE victim_fp <> '';

CREATE TABLE referral_sections (
    referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    category    TEXT COLLATE "C" NOT NULL,
    key_id      TEXT COLLATE "C" NOT NULL,
    sealed      BYTEA NOT NULL,
    PRIMARY KEY (referral_id, category)
);

CREATE TABLE shares (
    id                  TEXT COLLATE "C" PRIMARY KEY,
    referral_id         TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    agency              TEXT COLLATE "C" NOT NULL,
    request_key         TEXT COLLATE "C" NOT NULL DEFAULT '',          -- what is asked of the agency, sealed
    request             BYTEA,
    status              TEXT COLLATE "C" NOT NULL,
    reason_key          TEXT COLLATE "C" NOT NULL DEFAULT '',          -- decline reason, sealed
    reason              BYTEA,
    outcome_key         TEXT COLLATE "C" NOT NULL DEFAULT '',          -- closing outcome, sealed
    outcome             BYTEA,
    decline_code        TEXT COLLATE "C" NOT NULL DEFAULT '',          -- the reason's kind, for reports
    risk_level          TEXT COLLATE "C" NOT NULL,
    risk_rank           BIGINT NOT NULL,                               -- 3 high, 2 medium, 1 standard: the inbox puts high first
    sent_at             TEXT COLLATE "C" NOT NULL,
    due_at              TEXT COLLATE "C" NOT NULL,
    viewed_at           TEXT COLLATE "C" NOT NULL DEFAULT '',
    answered_at         TEXT COLLATE "C" NOT NULL DEFAULT '',          -- first accepted or declined
    accepted_at         TEXT COLLATE "C" NOT NULL DEFAULT '',
    closed_at           TEXT COLLATE "C" NOT NULL DEFAULT '',
    overdue_noted       BIGINT NOT NULL DEFAULT 0,
    version             BIGINT NOT NULL DEFAULT 1,
    outcome_code        TEXT COLLATE "C" NOT NULL DEFAULT '',
    answer_seconds      BIGINT,
    accept_seconds      BIGINT,
    withdraw_reason_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    withdraw_reason     BYTEA,
    withdrawn_at        TEXT COLLATE "C" NOT NULL DEFAULT '',
    police_unread       BIGINT NOT NULL DEFAULT 0,
    UNIQUE (referral_id, agency)
);
CREATE INDEX shares_accept_time ON shares (agency, accept_seconds, sent_at, referral_id) WHERE accepted_at <> '';
CREATE INDEX shares_answer_time ON shares (agency, answer_seconds, sent_at, referral_id) WHERE answered_at <> '';
CREATE INDEX shares_due ON shares (status, due_at);
CREATE INDEX shares_inbox ON shares (agency, risk_rank DESC, sent_at, id);
CREATE INDEX shares_report ON shares (agency, status, decline_code, outcome_code, sent_at, answered_at, accepted_at, due_at, referral_id);

CREATE TABLE share_messages (
    id          TEXT COLLATE "C" PRIMARY KEY,
    share_id    TEXT COLLATE "C" NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
    author      TEXT COLLATE "C" NOT NULL,
    author_name TEXT COLLATE "C" NOT NULL,
    author_side TEXT COLLATE "C" NOT NULL,                             -- police or the agency id
    key_id      TEXT COLLATE "C" NOT NULL,
    body        BYTEA NOT NULL,
    created_at  TEXT COLLATE "C" NOT NULL,
    category    TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX share_messages_share ON share_messages (share_id, created_at);

CREATE TABLE referral_events (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    at          TEXT COLLATE "C" NOT NULL,
    actor       TEXT COLLATE "C" NOT NULL,
    actor_name  TEXT COLLATE "C" NOT NULL,
    agency      TEXT COLLATE "C" NOT NULL DEFAULT '',
    kind        TEXT COLLATE "C" NOT NULL,
    detail      TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, at);

CREATE TABLE consents (
    id          TEXT COLLATE "C" PRIMARY KEY,
    referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    decision    TEXT COLLATE "C" NOT NULL,
    reason_key  TEXT COLLATE "C" NOT NULL DEFAULT '',                  -- why consent was not sought, sealed
    reason      BYTEA,
    agencies    TEXT COLLATE "C" NOT NULL DEFAULT '',                  -- comma-separated agency ids
    categories  BIGINT NOT NULL DEFAULT 0,                             -- category.Set bits
    method      TEXT COLLATE "C" NOT NULL DEFAULT '',
    obtained_on TEXT COLLATE "C" NOT NULL DEFAULT '',
    review_on   TEXT COLLATE "C" NOT NULL DEFAULT '',
    recorded_by TEXT COLLATE "C" NOT NULL,
    recorded_at TEXT COLLATE "C" NOT NULL,
    seq         BIGINT NOT NULL
);
CREATE INDEX consents_referral ON consents (referral_id, seq);

CREATE TABLE overrides (
    id                 TEXT COLLATE "C" PRIMARY KEY,
    referral_id        TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    basis              TEXT COLLATE "C" NOT NULL,
    rationale_key      TEXT COLLATE "C" NOT NULL,                      -- free text is sealed like every section
    rationale          BYTEA NOT NULL,
    agencies           TEXT COLLATE "C" NOT NULL,
    categories         BIGINT NOT NULL,
    until              TEXT COLLATE "C" NOT NULL,
    requested_by       TEXT COLLATE "C" NOT NULL,
    requested_at       TEXT COLLATE "C" NOT NULL,
    status             TEXT COLLATE "C" NOT NULL,
    decided_by         TEXT COLLATE "C" NOT NULL DEFAULT '',
    decided_at         TEXT COLLATE "C" NOT NULL DEFAULT '',
    note_key           TEXT COLLATE "C" NOT NULL DEFAULT '',
    note               BYTEA,
    rationale_category TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX overrides_pending ON overrides (status);
CREATE INDEX overrides_referral ON overrides (referral_id);

CREATE TABLE referral_links (
    referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    other_id    TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    via         TEXT COLLATE "C" NOT NULL,                             -- victim, suspect
    status      TEXT COLLATE "C" NOT NULL,                             -- suggested, confirmed, rejected
    decided_by  TEXT COLLATE "C" NOT NULL DEFAULT '',
    decided_at  TEXT COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (referral_id, other_id, via)
);
CREATE INDEX referral_links_other ON referral_links (other_id, via, status);

CREATE TABLE idempotency_keys (
    actor       TEXT COLLATE "C" NOT NULL,
    key         TEXT COLLATE "C" NOT NULL,
    body_hash   TEXT COLLATE "C" NOT NULL,
    referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    created_at  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (actor, key)
);

CREATE TABLE reference_counters (
    year BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);

CREATE TABLE outbox (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kind            TEXT COLLATE "C" NOT NULL,
    recipient       TEXT COLLATE "C" NOT NULL,
    reference       TEXT COLLATE "C" NOT NULL,
    link            TEXT COLLATE "C" NOT NULL,
    created_at      TEXT COLLATE "C" NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT COLLATE "C" NOT NULL,
    leased_until    TEXT COLLATE "C",
    delivered_at    TEXT COLLATE "C",
    failed_at       TEXT COLLATE "C",
    last_error      TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX outbox_created ON outbox (created_at);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;

CREATE TABLE marac_meetings (
    id           TEXT COLLATE "C" PRIMARY KEY,
    panel        TEXT COLLATE "C" NOT NULL,                            -- a configured panel id
    meeting_date TEXT COLLATE "C" NOT NULL,                            -- YYYY-MM-DD
    created_by   TEXT COLLATE "C" NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL
);
CREATE INDEX marac_meetings_date ON marac_meetings (meeting_date, panel);

CREATE TABLE marac_cases (
    id            TEXT COLLATE "C" PRIMARY KEY,
    meeting_id    TEXT COLLATE "C" NOT NULL REFERENCES marac_meetings (id) ON DELETE CASCADE,
    referral_id   TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    position      BIGINT NOT NULL,                                     -- the order on the agenda, from 1
    criterion     TEXT COLLATE "C" NOT NULL,
    note_key      TEXT COLLATE "C" NOT NULL DEFAULT '',                -- the coordinator's restricted note, sealed
    note          BYTEA,
    is_repeat     BIGINT NOT NULL DEFAULT 0,                           -- the same victim and suspect were heard in the 12 months before
    added_by      TEXT COLLATE "C" NOT NULL,
    added_at      TEXT COLLATE "C" NOT NULL,
    note_category TEXT COLLATE "C" NOT NULL DEFAULT '',
    note_author   TEXT COLLATE "C" NOT NULL DEFAULT '',
    removed_at    TEXT COLLATE "C" NOT NULL DEFAULT '',
    removed_by    TEXT COLLATE "C" NOT NULL DEFAULT '',
    UNIQUE (meeting_id, referral_id)
);
CREATE INDEX marac_cases_referral ON marac_cases (referral_id);

CREATE TABLE marac_research (
    case_id          TEXT COLLATE "C" NOT NULL REFERENCES marac_cases (id) ON DELETE CASCADE,
    agency           TEXT COLLATE "C" NOT NULL,
    summary_key      TEXT COLLATE "C" NOT NULL DEFAULT '',             -- sealed
    summary          BYTEA,
    known_to_service BIGINT NOT NULL,
    open_case        BIGINT NOT NULL,
    submitted_by     TEXT COLLATE "C" NOT NULL,
    submitted_at     TEXT COLLATE "C" NOT NULL,
    summary_category TEXT COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, agency)
);

CREATE TABLE marac_meeting_agencies (
    meeting_id  TEXT COLLATE "C" NOT NULL REFERENCES marac_meetings (id) ON DELETE CASCADE,
    agency      TEXT COLLATE "C" NOT NULL,
    recorded_by TEXT COLLATE "C" NOT NULL,
    recorded_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (meeting_id, agency)
);

CREATE TABLE marac_attendance (
    meeting_id      TEXT COLLATE "C" NOT NULL REFERENCES marac_meetings (id) ON DELETE CASCADE,
    agency          TEXT COLLATE "C" NOT NULL,
    person          TEXT COLLATE "C" NOT NULL,                         -- the attendee's subject
    name            TEXT COLLATE "C" NOT NULL,
    acknowledged_at TEXT COLLATE "C" NOT NULL,                         -- when they acknowledged confidentiality
    PRIMARY KEY (meeting_id, agency, person)
);
CREATE INDEX marac_attendance_person ON marac_attendance (meeting_id, person);

CREATE TABLE marac_actions (
    id                   TEXT COLLATE "C" PRIMARY KEY,
    case_id              TEXT COLLATE "C" NOT NULL REFERENCES marac_cases (id) ON DELETE CASCADE,
    agency               TEXT COLLATE "C" NOT NULL,                    -- the owning agency
    description_key      TEXT COLLATE "C" NOT NULL,                    -- sealed
    description          BYTEA NOT NULL,
    due                  TEXT COLLATE "C" NOT NULL,                    -- YYYY-MM-DD, the last day
    status               TEXT COLLATE "C" NOT NULL,                    -- open, done, not_possible, not_done
    note_key             TEXT COLLATE "C" NOT NULL DEFAULT '',         -- sealed
    note                 BYTEA,
    created_by           TEXT COLLATE "C" NOT NULL,
    created_at           TEXT COLLATE "C" NOT NULL,
    updated_by           TEXT COLLATE "C" NOT NULL DEFAULT '',
    updated_at           TEXT COLLATE "C" NOT NULL DEFAULT '',
    overdue_noted        BIGINT NOT NULL DEFAULT 0,                    -- the owning agency was told it is overdue
    version              BIGINT NOT NULL DEFAULT 1,
    description_category TEXT COLLATE "C" NOT NULL DEFAULT '',
    description_author   TEXT COLLATE "C" NOT NULL DEFAULT '',
    note_category        TEXT COLLATE "C" NOT NULL DEFAULT '',
    note_author          TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX marac_actions_agency ON marac_actions (agency, status, due);
CREATE INDEX marac_actions_case ON marac_actions (case_id);
CREATE INDEX marac_actions_status ON marac_actions (status, due);

CREATE TABLE referral_drafts (
    id         TEXT COLLATE "C" PRIMARY KEY,
    officer    TEXT COLLATE "C" NOT NULL,                              -- subject of the officer who started it
    key_id     TEXT COLLATE "C" NOT NULL,
    sealed     BYTEA NOT NULL,                                         -- the referral.Submission as JSON, sealed
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX referral_drafts_officer ON referral_drafts (officer, updated_at);

CREATE TABLE write_probe (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE membership_requests (
    id           TEXT COLLATE "C" PRIMARY KEY,
    email        TEXT COLLATE "C" NOT NULL,
    role         TEXT COLLATE "C" NOT NULL,
    agency       TEXT COLLATE "C" NOT NULL DEFAULT '',
    requested_by TEXT COLLATE "C" NOT NULL,
    requester    TEXT COLLATE "C" NOT NULL,                            -- the requesting admin's e-mail, so that they cannot approve it
    requested_at TEXT COLLATE "C" NOT NULL,
    UNIQUE (email, role, agency)
);

CREATE TABLE referral_restrictions (
    referral_id TEXT COLLATE "C" PRIMARY KEY REFERENCES referrals (id) ON DELETE CASCADE,
    restricted  BIGINT NOT NULL,
    changed_by  TEXT COLLATE "C" NOT NULL,
    changed_at  TEXT COLLATE "C" NOT NULL
);

CREATE TABLE referral_named_officers (
    referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    officer     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (referral_id, officer)
);

CREATE TABLE break_glass_reads (
    id          TEXT COLLATE "C" PRIMARY KEY,
    referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    actor       TEXT COLLATE "C" NOT NULL,                             -- the officer's subject
    actor_name  TEXT COLLATE "C" NOT NULL,
    at          TEXT COLLATE "C" NOT NULL,
    reason_key  TEXT COLLATE "C" NOT NULL,                             -- the reason they gave, sealed
    reason      BYTEA NOT NULL                                         -- the audit log's release entry names this id in its detail
);
CREATE INDEX break_glass_reads_at ON break_glass_reads (at);

CREATE TABLE orders (
    id            TEXT COLLATE "C" PRIMARY KEY,
    referral_id   TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    kind          TEXT COLLATE "C" NOT NULL,
    detail_key    TEXT COLLATE "C" NOT NULL,
    detail        BYTEA NOT NULL,                                      -- {"conditions","court","reference"}, sealed
    starts_on     TEXT COLLATE "C" NOT NULL,
    ends_on       TEXT COLLATE "C" NOT NULL DEFAULT '',                -- '' until further order
    discharged_on TEXT COLLATE "C" NOT NULL DEFAULT '',
    breaches      BIGINT NOT NULL DEFAULT 0,
    notice_sent   BIGINT NOT NULL DEFAULT 0,                           -- the last ending notice sent: 0, 28 or 7 (days before the end)
    created_by    TEXT COLLATE "C" NOT NULL,
    created_at    TEXT COLLATE "C" NOT NULL,
    updated_at    TEXT COLLATE "C" NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX orders_ends ON orders (ends_on);
CREATE INDEX orders_referral ON orders (referral_id, starts_on);

CREATE TABLE order_changes (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    order_id   TEXT COLLATE "C" NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    change     TEXT COLLATE "C" NOT NULL,
    at         TEXT COLLATE "C" NOT NULL,
    actor      TEXT COLLATE "C" NOT NULL,
    ends_on    TEXT COLLATE "C" NOT NULL DEFAULT '',                   -- the end date after the change
    reason_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    reason     BYTEA
);
CREATE INDEX order_changes_order ON order_changes (order_id, id);

CREATE TABLE breaches (
    id          TEXT COLLATE "C" PRIMARY KEY,
    order_id    TEXT COLLATE "C" NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    occurred_on TEXT COLLATE "C" NOT NULL,
    summary_key TEXT COLLATE "C" NOT NULL,
    summary     BYTEA NOT NULL,
    recorded_by TEXT COLLATE "C" NOT NULL,
    recorded_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX breaches_order ON breaches (order_id, occurred_on);

CREATE TABLE victim_updates (
    id          TEXT COLLATE "C" PRIMARY KEY,
    referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    event       TEXT COLLATE "C" NOT NULL,
    event_on    TEXT COLLATE "C" NOT NULL,
    due_by      TEXT COLLATE "C" NOT NULL,                             -- the end of this working day
    enhanced    BIGINT NOT NULL,                                       -- the rights the due date was worked out for
    told_on     TEXT COLLATE "C" NOT NULL DEFAULT '',
    method      TEXT COLLATE "C" NOT NULL DEFAULT '',
    note_key    TEXT COLLATE "C" NOT NULL DEFAULT '',
    note        BYTEA,
    recorded_by TEXT COLLATE "C" NOT NULL,
    recorded_at TEXT COLLATE "C" NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX victim_updates_due ON victim_updates (due_by);
CREATE INDEX victim_updates_referral ON victim_updates (referral_id, event_on);

CREATE TABLE victim_equality (
    referral_id        TEXT COLLATE "C" PRIMARY KEY REFERENCES referrals (id) ON DELETE CASCADE,
    sex                TEXT COLLATE "C" NOT NULL DEFAULT '',
    age_band           TEXT COLLATE "C" NOT NULL DEFAULT '',
    ethnicity          TEXT COLLATE "C" NOT NULL DEFAULT '',
    disability         TEXT COLLATE "C" NOT NULL DEFAULT '',
    sexual_orientation TEXT COLLATE "C" NOT NULL DEFAULT '',
    gender_identity    TEXT COLLATE "C" NOT NULL DEFAULT '',
    interpreter        TEXT COLLATE "C" NOT NULL DEFAULT ''
);

CREATE TABLE partner_events (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,   -- the feed's cursor; an identity, so that an id is never given twice
    event_id    TEXT COLLATE "C" NOT NULL UNIQUE,                      -- the event's public id: the body's "id" and the webhook-id header
    type        TEXT COLLATE "C" NOT NULL,
    agency      TEXT COLLATE "C" NOT NULL,
    referral_id TEXT COLLATE "C" NOT NULL,
    reference   TEXT COLLATE "C" NOT NULL,
    status      TEXT COLLATE "C" NOT NULL DEFAULT '',
    at          TEXT COLLATE "C" NOT NULL
);
CREATE INDEX partner_events_agency ON partner_events (agency, id);

CREATE TABLE webhooks (
    id           TEXT COLLATE "C" PRIMARY KEY,
    agency       TEXT COLLATE "C" NOT NULL,
    url          TEXT COLLATE "C" NOT NULL,
    events       TEXT COLLATE "C" NOT NULL,
    secret_key   TEXT COLLATE "C" NOT NULL,
    secret       BYTEA NOT NULL,
    created_by   TEXT COLLATE "C" NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL,
    paused_at    TEXT COLLATE "C",                                     -- set when deliveries kept failing; nothing is sent until an admin resumes it
    pause_reason TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX webhooks_agency ON webhooks (agency);

CREATE TABLE webhook_deliveries (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    webhook_id      TEXT COLLATE "C" NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        BIGINT NOT NULL REFERENCES partner_events (id),
    created_at      TEXT COLLATE "C" NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT COLLATE "C" NOT NULL,
    leased_until    TEXT COLLATE "C",
    delivered_at    TEXT COLLATE "C",
    failed_at       TEXT COLLATE "C",
    last_status     BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

CREATE TABLE referral_search (
    referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    fp          TEXT COLLATE "C" NOT NULL,
    category    TEXT COLLATE "C" NOT NULL,                             -- the category the matched value belongs to: identity, suspect, offence
    PRIMARY KEY (referral_id, fp)
);
CREATE INDEX referral_search_fp ON referral_search (fp);

CREATE TABLE referral_search_indexed (
    referral_id TEXT COLLATE "C" PRIMARY KEY REFERENCES referrals (id) ON DELETE CASCADE
);

CREATE TABLE held_forms (
    id         TEXT COLLATE "C" PRIMARY KEY,
    subject    TEXT COLLATE "C" NOT NULL,                              -- whose expired session posted it
    path       TEXT COLLATE "C" NOT NULL,                              -- the page it is put back into
    key_id     TEXT COLLATE "C" NOT NULL,
    sealed     BYTEA NOT NULL,                                         -- the form's fields as JSON, sealed
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX held_forms_expires ON held_forms (expires_at);

CREATE TABLE people (
    subject   TEXT COLLATE "C" NOT NULL,
    name      TEXT COLLATE "C" NOT NULL,
    agency    TEXT COLLATE "C" NOT NULL DEFAULT '',
    seen_from TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (subject, seen_from)
);

CREATE TABLE audit_verifications (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    started_by  TEXT COLLATE "C" NOT NULL,
    started_at  TEXT COLLATE "C" NOT NULL,
    updated_at  TEXT COLLATE "C" NOT NULL,
    finished_at TEXT COLLATE "C" NOT NULL DEFAULT '',
    done        BIGINT NOT NULL DEFAULT 0,
    total       BIGINT NOT NULL DEFAULT 0,
    ok          BIGINT NOT NULL DEFAULT 0,
    verdict     TEXT COLLATE "C" NOT NULL DEFAULT ''
);

CREATE TABLE marac_action_changes (
    id         TEXT COLLATE "C" PRIMARY KEY,
    action_id  TEXT COLLATE "C" NOT NULL REFERENCES marac_actions (id) ON DELETE CASCADE,
    kind       TEXT COLLATE "C" NOT NULL,                              -- chased, extended
    due_before TEXT COLLATE "C" NOT NULL DEFAULT '',
    due_after  TEXT COLLATE "C" NOT NULL DEFAULT '',
    reason_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    reason     BYTEA,
    by_subject TEXT COLLATE "C" NOT NULL,
    at         TEXT COLLATE "C" NOT NULL
);
CREATE INDEX marac_action_changes_action ON marac_action_changes (action_id, at);

CREATE TABLE referral_amendments (
    referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    version     BIGINT NOT NULL,                                       -- the referral's version the amendment made
    at          TEXT COLLATE "C" NOT NULL,
    actor       TEXT COLLATE "C" NOT NULL,
    actor_name  TEXT COLLATE "C" NOT NULL,
    categories  TEXT COLLATE "C" NOT NULL,                             -- comma-separated category names
    reason_key  TEXT COLLATE "C" NOT NULL,
    reason      BYTEA NOT NULL,
    PRIMARY KEY (referral_id, version)
);

CREATE TABLE referral_section_versions (
    referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    version     BIGINT NOT NULL,
    category    TEXT COLLATE "C" NOT NULL,
    key_id      TEXT COLLATE "C" NOT NULL,
    sealed      BYTEA NOT NULL,
    PRIMARY KEY (referral_id, version, category)
);

CREATE TABLE marac_case_changes (
    id               TEXT COLLATE "C" PRIMARY KEY,
    case_id          TEXT COLLATE "C" NOT NULL REFERENCES marac_cases (id) ON DELETE CASCADE,
    kind             TEXT COLLATE "C" NOT NULL,                        -- edited, removed
    criterion_before TEXT COLLATE "C" NOT NULL DEFAULT '',
    criterion_after  TEXT COLLATE "C" NOT NULL DEFAULT '',
    note_changed     BIGINT NOT NULL DEFAULT 0,
    reason_key       TEXT COLLATE "C" NOT NULL DEFAULT '',
    reason           BYTEA,
    by_subject       TEXT COLLATE "C" NOT NULL,
    at               TEXT COLLATE "C" NOT NULL
);
CREATE INDEX marac_case_changes_case ON marac_case_changes (case_id, at);

CREATE TABLE marac_minutes (
    case_id       TEXT COLLATE "C" PRIMARY KEY REFERENCES marac_cases (id) ON DELETE CASCADE,
    risks_key     TEXT COLLATE "C" NOT NULL DEFAULT '',
    risks         BYTEA,
    decisions_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    decisions     BYTEA,
    actions_key   TEXT COLLATE "C" NOT NULL DEFAULT '',
    actions       BYTEA,
    category      TEXT COLLATE "C" NOT NULL DEFAULT '',
    author        TEXT COLLATE "C" NOT NULL DEFAULT '',
    written_by    TEXT COLLATE "C" NOT NULL,
    written_at    TEXT COLLATE "C" NOT NULL
);

CREATE TABLE marac_apologies (
    meeting_id  TEXT COLLATE "C" NOT NULL REFERENCES marac_meetings (id) ON DELETE CASCADE,
    agency      TEXT COLLATE "C" NOT NULL,
    recorded_by TEXT COLLATE "C" NOT NULL,
    recorded_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (meeting_id, agency)
);

CREATE TABLE referral_strands (
    referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    strand      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (referral_id, strand)
);

-- Append-only: the hub never changes or removes what it logged. This stops
-- mistakes, not a forger with the database; verification catches the
-- forger. Each trigger raises its table's message (the trigger's argument).
CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER audit_entries_append_only_update BEFORE UPDATE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION append_only('audit entries are append-only');
CREATE TRIGGER audit_entries_append_only_delete BEFORE DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION append_only('audit entries are append-only');
CREATE TRIGGER audit_hashes_append_only_update BEFORE UPDATE ON audit_hashes
    FOR EACH ROW EXECUTE FUNCTION append_only('audit hashes are append-only');
CREATE TRIGGER audit_hashes_append_only_delete BEFORE DELETE ON audit_hashes
    FOR EACH ROW EXECUTE FUNCTION append_only('audit hashes are append-only');
CREATE TRIGGER audit_checkpoints_append_only_update BEFORE UPDATE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION append_only('audit checkpoints are append-only');
CREATE TRIGGER audit_checkpoints_append_only_delete BEFORE DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION append_only('audit checkpoints are append-only');

-- Repeats (SQLite 0008). A sent referral is a repeat victim (suspect)
-- referral when another sent referral names the same person, by keyed
-- fingerprint, and was raised at the same time or in the twelve months
-- before it; exactly twelve months before counts. A referral is written
-- once, already sent, and its fingerprints never change: when one arrives
-- it can only make itself, and those raised up to twelve months after it,
-- repeats.
CREATE FUNCTION referrals_repeat_victim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE referrals SET repeat_victim = 1 WHERE id = NEW.id AND EXISTS (
        SELECT 1 FROM referrals o WHERE o.victim_fp = NEW.victim_fp AND o.victim_fp <> '' AND o.state = 'sent' AND o.id <> NEW.id
        AND o.created_at BETWEEN twelve_months_before(NEW.created_at) AND NEW.created_at);
    UPDATE referrals SET repeat_victim = 1 WHERE victim_fp = NEW.victim_fp AND victim_fp <> '' AND state = 'sent' AND id <> NEW.id AND repeat_victim = 0
        AND created_at >= NEW.created_at AND twelve_months_before(created_at) <= NEW.created_at;
    RETURN NULL;
END $$;
CREATE TRIGGER referrals_repeat_victim AFTER INSERT ON referrals
    FOR EACH ROW WHEN (NEW.state = 'sent' AND NEW.victim_fp <> '') EXECUTE FUNCTION referrals_repeat_victim();

CREATE FUNCTION referrals_repeat_suspect() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE referrals SET repeat_suspect = 1 WHERE id = NEW.id AND EXISTS (
        SELECT 1 FROM referrals o WHERE o.suspect_fp = NEW.suspect_fp AND o.suspect_fp <> '' AND o.state = 'sent' AND o.id <> NEW.id
        AND o.created_at BETWEEN twelve_months_before(NEW.created_at) AND NEW.created_at);
    UPDATE referrals SET repeat_suspect = 1 WHERE suspect_fp = NEW.suspect_fp AND suspect_fp <> '' AND state = 'sent' AND id <> NEW.id AND repeat_suspect = 0
        AND created_at >= NEW.created_at AND twelve_months_before(created_at) <= NEW.created_at;
    RETURN NULL;
END $$;
CREATE TRIGGER referrals_repeat_suspect AFTER INSERT ON referrals
    FOR EACH ROW WHEN (NEW.state = 'sent' AND NEW.suspect_fp <> '') EXECUTE FUNCTION referrals_repeat_suspect();

-- Consent: the decision of the latest record. Records are only ever added,
-- each numbered one after the last, so the one added is the latest.
CREATE FUNCTION consents_latest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE referrals SET consent_decision = NEW.decision WHERE id = NEW.referral_id AND consent_decision <> NEW.decision;
    RETURN NULL;
END $$;
CREATE TRIGGER consents_latest AFTER INSERT ON consents
    FOR EACH ROW EXECUTE FUNCTION consents_latest();

-- Sharing: the agencies a referral was sent to, each between commas
-- (',housing,health,'); a share added later adds its agency.
CREATE FUNCTION shares_shared_with() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE referrals SET shared_with = shared_with || NEW.agency || ','
    WHERE id = NEW.referral_id AND strpos(shared_with, ',' || NEW.agency || ',') = 0;
    RETURN NULL;
END $$;
CREATE TRIGGER shares_shared_with AFTER INSERT ON shares
    FOR EACH ROW EXECUTE FUNCTION shares_shared_with();

-- Links: a referral is linked through the victim (suspect) while a
-- confirmed link of that kind has it on either side; both sides are worked
-- out again whenever a link is written or changes.
CREATE FUNCTION referral_links_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE referrals SET
        linked_via_victim = (EXISTS (SELECT 1 FROM referral_links l WHERE l.referral_id = referrals.id AND l.via = 'victim' AND l.status = 'confirmed')
            OR EXISTS (SELECT 1 FROM referral_links l WHERE l.other_id = referrals.id AND l.via = 'victim' AND l.status = 'confirmed'))::INTEGER,
        linked_via_suspect = (EXISTS (SELECT 1 FROM referral_links l WHERE l.referral_id = referrals.id AND l.via = 'suspect' AND l.status = 'confirmed')
            OR EXISTS (SELECT 1 FROM referral_links l WHERE l.other_id = referrals.id AND l.via = 'suspect' AND l.status = 'confirmed'))::INTEGER
    WHERE id IN (NEW.referral_id, NEW.other_id);
    RETURN NULL;
END $$;
CREATE TRIGGER referral_links_added AFTER INSERT ON referral_links
    FOR EACH ROW EXECUTE FUNCTION referral_links_added();

CREATE FUNCTION referral_links_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE referrals SET
        linked_via_victim = (EXISTS (SELECT 1 FROM referral_links l WHERE l.referral_id = referrals.id AND l.via = 'victim' AND l.status = 'confirmed')
            OR EXISTS (SELECT 1 FROM referral_links l WHERE l.other_id = referrals.id AND l.via = 'victim' AND l.status = 'confirmed'))::INTEGER,
        linked_via_suspect = (EXISTS (SELECT 1 FROM referral_links l WHERE l.referral_id = referrals.id AND l.via = 'suspect' AND l.status = 'confirmed')
            OR EXISTS (SELECT 1 FROM referral_links l WHERE l.other_id = referrals.id AND l.via = 'suspect' AND l.status = 'confirmed'))::INTEGER
    WHERE id IN (NEW.referral_id, NEW.other_id, OLD.referral_id, OLD.other_id);
    RETURN NULL;
END $$;
CREATE TRIGGER referral_links_changed AFTER UPDATE OF status, via ON referral_links
    FOR EACH ROW EXECUTE FUNCTION referral_links_changed();

-- Times to answer and to accept a share (SQLite 0012), in whole seconds
-- from the times' first 19 characters; NULL until answered (accepted).
-- Here they are set on the row as it is written, which leaves the same row
-- as SQLite's triggers that update it just after.
CREATE FUNCTION shares_clock_seconds() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.answer_seconds := CASE WHEN NEW.answered_at <> '' THEN epoch_seconds(NEW.answered_at) - epoch_seconds(NEW.sent_at) END;
    NEW.accept_seconds := CASE WHEN NEW.accepted_at <> '' THEN epoch_seconds(NEW.accepted_at) - epoch_seconds(NEW.sent_at) END;
    RETURN NEW;
END $$;
CREATE TRIGGER shares_clock_seconds_insert BEFORE INSERT ON shares
    FOR EACH ROW WHEN (NEW.answered_at <> '' OR NEW.accepted_at <> '') EXECUTE FUNCTION shares_clock_seconds();
CREATE TRIGGER shares_clock_seconds_update BEFORE UPDATE OF sent_at, answered_at, accepted_at ON shares
    FOR EACH ROW EXECUTE FUNCTION shares_clock_seconds();

-- Partner systems (issue 18): the events an agency's own case system learns
-- of, the webhooks that push them, and each webhook's deliveries. An event is
-- written in the same transaction as the change it announces and holds no
-- personal data: a type, the agency it concerns, the referral's opaque id and
-- reference, and a share status where one applies.
CREATE TABLE partner_events (
    -- The feed's cursor; AUTOINCREMENT so that an id is never given twice.
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The event's public id: the body's "id" and the webhook-id header.
    event_id    TEXT NOT NULL UNIQUE,
    type        TEXT NOT NULL,
    agency      TEXT NOT NULL,
    referral_id TEXT NOT NULL,
    reference   TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);
CREATE INDEX partner_events_agency ON partner_events (agency, id);

-- A partner agency's endpoint. The signing secret is sealed like personal
-- data; it is shown once, when the webhook is registered.
CREATE TABLE webhooks (
    id          TEXT PRIMARY KEY,
    agency      TEXT NOT NULL,
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,
    secret_key  TEXT NOT NULL,
    secret      BLOB NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    -- Set when deliveries kept failing; nothing is sent until an admin resumes it.
    paused_at   TEXT,
    pause_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhooks_agency ON webhooks (agency);

-- One event to one webhook, worked like the outbox: claimed with a lease,
-- retried with backoff until a 2xx or until the hub gives up.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        INTEGER NOT NULL REFERENCES partner_events (id),
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    leased_until    TEXT,
    delivered_at    TEXT,
    failed_at       TEXT,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

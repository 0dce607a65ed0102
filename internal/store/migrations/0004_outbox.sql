-- The outbox of notifications: written in the same transaction as the change
-- it announces, delivered by the notify worker. A row holds a kind, a
-- recipient, a reference and a link; never personal data of a referral.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    reference        TEXT NOT NULL,
    link             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    leased_until     TEXT,
    delivered_at     TEXT,
    failed_at        TEXT,
    last_error       TEXT NOT NULL DEFAULT ''
);
-- What the worker looks for: undelivered rows by when they are due.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_created ON outbox (created_at);

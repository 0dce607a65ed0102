-- Orders and bail conditions that protect the victim (Stalking Protection
-- Orders, restraining orders, bail...), their history and their breaches.
-- What the order says (conditions, court, reference) is personal data and
-- sealed as one value; kind and dates are plain for lists and reports.
CREATE TABLE orders (
    id            TEXT PRIMARY KEY,
    referral_id   TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    detail_key    TEXT NOT NULL,
    detail        BLOB NOT NULL,              -- {"conditions","court","reference"}, sealed
    starts_on     TEXT NOT NULL,
    ends_on       TEXT NOT NULL DEFAULT '',   -- '' until further order
    discharged_on TEXT NOT NULL DEFAULT '',
    breaches      INTEGER NOT NULL DEFAULT 0,
    notice_sent   INTEGER NOT NULL DEFAULT 0, -- the last ending notice sent: 0, 28 or 7 (days before the end)
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX orders_referral ON orders (referral_id, starts_on);
CREATE INDEX orders_ends ON orders (ends_on);

-- Every change of an order, oldest first: granted, varied, extended,
-- discharged. The officer's reason is sealed.
CREATE TABLE order_changes (
    id         INTEGER PRIMARY KEY,
    order_id   TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    change     TEXT NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    ends_on    TEXT NOT NULL DEFAULT '',      -- the end date after the change
    reason_key TEXT NOT NULL DEFAULT '',
    reason     BLOB
);
CREATE INDEX order_changes_order ON order_changes (order_id, id);

-- Breaches: each is an incident of the referral, and a new offence.
CREATE TABLE breaches (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    occurred_on TEXT NOT NULL,
    summary_key TEXT NOT NULL,
    summary     BLOB NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX breaches_order ON breaches (order_id, occurred_on);

-- Referrals an officer has started and not yet sent. The whole form is one
-- sealed JSON document: it holds personal data, so nothing of it is in clear
-- columns. A draft belongs to the officer who started it and to no one else.
CREATE TABLE referral_drafts (
    id         TEXT PRIMARY KEY,
    officer    TEXT NOT NULL,             -- subject of the officer who started it
    key_id     TEXT NOT NULL,
    sealed     BLOB NOT NULL,             -- the referral.Submission as JSON, sealed
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX referral_drafts_officer ON referral_drafts (officer, updated_at);

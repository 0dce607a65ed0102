-- Amendments of a sent referral (issue 12): each is a new version of the
-- referral. One row per amendment, with the categories it changed (names
-- only) and the officer's reason, sealed; and the sealed content each
-- amendment replaced, so that every earlier version can still be told.
CREATE TABLE referral_amendments (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,             -- the referral's version the amendment made
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    categories  TEXT NOT NULL,                -- comma-separated category names
    reason_key  TEXT NOT NULL,
    reason      BLOB NOT NULL,
    PRIMARY KEY (referral_id, version)
);

-- The content of a category as it was before the amendment that made
-- version: the ciphertext moved as it was, under the section's own context.
CREATE TABLE referral_section_versions (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    category    TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    sealed      BLOB NOT NULL,
    PRIMARY KEY (referral_id, version, category)
);

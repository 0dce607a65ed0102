-- Search by person or crime reference without holding either in clear: each
-- referral's victim and suspect names (alone, and with the date of birth) and
-- its crime reference are kept only as keyed fingerprints of their
-- normalised forms (seal.Keyring.Fingerprint). A search computes the same
-- fingerprints from the term and looks them up; the term is never stored.
CREATE TABLE referral_search (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    fp          TEXT NOT NULL,
    category    TEXT NOT NULL,   -- the category the matched value belongs to: identity, suspect, offence
    PRIMARY KEY (referral_id, fp)
);
CREATE INDEX referral_search_fp ON referral_search (fp);

-- Referrals whose fingerprints are written, so that those created before this
-- table (or by the demo seed) are fingerprinted on the next search.
CREATE TABLE referral_search_indexed (
    referral_id TEXT PRIMARY KEY REFERENCES referrals (id) ON DELETE CASCADE
);

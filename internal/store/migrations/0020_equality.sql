-- The victim's optional equality and access details, which MARAC data
-- returns ask for: recorded only with the victim's agreement and reported
-- only as counts. Codes only, in no data category, never released.
CREATE TABLE victim_equality (
    referral_id        TEXT PRIMARY KEY REFERENCES referrals (id) ON DELETE CASCADE,
    sex                TEXT NOT NULL DEFAULT '',
    age_band           TEXT NOT NULL DEFAULT '',
    ethnicity          TEXT NOT NULL DEFAULT '',
    disability         TEXT NOT NULL DEFAULT '',
    sexual_orientation TEXT NOT NULL DEFAULT '',
    gender_identity    TEXT NOT NULL DEFAULT '',
    interpreter        TEXT NOT NULL DEFAULT ''
);

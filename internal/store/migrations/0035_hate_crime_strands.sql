-- The hate-crime strands of a referral after the first: the first stays in
-- referrals.hate_crime_strand, so the reports count each strand once per
-- referral from both.
CREATE TABLE referral_strands (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    strand      TEXT NOT NULL,
    PRIMARY KEY (referral_id, strand)
);

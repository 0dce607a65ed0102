-- The outcome figures that are not counters (issue 17) read a year's
-- requests to share without consent and the referrals their orders
-- protect. Read over the tables, each row cost a visit to the referral's
-- row, scattered over the file: at 100,000 referrals most of the report's
-- time. These indexes hold what those reads need, in the order they read:
-- a referral's state, time and agencies by its id, and the requests by
-- when they were made (store.reportQuery.overrides).
CREATE INDEX referrals_report_scope ON referrals (id, state, created_at, shared_with);
CREATE INDEX overrides_requested ON overrides (requested_at, referral_id, basis, status, agencies);

-- The outcomes report is read from counters, not worked out from every
-- referral and share of the period (issue 17). The store keeps them in the
-- same transaction as each change, in Go (internal/store/report_counts.go),
-- so that SQLite and PostgreSQL keep them alike; this migration makes the
-- tables and the store fills them from the data already held when it
-- applies this migration.

-- report_counts: how many referrals (or shares) fall under each code of
-- each dimension, by the day (YYYY-MM-DD) and the month (YYYY-MM) they were
-- raised (shares: sent), for all agencies (agency '') and for the referrals
-- sent to each agency. total is the sum of the seconds a histogram bucket
-- holds (0 for other dimensions), so that its time is the mean of its own.
CREATE TABLE report_counts (
    agency TEXT NOT NULL,
    bucket TEXT NOT NULL,
    dim    TEXT NOT NULL,
    code   TEXT NOT NULL,
    n      INTEGER NOT NULL,
    total  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (agency, bucket, dim, code)
) WITHOUT ROWID;

-- report_counted: what each referral (with its shares) adds to
-- report_counts now, so that a change takes the old part away and adds the
-- new without knowing what changed.
CREATE TABLE report_counted (
    referral_id TEXT PRIMARY KEY,
    counted     TEXT NOT NULL
) WITHOUT ROWID;

-- The shares still waiting for an answer, by their due time: whether one
-- is overdue depends on the time of asking, so it is counted when asked.
CREATE INDEX shares_awaiting ON shares (due_at, agency, sent_at, referral_id) WHERE status IN ('sent', 'viewed');

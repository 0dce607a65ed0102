-- The outcomes report is read from counters (issue 17): the same tables as
-- internal/store/migrations/0036_report_counts.sql, in PostgreSQL's types.
-- The store keeps them in Go, in the transaction of each change, and fills
-- them from the data already held when it applies this migration.

CREATE TABLE report_counts (
    agency TEXT COLLATE "C" NOT NULL,
    bucket TEXT COLLATE "C" NOT NULL,
    dim    TEXT COLLATE "C" NOT NULL,
    code   TEXT COLLATE "C" NOT NULL,
    n      BIGINT NOT NULL,
    total  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (agency, bucket, dim, code)
);

CREATE TABLE report_counted (
    referral_id TEXT COLLATE "C" PRIMARY KEY,
    counted     TEXT COLLATE "C" NOT NULL
);

CREATE INDEX shares_awaiting ON shares (due_at, agency, sent_at, referral_id) WHERE status IN ('sent', 'viewed');

-- The names people signed in under, and since when, so that pages can name
-- the person behind an audit entry or a decision as they were known at the
-- time, while the audit log itself keeps only their subject.
CREATE TABLE people (
    subject    TEXT NOT NULL,
    name       TEXT NOT NULL,
    agency     TEXT NOT NULL DEFAULT '',
    seen_from  TEXT NOT NULL,
    PRIMARY KEY (subject, seen_from)
);

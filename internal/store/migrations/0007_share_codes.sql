-- The kind of outcome an agency records when it closes a share, from the
-- hub's list of closing outcomes: metadata for reports, not personal data.
-- decline_code (0003) is the same for a decline.
ALTER TABLE shares ADD COLUMN outcome_code TEXT NOT NULL DEFAULT '';

-- The outcomes report ranks each agency's times to answer and to accept a
-- share. 0008 indexed them as unixepoch() of the stored text times, which
-- carry nanoseconds; SQLite versions read such text differently, so another
-- version's sqlite3 took those indexes for corrupt. The times are now kept
-- as whole seconds in integer columns, worked out from the times' first 19
-- characters (YYYY-MM-DDTHH:MM:SS, UTC), which every version reads alike,
-- and the indexes are over the columns. Triggers keep them, so every path
-- that answers or accepts a share keeps them without knowing of them.

DROP INDEX shares_answer_time;
DROP INDEX shares_accept_time;

ALTER TABLE shares ADD COLUMN answer_seconds INTEGER; -- sent to first answer; NULL until answered
ALTER TABLE shares ADD COLUMN accept_seconds INTEGER; -- sent to accepted; NULL until accepted

UPDATE shares SET
    answer_seconds = CASE WHEN answered_at <> '' THEN unixepoch(substr(answered_at, 1, 19)) - unixepoch(substr(sent_at, 1, 19)) END,
    accept_seconds = CASE WHEN accepted_at <> '' THEN unixepoch(substr(accepted_at, 1, 19)) - unixepoch(substr(sent_at, 1, 19)) END;

CREATE TRIGGER shares_clock_seconds_insert AFTER INSERT ON shares
WHEN NEW.answered_at <> '' OR NEW.accepted_at <> ''
BEGIN
    UPDATE shares SET
        answer_seconds = CASE WHEN NEW.answered_at <> '' THEN unixepoch(substr(NEW.answered_at, 1, 19)) - unixepoch(substr(NEW.sent_at, 1, 19)) END,
        accept_seconds = CASE WHEN NEW.accepted_at <> '' THEN unixepoch(substr(NEW.accepted_at, 1, 19)) - unixepoch(substr(NEW.sent_at, 1, 19)) END
    WHERE id = NEW.id;
END;

CREATE TRIGGER shares_clock_seconds_update AFTER UPDATE OF sent_at, answered_at, accepted_at ON shares
BEGIN
    UPDATE shares SET
        answer_seconds = CASE WHEN NEW.answered_at <> '' THEN unixepoch(substr(NEW.answered_at, 1, 19)) - unixepoch(substr(NEW.sent_at, 1, 19)) END,
        accept_seconds = CASE WHEN NEW.accepted_at <> '' THEN unixepoch(substr(NEW.accepted_at, 1, 19)) - unixepoch(substr(NEW.sent_at, 1, 19)) END
    WHERE id = NEW.id;
END;

CREATE INDEX shares_answer_time ON shares (agency, answer_seconds, sent_at, referral_id) WHERE answered_at <> '';
CREATE INDEX shares_accept_time ON shares (agency, accept_seconds, sent_at, referral_id) WHERE accepted_at <> '';

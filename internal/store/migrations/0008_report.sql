-- The outcomes report adds up a period's referrals and shares in SQL. To do
-- that in one pass over an index, and not by looking up each referral's
-- consents, links, shares and earlier referrals, each referral carries
-- where it stands in those as columns. Triggers keep them true, so that
-- every path that writes a referral, a consent, a link or a share (the API,
-- the pages, the demo seed) keeps them without knowing of the report.

ALTER TABLE referrals ADD COLUMN repeat_victim INTEGER NOT NULL DEFAULT 0;
ALTER TABLE referrals ADD COLUMN repeat_suspect INTEGER NOT NULL DEFAULT 0;
ALTER TABLE referrals ADD COLUMN linked_via_victim INTEGER NOT NULL DEFAULT 0;
ALTER TABLE referrals ADD COLUMN linked_via_suspect INTEGER NOT NULL DEFAULT 0;
ALTER TABLE referrals ADD COLUMN consent_decision TEXT NOT NULL DEFAULT ''; -- of the latest consent record; '' for none
ALTER TABLE referrals ADD COLUMN shared_with TEXT NOT NULL DEFAULT ',';   -- the agencies it was sent to: ',housing,health,'

-- Repeats. A sent referral is a repeat victim (suspect) referral when another
-- sent referral names the same person, by keyed fingerprint, and was raised
-- at the same time or in the twelve months before it; exactly twelve months
-- before counts, and twelve months before 29 February is 1 March, as
-- time.AddDate and SQLite's '-12 months' both have it. Stored times are
-- fixed-width UTC text, so the date twelve months earlier is written back in
-- that layout and compared as text. A referral is written once, already
-- sent, and its fingerprints never change: when one arrives it can only
-- make itself, and those raised up to twelve months after it, repeats.
CREATE INDEX referrals_victim_raised ON referrals (victim_fp, created_at) WHERE victim_fp <> '';
CREATE INDEX referrals_suspect_raised ON referrals (suspect_fp, created_at) WHERE suspect_fp <> '';
DROP INDEX referrals_victim_fp;
DROP INDEX referrals_suspect_fp;

CREATE TRIGGER referrals_repeat_victim AFTER INSERT ON referrals WHEN NEW.state = 'sent' AND NEW.victim_fp <> ''
BEGIN
    UPDATE referrals SET repeat_victim = 1 WHERE id = NEW.id AND EXISTS (
        SELECT 1 FROM referrals o WHERE o.victim_fp = NEW.victim_fp AND o.victim_fp <> '' AND o.state = 'sent' AND o.id <> NEW.id
        AND o.created_at BETWEEN strftime('%Y-%m-%dT%H:%M:%S', NEW.created_at, '-12 months') || substr(NEW.created_at, 20) AND NEW.created_at);
    UPDATE referrals SET repeat_victim = 1 WHERE victim_fp = NEW.victim_fp AND victim_fp <> '' AND state = 'sent' AND id <> NEW.id AND repeat_victim = 0
        AND created_at >= NEW.created_at AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '-12 months') || substr(created_at, 20) <= NEW.created_at;
END;

CREATE TRIGGER referrals_repeat_suspect AFTER INSERT ON referrals WHEN NEW.state = 'sent' AND NEW.suspect_fp <> ''
BEGIN
    UPDATE referrals SET repeat_suspect = 1 WHERE id = NEW.id AND EXISTS (
        SELECT 1 FROM referrals o WHERE o.suspect_fp = NEW.suspect_fp AND o.suspect_fp <> '' AND o.state = 'sent' AND o.id <> NEW.id
        AND o.created_at BETWEEN strftime('%Y-%m-%dT%H:%M:%S', NEW.created_at, '-12 months') || substr(NEW.created_at, 20) AND NEW.created_at);
    UPDATE referrals SET repeat_suspect = 1 WHERE suspect_fp = NEW.suspect_fp AND suspect_fp <> '' AND state = 'sent' AND id <> NEW.id AND repeat_suspect = 0
        AND created_at >= NEW.created_at AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '-12 months') || substr(created_at, 20) <= NEW.created_at;
END;

UPDATE referrals SET repeat_victim = EXISTS (
    SELECT 1 FROM referrals o WHERE o.victim_fp = referrals.victim_fp AND o.victim_fp <> '' AND o.state = 'sent' AND o.id <> referrals.id
    AND o.created_at BETWEEN strftime('%Y-%m-%dT%H:%M:%S', referrals.created_at, '-12 months') || substr(referrals.created_at, 20) AND referrals.created_at)
WHERE victim_fp <> '' AND state = 'sent';
UPDATE referrals SET repeat_suspect = EXISTS (
    SELECT 1 FROM referrals o WHERE o.suspect_fp = referrals.suspect_fp AND o.suspect_fp <> '' AND o.state = 'sent' AND o.id <> referrals.id
    AND o.created_at BETWEEN strftime('%Y-%m-%dT%H:%M:%S', referrals.created_at, '-12 months') || substr(referrals.created_at, 20) AND referrals.created_at)
WHERE suspect_fp <> '' AND state = 'sent';

-- Consent: the decision of the latest record. Records are only ever added,
-- each numbered one after the last, so the one added is the latest. A
-- referral is written with the decision of its first record already, and
-- is only written again when the decision changes.
CREATE TRIGGER consents_latest AFTER INSERT ON consents
BEGIN
    UPDATE referrals SET consent_decision = NEW.decision WHERE id = NEW.referral_id AND consent_decision <> NEW.decision;
END;

UPDATE referrals SET consent_decision = COALESCE((SELECT decision FROM consents c WHERE c.referral_id = referrals.id ORDER BY c.seq DESC LIMIT 1), '');

-- Sharing: the agencies a referral was sent to, each between commas, so
-- that a report narrowed to one agency tests a column as it passes rather
-- than looking up the referral's shares. A referral is written with its
-- first agencies already; a share added later adds its agency. Shares are
-- never moved to another agency.
CREATE TRIGGER shares_shared_with AFTER INSERT ON shares
BEGIN
    UPDATE referrals SET shared_with = shared_with || NEW.agency || ','
    WHERE id = NEW.referral_id AND instr(shared_with, ',' || NEW.agency || ',') = 0;
END;

UPDATE referrals SET shared_with = COALESCE((SELECT ',' || group_concat(agency, ',') FROM (SELECT agency FROM shares s WHERE s.referral_id = referrals.id ORDER BY s.rowid)), '') || ',';

-- Links: a referral is linked through the victim (suspect) while a confirmed
-- link of that kind has it on either side. A link is suggested, then
-- confirmed or rejected, so both sides are worked out again whenever one is
-- written or changes.
CREATE INDEX referral_links_other ON referral_links (other_id, via, status);

CREATE TRIGGER referral_links_added AFTER INSERT ON referral_links
BEGIN
    UPDATE referrals SET
        linked_via_victim = EXISTS (SELECT 1 FROM referral_links l WHERE l.referral_id = referrals.id AND l.via = 'victim' AND l.status = 'confirmed')
            OR EXISTS (SELECT 1 FROM referral_links l WHERE l.other_id = referrals.id AND l.via = 'victim' AND l.status = 'confirmed'),
        linked_via_suspect = EXISTS (SELECT 1 FROM referral_links l WHERE l.referral_id = referrals.id AND l.via = 'suspect' AND l.status = 'confirmed')
            OR EXISTS (SELECT 1 FROM referral_links l WHERE l.other_id = referrals.id AND l.via = 'suspect' AND l.status = 'confirmed')
    WHERE id IN (NEW.referral_id, NEW.other_id);
END;

CREATE TRIGGER referral_links_changed AFTER UPDATE OF status, via ON referral_links
BEGIN
    UPDATE referrals SET
        linked_via_victim = EXISTS (SELECT 1 FROM referral_links l WHERE l.referral_id = referrals.id AND l.via = 'victim' AND l.status = 'confirmed')
            OR EXISTS (SELECT 1 FROM referral_links l WHERE l.other_id = referrals.id AND l.via = 'victim' AND l.status = 'confirmed'),
        linked_via_suspect = EXISTS (SELECT 1 FROM referral_links l WHERE l.referral_id = referrals.id AND l.via = 'suspect' AND l.status = 'confirmed')
            OR EXISTS (SELECT 1 FROM referral_links l WHERE l.other_id = referrals.id AND l.via = 'suspect' AND l.status = 'confirmed')
    WHERE id IN (NEW.referral_id, NEW.other_id, OLD.referral_id, OLD.other_id);
END;

UPDATE referrals SET
    linked_via_victim = EXISTS (SELECT 1 FROM referral_links l WHERE l.referral_id = referrals.id AND l.via = 'victim' AND l.status = 'confirmed')
        OR EXISTS (SELECT 1 FROM referral_links l WHERE l.other_id = referrals.id AND l.via = 'victim' AND l.status = 'confirmed'),
    linked_via_suspect = EXISTS (SELECT 1 FROM referral_links l WHERE l.referral_id = referrals.id AND l.via = 'suspect' AND l.status = 'confirmed')
        OR EXISTS (SELECT 1 FROM referral_links l WHERE l.other_id = referrals.id AND l.via = 'suspect' AND l.status = 'confirmed');

-- The report reads referrals by the day they were raised from one index that
-- holds every column it adds up; it replaces the index on created_at alone.
CREATE INDEX referrals_report ON referrals (created_at, state, offence, risk_level, hate_crime_strand, domestic_abuse, honour_based_abuse,
    fear_of_violence, technology_enabled, repeat_victim, repeat_suspect, linked_via_victim, linked_via_suspect, consent_decision, shared_with);
DROP INDEX referrals_created;

-- Shares by agency and where they stand, with their clock: the agency
-- tables, the decline reasons and the closing outcomes are one grouped pass
-- over it, in its order.
CREATE INDEX shares_report ON shares (agency, status, decline_code, outcome_code, sent_at, answered_at, accepted_at, due_at, referral_id);

-- Times to answer and to accept, in whole seconds, in order within each
-- agency: a median or 90th percentile is read at its rank, not sorted for.
CREATE INDEX shares_answer_time ON shares (agency, unixepoch(answered_at) - unixepoch(sent_at), sent_at, referral_id) WHERE answered_at <> '';
CREATE INDEX shares_accept_time ON shares (agency, unixepoch(accepted_at) - unixepoch(sent_at), sent_at, referral_id) WHERE accepted_at <> '';

-- A share of a referral that was never sent (a draft's) is not counted;
-- there are few such referrals, so they are kept in an index of their own.
CREATE INDEX referrals_unsent ON referrals (id) WHERE state <> 'sent';

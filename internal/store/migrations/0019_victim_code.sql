-- The victim's journey: enhanced rights under the Victims' Code, the updates
-- the victim is owed and when they were told, and the criminal-justice
-- outcome of the referral.
ALTER TABLE referrals ADD COLUMN victim_enhanced INTEGER NOT NULL DEFAULT 0;
ALTER TABLE referrals ADD COLUMN victim_enhanced_reason TEXT NOT NULL DEFAULT ''; -- a fixed phrase, never personal data
ALTER TABLE referrals ADD COLUMN cj_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN cj_outcome_on TEXT NOT NULL DEFAULT '';

-- Victims of stalking are persistently targeted: enhanced rights by default.
UPDATE referrals SET victim_enhanced = 1, victim_enhanced_reason = 'stalking: the victim is persistently targeted'
WHERE offence IN ('stalking', 'stalking_fear_alarm_distress');

CREATE TABLE victim_updates (
    id          TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    event       TEXT NOT NULL,
    event_on    TEXT NOT NULL,
    due_by      TEXT NOT NULL,                -- the end of this working day
    enhanced    INTEGER NOT NULL,             -- the rights the due date was worked out for
    told_on     TEXT NOT NULL DEFAULT '',
    method      TEXT NOT NULL DEFAULT '',
    note_key    TEXT NOT NULL DEFAULT '',
    note        BLOB,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX victim_updates_referral ON victim_updates (referral_id, event_on);
CREATE INDEX victim_updates_due ON victim_updates (due_by);

-- Restricted referrals and break-glass reads (issue 11). A referral marked
-- restricted (the victim is a police employee, a high-profile case) is read
-- whole only by the officer who raised it, supervisors and the officers named
-- here; any other officer must give a reason, and that read is recorded as
-- break-glass: the reason sealed here, the read itself in the audit log.
CREATE TABLE referral_restrictions (
    referral_id TEXT PRIMARY KEY REFERENCES referrals (id) ON DELETE CASCADE,
    restricted  INTEGER NOT NULL,
    changed_by  TEXT NOT NULL,
    changed_at  TEXT NOT NULL
);

-- Officers named to read a restricted referral whole, by subject or e-mail.
CREATE TABLE referral_named_officers (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    officer     TEXT NOT NULL,
    PRIMARY KEY (referral_id, officer)
);

CREATE TABLE break_glass_reads (
    id          TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    actor       TEXT NOT NULL,            -- the officer's subject
    actor_name  TEXT NOT NULL,
    at          TEXT NOT NULL,
    reason_key  TEXT NOT NULL,            -- the reason they gave, sealed
    reason      BLOB NOT NULL             -- the audit log's release entry names this id in its detail
);
CREATE INDEX break_glass_reads_at ON break_glass_reads (at);

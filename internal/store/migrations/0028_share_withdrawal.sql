-- Issue 12 (part b): the force withdraws a share, with a reason only the
-- force reads (sealed like the decline reason), and an agency's message
-- waits for the police's attention until someone of the force reads it.
ALTER TABLE shares ADD COLUMN withdraw_reason_key TEXT NOT NULL DEFAULT '';
ALTER TABLE shares ADD COLUMN withdraw_reason BLOB;
ALTER TABLE shares ADD COLUMN withdrawn_at TEXT NOT NULL DEFAULT '';
ALTER TABLE shares ADD COLUMN police_unread INTEGER NOT NULL DEFAULT 0;

-- Failed notifications are counted for /metrics and the admin home page at
-- every look; this index keeps that count to the failed rows, however long
-- the outbox's history grows.

CREATE INDEX outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;

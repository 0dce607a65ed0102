-- One row that the hub rewrites to learn whether the database takes writes
-- again after a write failed (disk full, read-only, locked): /readyz answers
-- 503 until such a write succeeds.

CREATE TABLE write_probe (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	at TEXT NOT NULL
);

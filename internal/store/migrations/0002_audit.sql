-- The tamper-evident audit log (see internal/audit). Entries are kept as
-- their canonical bytes (body), which the Merkle tree hashes; the plain
-- columns copy what filters need. audit_hashes holds the tree's stored
-- hashes in tlog's order; checkpoints and the one head are signed notes.
CREATE TABLE audit_entries (
    idx     INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    record  TEXT NOT NULL,
    agency  TEXT NOT NULL,
    body    BLOB NOT NULL
);
CREATE INDEX audit_entries_record ON audit_entries (record, idx);
CREATE INDEX audit_entries_actor ON audit_entries (actor, idx);
CREATE INDEX audit_entries_at ON audit_entries (at);

CREATE TABLE audit_hashes (
    id      INTEGER PRIMARY KEY,
    hash    BLOB NOT NULL
);

CREATE TABLE audit_checkpoints (
    size    INTEGER PRIMARY KEY,
    note    TEXT NOT NULL,
    at      TEXT NOT NULL
);

CREATE TABLE audit_head (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    size    INTEGER NOT NULL,
    note    TEXT NOT NULL
);

-- Append-only: the hub never changes or removes what it logged. This stops
-- mistakes, not a forger with the file; verification catches the forger.
CREATE TRIGGER audit_entries_append_only_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_entries_append_only_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_hashes_append_only_update BEFORE UPDATE ON audit_hashes
BEGIN SELECT RAISE(ABORT, 'audit hashes are append-only'); END;
CREATE TRIGGER audit_hashes_append_only_delete BEFORE DELETE ON audit_hashes
BEGIN SELECT RAISE(ABORT, 'audit hashes are append-only'); END;
CREATE TRIGGER audit_checkpoints_append_only_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoints_append_only_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;

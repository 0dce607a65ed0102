-- A form posted just after its session timed out: kept, sealed (it holds
-- personal data), for the person whose session it was, until they sign in
-- again and it is put back into the page, or until it expires (minutes).
CREATE TABLE held_forms (
    id         TEXT PRIMARY KEY,
    subject    TEXT NOT NULL,             -- whose expired session posted it
    path       TEXT NOT NULL,             -- the page it is put back into
    key_id     TEXT NOT NULL,
    sealed     BLOB NOT NULL,             -- the form's fields as JSON, sealed
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX held_forms_expires ON held_forms (expires_at);

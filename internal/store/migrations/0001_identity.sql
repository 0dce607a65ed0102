-- Sign-in: the one-use state of each redirect to the provider, browser
-- sessions (the cookie holds a token; the table holds its SHA-256), and the
-- memberships that admins keep.
CREATE TABLE signin_states (
    state       TEXT PRIMARY KEY,
    nonce       TEXT NOT NULL,
    verifier    TEXT NOT NULL,
    return_to   TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    subject     TEXT NOT NULL,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    roles       TEXT NOT NULL,
    agency      TEXT NOT NULL,
    id_token    TEXT NOT NULL,
    auth_time   INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    csrf        TEXT NOT NULL
);
CREATE INDEX sessions_subject ON sessions (subject);

CREATE TABLE memberships (
    email       TEXT NOT NULL,
    role        TEXT NOT NULL,
    agency      TEXT NOT NULL DEFAULT '',
    granted_by  TEXT NOT NULL,
    granted_at  TEXT NOT NULL,
    PRIMARY KEY (email, role, agency)
);

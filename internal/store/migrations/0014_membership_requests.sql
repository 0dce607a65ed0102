-- Four eyes on privileged memberships: a grant of admin, auditor, supervisor
-- or marac_coordinator made in the hub's pages waits here until a second
-- administrator approves it (then it moves to memberships) or refuses it.
CREATE TABLE membership_requests (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    role          TEXT NOT NULL,
    agency        TEXT NOT NULL DEFAULT '',
    requested_by  TEXT NOT NULL,
    requester     TEXT NOT NULL, -- the requesting admin's e-mail, so that they cannot approve it
    requested_at  TEXT NOT NULL,
    UNIQUE (email, role, agency)
);

-- Sign-in follows the person: each redirect to the provider is bound to the
-- browser that started it (the SHA-256 of a short-lived cookie), and a
-- session keeps what the provider's claims granted apart from the
-- memberships, so that a changed membership takes effect on the next
-- request. received is the e-mail address (or subject) the provider sent,
-- shown to a person with no role. Sessions opened before this step cannot
-- tell claims from memberships: they end, and everyone signs in again.
ALTER TABLE signin_states ADD COLUMN browser TEXT NOT NULL DEFAULT '';
DELETE FROM signin_states;
DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN claim_roles TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN claim_agency TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN received TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_email ON sessions (email);

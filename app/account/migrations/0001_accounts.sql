-- People who may sign in on this device, enrolled from the platform (or the
-- demo seed). A PIN is kept only as an Argon2id hash.
CREATE TABLE accounts (
    id           TEXT PRIMARY KEY,      -- certificate or staff number
    name         TEXT NOT NULL,
    agency       TEXT NOT NULL,
    unit         TEXT NOT NULL,
    position     TEXT NOT NULL DEFAULT '',
    role         TEXT NOT NULL CHECK (role IN ('staff', 'officer', 'reviewer')),
    qualification TEXT NOT NULL DEFAULT '', -- a reviewer's legal qualification
    pin_hash     TEXT NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT NOT NULL DEFAULT ''
) STRICT;

-- Who signed in and out where: appended, never changed.
CREATE TABLE sign_log (
    seq     INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    account TEXT NOT NULL,
    event   TEXT NOT NULL,   -- signin, signout, failed, locked, pause, resume
    place   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TRIGGER sign_log_no_update BEFORE UPDATE ON sign_log
BEGIN SELECT RAISE(ABORT, 'sign_log is append-only'); END;
CREATE TRIGGER sign_log_no_delete BEFORE DELETE ON sign_log
BEGIN SELECT RAISE(ABORT, 'sign_log is append-only'); END;

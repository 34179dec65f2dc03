-- Kiosk administrators hold keys on the kiosk they look after (issue 16):
-- the role check is widened. SQLite cannot change a CHECK in place, so the
-- table is copied; no other table refers to it.
CREATE TABLE accounts_new (
    id           TEXT PRIMARY KEY,      -- certificate or staff number
    name         TEXT NOT NULL,
    agency       TEXT NOT NULL,
    unit         TEXT NOT NULL,
    position     TEXT NOT NULL DEFAULT '',
    role         TEXT NOT NULL CHECK (role IN ('staff', 'officer', 'reviewer', 'kiosk_admin')),
    qualification TEXT NOT NULL DEFAULT '', -- a reviewer's legal qualification
    pin_hash     TEXT NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT NOT NULL DEFAULT '',
    public_key   TEXT NOT NULL DEFAULT '',
    sealed_key   TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO accounts_new (id, name, agency, unit, position, role, qualification, pin_hash, failures, locked_until, public_key, sealed_key)
    SELECT id, name, agency, unit, position, role, qualification, pin_hash, failures, locked_until, public_key, sealed_key FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;

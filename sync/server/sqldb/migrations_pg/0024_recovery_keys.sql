-- PostgreSQL: as migrations/0024_recovery_keys.sql.
-- The city's recovery keys (issue 21): an SM2 or X25519 public key whose
-- private part the city keeps offline. Devices wrap their data key to each
-- key the platform publishes, so the city can open a dead laptop's folder.
-- The platform publishes each as a note signed with its receipt key (the
-- key devices pin), re-signed when that key rotates; a removed key stays
-- here with the time it was removed and is no longer published.
CREATE TABLE recovery_keys (
    public_key TEXT PRIMARY KEY,            -- "sm2:BASE64" or "x25519:BASE64"
    note       TEXT NOT NULL,               -- the signed note devices verify
    added      TEXT NOT NULL,               -- RFC 3339, UTC
    removed    TEXT NOT NULL DEFAULT ''     -- RFC 3339, UTC; '' while published
);

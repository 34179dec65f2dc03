-- The city's people: who may sign in on a device and in what role, owned by
-- the platform (imported, edited in the console or through the API) and
-- carried to devices by the change feed. The legal reviewers' registry
-- becomes the people whose role is reviewer.
CREATE TABLE people (
    id            TEXT PRIMARY KEY,   -- certificate or staff number
    name          TEXT NOT NULL,
    agency        TEXT NOT NULL,
    unit          TEXT NOT NULL DEFAULT '',
    position      TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,      -- officer, reviewer, staff, kiosk_admin
    qualification TEXT NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1,
    updated       TEXT NOT NULL
) STRICT;

INSERT INTO people (id, name, agency, role, qualification, updated)
    SELECT id, name, agency, 'reviewer', qualification, '' FROM reviewers;
DROP TABLE reviewers;

-- One-time activation codes: a person activates once, on an enrolled
-- device, and the device makes the person's key.
CREATE TABLE activation_codes (
    code_hash TEXT PRIMARY KEY,       -- SHA-256 of the code
    person    TEXT NOT NULL,
    created   TEXT NOT NULL,
    expires   TEXT NOT NULL,
    used_by   TEXT NOT NULL DEFAULT '', -- the device that used it
    used_at   TEXT NOT NULL DEFAULT ''
) STRICT;

-- Each person's public keys (Ed25519, base64), each made on one device.
CREATE TABLE person_keys (
    key        TEXT PRIMARY KEY,
    person     TEXT NOT NULL,
    device     TEXT NOT NULL,
    registered TEXT NOT NULL,
    revoked    TEXT NOT NULL DEFAULT '',  -- when, RFC 3339; '' while in force
    reason     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX person_keys_by_person ON person_keys (person);

-- The reference platform's own database.
CREATE TABLE platform_key (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    signer   TEXT NOT NULL,
    verifier TEXT NOT NULL
) STRICT;

CREATE TABLE enrol_codes (
    code_hash TEXT PRIMARY KEY,   -- SHA-256 of the one-time code
    kind      TEXT NOT NULL,
    created   TEXT NOT NULL,
    used_by   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE devices (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    verifier   TEXT NOT NULL,     -- the device log's public key
    origin     TEXT NOT NULL,     -- its checkpoints' origin line
    token_hash TEXT NOT NULL UNIQUE,
    revoked    INTEGER NOT NULL DEFAULT 0,
    enrolled   TEXT NOT NULL,
    last_seen  TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE log_records (
    device TEXT NOT NULL REFERENCES devices (id),
    seq    INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (device, seq)
) STRICT;

CREATE TABLE log_hashes (
    device TEXT NOT NULL,
    idx    INTEGER NOT NULL,
    hash   BLOB NOT NULL,
    PRIMARY KEY (device, idx)
) STRICT;

CREATE TABLE receipts (
    device   TEXT NOT NULL,
    size     INTEGER NOT NULL,
    root     TEXT NOT NULL,
    note     TEXT NOT NULL,
    received TEXT NOT NULL,
    PRIMARY KEY (device, size)
) STRICT;

CREATE TABLE alerts (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    device TEXT NOT NULL,
    kind   TEXT NOT NULL,
    detail TEXT NOT NULL
) STRICT;

-- The public lists; cursor is assigned at commit by the single writer, so
-- the feed never shows N+1 before N.
CREATE TABLE catalog (
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    data    TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    cursor  INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) STRICT;
CREATE UNIQUE INDEX catalog_by_cursor ON catalog (cursor);

CREATE TRIGGER log_records_no_update BEFORE UPDATE ON log_records BEGIN SELECT RAISE(ABORT, 'device logs are append-only'); END;
CREATE TRIGGER log_records_no_delete BEFORE DELETE ON log_records BEGIN SELECT RAISE(ABORT, 'device logs are append-only'); END;
CREATE TRIGGER receipts_no_update BEFORE UPDATE ON receipts BEGIN SELECT RAISE(ABORT, 'receipts are append-only'); END;
CREATE TRIGGER receipts_no_delete BEFORE DELETE ON receipts BEGIN SELECT RAISE(ABORT, 'receipts are append-only'); END;

-- Evidence files received, by content.
CREATE TABLE media (
    sha256   TEXT PRIMARY KEY,
    size     INTEGER NOT NULL,
    device   TEXT NOT NULL,
    received TEXT NOT NULL,
    receipt  TEXT NOT NULL
) STRICT;

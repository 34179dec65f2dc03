-- The reference platform's database on PostgreSQL: the same tables as the
-- SQLite schema (migrations/0001_platform.sql), in PostgreSQL's types.
CREATE TABLE platform_key (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    signer   TEXT NOT NULL,
    verifier TEXT NOT NULL
);

CREATE TABLE enrol_codes (
    code_hash TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    created   TEXT NOT NULL,
    used_by   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE devices (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    origin     TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    revoked    INTEGER NOT NULL DEFAULT 0,
    enrolled   TEXT NOT NULL,
    last_seen  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE log_records (
    device TEXT NOT NULL REFERENCES devices (id),
    seq    BIGINT NOT NULL,
    data   BYTEA NOT NULL,
    PRIMARY KEY (device, seq)
);

CREATE TABLE log_hashes (
    device TEXT NOT NULL,
    idx    BIGINT NOT NULL,
    hash   BYTEA NOT NULL,
    PRIMARY KEY (device, idx)
);

CREATE TABLE receipts (
    device   TEXT NOT NULL,
    size     BIGINT NOT NULL,
    root     TEXT NOT NULL,
    note     TEXT NOT NULL,
    received TEXT NOT NULL,
    PRIMARY KEY (device, size)
);

CREATE TABLE alerts (
    id     BIGSERIAL PRIMARY KEY,
    at     TEXT NOT NULL,
    device TEXT NOT NULL,
    kind   TEXT NOT NULL,
    detail TEXT NOT NULL
);

-- cursor is assigned under an advisory lock held to commit, so the feed
-- never shows N+1 before N.
CREATE TABLE catalog (
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    data    TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    cursor  BIGINT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE UNIQUE INDEX catalog_by_cursor ON catalog (cursor);

CREATE FUNCTION sanxiang_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER log_records_append_only BEFORE UPDATE OR DELETE ON log_records
    FOR EACH ROW EXECUTE FUNCTION sanxiang_append_only();
CREATE TRIGGER receipts_append_only BEFORE UPDATE OR DELETE ON receipts
    FOR EACH ROW EXECUTE FUNCTION sanxiang_append_only();

CREATE TABLE media (
    sha256   TEXT PRIMARY KEY,
    size     BIGINT NOT NULL,
    device   TEXT NOT NULL,
    received TEXT NOT NULL,
    receipt  TEXT NOT NULL
);

-- Administrators are people with accounts (issue 16, item 7): the city's
-- legal-affairs office (every agency, read and supervise), an agency's
-- administrator (that agency only) and the platform's operator (devices
-- and keys). The shared --admin-token stays only as a bootstrap for
-- automation; programs get scoped, named, revocable API tokens.
CREATE TABLE admins (
    login    TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    password TEXT NOT NULL,            -- Argon2id, PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash)
    role     TEXT NOT NULL,            -- city, agency, operator
    agency   TEXT NOT NULL DEFAULT '', -- an agency administrator's agency code
    active   INTEGER NOT NULL DEFAULT 1,
    created  TEXT NOT NULL
);

-- Console sessions: the cookie's token is kept only as its SHA-256; csrf is
-- the token every form of the session carries.
CREATE TABLE admin_sessions (
    token_hash TEXT PRIMARY KEY,
    login      TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created    TEXT NOT NULL,          -- RFC 3339: the absolute expiry counts from here
    seen       TEXT NOT NULL           -- RFC 3339: the idle expiry counts from here
);
CREATE INDEX admin_sessions_by_login ON admin_sessions (login);

-- API tokens for automation: named, scoped, optionally held to one agency,
-- revocable and rotatable while the platform runs.
CREATE TABLE api_tokens (
    name       TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,   -- SHA-256 of the secret
    scopes     TEXT NOT NULL,          -- space-separated: catalog devices people supervision review audit
    agency     TEXT NOT NULL DEFAULT '',
    created    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    rotated    TEXT NOT NULL DEFAULT '',
    revoked    TEXT NOT NULL DEFAULT ''
);

-- Every administrative act, append-only and hash-chained: hash is the
-- SHA-256 of the previous row's hash and this row's content, so an edit or
-- a deletion breaks the chain from that row on.
CREATE TABLE audit_log (
    seq    BIGINT PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,              -- the administrator's login, or the API token's name
    role   TEXT NOT NULL,              -- city, agency, operator, token
    agency TEXT NOT NULL DEFAULT '',   -- the agency the act concerns ('' for the whole city)
    action TEXT NOT NULL,
    object TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    ip     TEXT NOT NULL DEFAULT '',
    prev   TEXT NOT NULL,
    hash   TEXT NOT NULL
);
CREATE INDEX audit_log_by_agency ON audit_log (agency, seq);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

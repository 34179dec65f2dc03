-- RFC 3161 time-stamps of what the platform signs for devices (issue 25,
-- part 2). A request is kept when the platform asks (the exact bytes to
-- be stamped: a receipt note, a cosigned checkpoint); a token when the
-- authority answered and its token was verified against the configured
-- roots. A request without a token is still owed and retried. Both are
-- append-only: evidence is never rewritten.
CREATE TABLE timestamp_requests (
    device TEXT NOT NULL,
    size   BIGINT NOT NULL,           -- the device log's size the data covers
    sha    TEXT NOT NULL,             -- hex SHA-256 of data
    data   BYTEA NOT NULL,            -- the exact bytes stamped
    asked  TEXT NOT NULL,             -- RFC 3339, UTC
    PRIMARY KEY (device, size, sha)
);

CREATE TABLE timestamps (
    seq     BIGSERIAL PRIMARY KEY,    -- the order devices read them in
    device  TEXT NOT NULL,
    size    BIGINT NOT NULL,
    sha     TEXT NOT NULL,
    token   BYTEA NOT NULL,           -- DER TimeStampToken
    tsa_time TEXT NOT NULL,           -- the authority's time (genTime), RFC 3339
    tsa     TEXT NOT NULL,            -- the signing certificate's subject
    stamped TEXT NOT NULL,            -- the platform's time it was kept
    UNIQUE (device, size, sha)
);
CREATE INDEX timestamps_by_device ON timestamps (device, seq);

CREATE FUNCTION timestamps_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'time-stamps are append-only'; END $$;
CREATE TRIGGER timestamp_requests_append_only BEFORE UPDATE OR DELETE ON timestamp_requests
    FOR EACH ROW EXECUTE FUNCTION timestamps_append_only();
CREATE TRIGGER timestamps_append_only BEFORE UPDATE OR DELETE ON timestamps
    FOR EACH ROW EXECUTE FUNCTION timestamps_append_only();

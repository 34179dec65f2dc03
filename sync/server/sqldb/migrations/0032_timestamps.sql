-- RFC 3161 time-stamps of what the platform signs for devices (issue 25,
-- part 2). A request is kept when the platform asks (the exact bytes to
-- be stamped: a receipt note, a cosigned checkpoint); a token when the
-- authority answered and its token was verified against the configured
-- roots. A request without a token is still owed and retried. Both are
-- append-only: evidence is never rewritten.
CREATE TABLE timestamp_requests (
    device TEXT NOT NULL,
    size   INTEGER NOT NULL,          -- the device log's size the data covers
    sha    TEXT NOT NULL,             -- hex SHA-256 of data
    data   BLOB NOT NULL,             -- the exact bytes stamped
    asked  TEXT NOT NULL,             -- RFC 3339, UTC
    PRIMARY KEY (device, size, sha)
) STRICT;

CREATE TABLE timestamps (
    seq     INTEGER PRIMARY KEY,      -- the order devices read them in
    device  TEXT NOT NULL,
    size    INTEGER NOT NULL,
    sha     TEXT NOT NULL,
    token   BLOB NOT NULL,            -- DER TimeStampToken
    tsa_time TEXT NOT NULL,           -- the authority's time (genTime), RFC 3339
    tsa     TEXT NOT NULL,            -- the signing certificate's subject
    stamped TEXT NOT NULL,            -- the platform's time it was kept
    UNIQUE (device, size, sha)
) STRICT;
CREATE INDEX timestamps_by_device ON timestamps (device, seq);

CREATE TRIGGER timestamp_requests_no_update BEFORE UPDATE ON timestamp_requests
BEGIN SELECT RAISE(ABORT, 'time-stamp requests are append-only'); END;
CREATE TRIGGER timestamp_requests_no_delete BEFORE DELETE ON timestamp_requests
BEGIN SELECT RAISE(ABORT, 'time-stamp requests are append-only'); END;
CREATE TRIGGER timestamps_no_update BEFORE UPDATE ON timestamps
BEGIN SELECT RAISE(ABORT, 'time-stamps are append-only'); END;
CREATE TRIGGER timestamps_no_delete BEFORE DELETE ON timestamps
BEGIN SELECT RAISE(ABORT, 'time-stamps are append-only'); END;

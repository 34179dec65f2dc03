-- The device's append-only record log. Each row holds a record's exact
-- bytes (data), columns copied from them for queries, the Merkle tree hashes
-- stored when it was appended (golang.org/x/mod/sumdb/tlog: level 0 first,
-- 32 bytes each) and, for the last record of each append, the signed tree
-- head (checkpoint). One row an append keeps a synchronous=FULL commit to
-- the fewest pages. Triggers refuse any change or removal: a
-- correction is a new record naming the one it corrects. The hashes and
-- signatures detect what triggers cannot stop (someone dropping them).
CREATE TABLE device_key (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    origin  TEXT NOT NULL,   -- checkpoint origin line: sanxiang/device/<id>
    signer  TEXT NOT NULL,   -- note signer key (private)
    verifier TEXT NOT NULL   -- note verifier key (public)
) STRICT;

CREATE TABLE records (
    seq      INTEGER PRIMARY KEY,          -- index in the log, from 0
    case_id  TEXT NOT NULL,
    kind     TEXT NOT NULL,
    at       TEXT NOT NULL,
    author   TEXT NOT NULL,
    corrects INTEGER REFERENCES records (seq),
    data     BLOB NOT NULL,                -- the bytes the leaf hash covers
    hashes   BLOB NOT NULL,                -- tlog stored hashes of this append
    checkpoint TEXT                        -- signed checkpoint of size seq+1, or NULL
) STRICT;
CREATE INDEX records_by_case ON records (case_id, seq);

CREATE TABLE record_media (
    seq    INTEGER NOT NULL REFERENCES records (seq),
    sha256 TEXT NOT NULL,
    PRIMARY KEY (seq, sha256)
) STRICT;

CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
CREATE TRIGGER record_media_no_update BEFORE UPDATE ON record_media BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
CREATE TRIGGER record_media_no_delete BEFORE DELETE ON record_media BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
CREATE TRIGGER device_key_no_update BEFORE UPDATE ON device_key BEGIN SELECT RAISE(ABORT, 'the device key is fixed'); END;
CREATE TRIGGER device_key_no_delete BEFORE DELETE ON device_key BEGIN SELECT RAISE(ABORT, 'the device key is fixed'); END;

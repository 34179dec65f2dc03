-- The device's append-only record log. records holds each record's exact
-- bytes (data) and, for queries, columns copied from them; hashes holds the
-- Merkle tree's stored hashes (golang.org/x/mod/sumdb/tlog); checkpoints
-- holds the signed tree heads. Triggers refuse any change or removal: a
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
    data     BLOB NOT NULL                 -- the bytes the leaf hash covers
) STRICT;
CREATE INDEX records_by_case ON records (case_id, seq);

CREATE TABLE record_media (
    seq    INTEGER NOT NULL REFERENCES records (seq),
    sha256 TEXT NOT NULL,
    PRIMARY KEY (seq, sha256)
) STRICT;

CREATE TABLE hashes (
    idx  INTEGER PRIMARY KEY,   -- tlog stored hash index
    hash BLOB NOT NULL
) STRICT;

CREATE TABLE checkpoints (
    size INTEGER PRIMARY KEY,
    note TEXT NOT NULL          -- signed C2SP checkpoint
) STRICT;

CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
CREATE TRIGGER record_media_no_update BEFORE UPDATE ON record_media BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
CREATE TRIGGER record_media_no_delete BEFORE DELETE ON record_media BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
CREATE TRIGGER hashes_no_update BEFORE UPDATE ON hashes BEGIN SELECT RAISE(ABORT, 'hashes are append-only'); END;
CREATE TRIGGER hashes_no_delete BEFORE DELETE ON hashes BEGIN SELECT RAISE(ABORT, 'hashes are append-only'); END;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER device_key_no_update BEFORE UPDATE ON device_key BEGIN SELECT RAISE(ABORT, 'the device key is fixed'); END;
CREATE TRIGGER device_key_no_delete BEFORE DELETE ON device_key BEGIN SELECT RAISE(ABORT, 'the device key is fixed'); END;

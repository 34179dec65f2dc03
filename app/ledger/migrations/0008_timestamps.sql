-- RFC 3161 time-stamp tokens the platform got for this log (issue 25,
-- part 2): over bytes that state this log's own tree (a receipt note, a
-- cosigned checkpoint), kept with those exact bytes. Bundles carry them.
-- seq is the platform's order, which the device reads on from. Evidence
-- is never changed or removed.
CREATE TABLE timestamps (
    seq   INTEGER PRIMARY KEY,   -- the platform's seq of the token
    size  INTEGER NOT NULL,      -- the log's size the stamped bytes cover
    data  BLOB NOT NULL,         -- the exact bytes stamped
    token BLOB NOT NULL,         -- DER TimeStampToken
    kept  TEXT NOT NULL          -- RFC 3339, UTC: when the device got it
) STRICT;
CREATE TRIGGER timestamps_no_update BEFORE UPDATE ON timestamps BEGIN SELECT RAISE(ABORT, 'time-stamps are kept as received'); END;
CREATE TRIGGER timestamps_no_delete BEFORE DELETE ON timestamps BEGIN SELECT RAISE(ABORT, 'time-stamps are kept as received'); END;

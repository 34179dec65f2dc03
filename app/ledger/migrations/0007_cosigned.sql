-- The newest checkpoints the platform's witnesses cosigned of this log
-- (issue 25): the device's note with one tlog-cosignature line a witness,
-- kept as received once its tree is checked against this log's own.
CREATE TABLE cosigned (
    size     INTEGER PRIMARY KEY,
    note     TEXT NOT NULL,
    received TEXT NOT NULL   -- RFC 3339, UTC: when the device got it
) STRICT;

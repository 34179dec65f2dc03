-- Witnesses (issue 25, part 1). device_checkpoints keeps each device
-- checkpoint the platform accepted (by push or alone), as the device
-- signed it; cosigned_checkpoints each cosigned note that met the witness
-- policy's quorum (the checkpoint, the device's signature line and one
-- tlog-cosignature line a witness), a new row when more witnesses join.
-- Both are append-only. witness_progress is each witness's last cosigned
-- size of each log: where the next consistency proof starts.
CREATE TABLE device_checkpoints (
    device TEXT NOT NULL,
    size   INTEGER NOT NULL,
    note   TEXT NOT NULL,
    at     TEXT NOT NULL,          -- RFC 3339, UTC: the platform's receive time
    PRIMARY KEY (device, size)
) STRICT;
CREATE TRIGGER device_checkpoints_no_update BEFORE UPDATE ON device_checkpoints
BEGIN SELECT RAISE(ABORT, 'device checkpoints are append-only'); END;
CREATE TRIGGER device_checkpoints_no_delete BEFORE DELETE ON device_checkpoints
BEGIN SELECT RAISE(ABORT, 'device checkpoints are append-only'); END;

CREATE TABLE cosigned_checkpoints (
    seq       INTEGER PRIMARY KEY,
    device    TEXT NOT NULL,
    size      INTEGER NOT NULL,
    note      TEXT NOT NULL,
    witnesses TEXT NOT NULL,       -- names, comma-separated
    at        TEXT NOT NULL
) STRICT;
CREATE INDEX cosigned_by_device ON cosigned_checkpoints (device, seq);
CREATE TRIGGER cosigned_checkpoints_no_update BEFORE UPDATE ON cosigned_checkpoints
BEGIN SELECT RAISE(ABORT, 'cosigned checkpoints are append-only'); END;
CREATE TRIGGER cosigned_checkpoints_no_delete BEFORE DELETE ON cosigned_checkpoints
BEGIN SELECT RAISE(ABORT, 'cosigned checkpoints are append-only'); END;

CREATE TABLE witness_progress (
    witness TEXT NOT NULL,
    device  TEXT NOT NULL,
    size    INTEGER NOT NULL,
    cosig   TEXT NOT NULL,         -- its cosignature line of that size
    PRIMARY KEY (witness, device)
) STRICT;

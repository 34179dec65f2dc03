-- Witnesses (issue 25, part 1). device_checkpoints keeps each device
-- checkpoint the platform accepted (by push or alone), as the device
-- signed it; cosigned_checkpoints each cosigned note that met the witness
-- policy's quorum (the checkpoint, the device's signature line and one
-- tlog-cosignature line a witness), a new row when more witnesses join.
-- Both are append-only. witness_progress is each witness's last cosigned
-- size of each log: where the next consistency proof starts.
CREATE TABLE device_checkpoints (
    device TEXT NOT NULL,
    size   BIGINT NOT NULL,
    note   TEXT NOT NULL,
    at     TEXT NOT NULL,          -- RFC 3339, UTC: the platform's receive time
    PRIMARY KEY (device, size)
);

CREATE TABLE cosigned_checkpoints (
    seq       BIGSERIAL PRIMARY KEY,
    device    TEXT NOT NULL,
    size      BIGINT NOT NULL,
    note      TEXT NOT NULL,
    witnesses TEXT NOT NULL,       -- names, comma-separated
    at        TEXT NOT NULL
);
CREATE INDEX cosigned_by_device ON cosigned_checkpoints (device, seq);

CREATE TABLE witness_progress (
    witness TEXT NOT NULL,
    device  TEXT NOT NULL,
    size    BIGINT NOT NULL,
    cosig   TEXT NOT NULL,         -- its cosignature line of that size
    PRIMARY KEY (witness, device)
);

CREATE TRIGGER device_checkpoints_append_only BEFORE UPDATE OR DELETE ON device_checkpoints
    FOR EACH ROW EXECUTE FUNCTION sanxiang_append_only();
CREATE TRIGGER cosigned_checkpoints_append_only BEFORE UPDATE OR DELETE ON cosigned_checkpoints
    FOR EACH ROW EXECUTE FUNCTION sanxiang_append_only();

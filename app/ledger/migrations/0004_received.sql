-- Records of a case that another device's log holds, received when the
-- case was handed over to an officer here (移交): kept with the exact bytes
-- the platform carried, under the device whose log and checkpoints cover
-- them. This log's own records of the case continue from them through a
-- takeover record naming the handover. Never changed or removed.
CREATE TABLE received_records (
    device   TEXT NOT NULL,     -- the device whose log holds the record
    seq      INTEGER NOT NULL,  -- its index in that log
    case_id  TEXT NOT NULL,
    data     BLOB NOT NULL,     -- the record's bytes, as that log holds them
    received TEXT NOT NULL,
    PRIMARY KEY (device, seq)
) STRICT;
CREATE INDEX received_by_case ON received_records (case_id);
CREATE TRIGGER received_no_update BEFORE UPDATE ON received_records BEGIN SELECT RAISE(ABORT, 'received records are kept as received'); END;
CREATE TRIGGER received_no_delete BEFORE DELETE ON received_records BEGIN SELECT RAISE(ABORT, 'received records are kept as received'); END;

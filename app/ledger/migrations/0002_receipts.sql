-- Receipts the platform signed for this log: kept for good, since after a
-- receipt nobody holding the device key can rewrite what it covers unseen.
CREATE TABLE receipts (
    size     INTEGER PRIMARY KEY,
    root     TEXT NOT NULL,
    note     TEXT NOT NULL,
    received TEXT NOT NULL
) STRICT;
CREATE TRIGGER receipts_no_update BEFORE UPDATE ON receipts BEGIN SELECT RAISE(ABORT, 'receipts are kept as received'); END;
CREATE TRIGGER receipts_no_delete BEFORE DELETE ON receipts BEGIN SELECT RAISE(ABORT, 'receipts are kept as received'); END;

-- The platform's receipts for evidence files, by SHA-256: a file may only
-- be removed from this device once its receipt is here.
CREATE TABLE media_receipts (
    sha256   TEXT PRIMARY KEY,
    note     TEXT NOT NULL,
    received TEXT NOT NULL
) STRICT;
CREATE TRIGGER media_receipts_no_update BEFORE UPDATE ON media_receipts BEGIN SELECT RAISE(ABORT, 'receipts are kept as received'); END;
CREATE TRIGGER media_receipts_no_delete BEFORE DELETE ON media_receipts BEGIN SELECT RAISE(ABORT, 'receipts are kept as received'); END;

-- Uploads in progress, so that one resumes after the app was closed.
CREATE TABLE uploads (
    sha256   TEXT PRIMARY KEY,
    location TEXT NOT NULL
) STRICT;

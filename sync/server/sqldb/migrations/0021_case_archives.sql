-- Archive (归档, issue 20 item 6): a closed case's device archives it with
-- a case.archive record, after which the case is read-only. The case's row
-- says when (the record's time, RFC 3339 UTC), for how long the archive
-- keeps it ("permanent", "30", "10" years) and which record archived it;
-- after_archive counts the case's records that arrived after it anyway
-- (written around the device's rules), each push of them raised as an
-- alert.
ALTER TABLE cases ADD COLUMN archived_at TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN retention TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN archive_seq INTEGER NOT NULL DEFAULT -1;
ALTER TABLE cases ADD COLUMN after_archive INTEGER NOT NULL DEFAULT 0;

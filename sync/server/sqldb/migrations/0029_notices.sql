-- 通报 → 整改 → 复查 (issue 24, part 3): a notice the city's office issues
-- about a case or an agency, and each step that follows it — the agency's
-- rectification report (整改报告) with its attachments, the re-check
-- (复查: passed or returned) and accountability (问责). The state is read
-- from the steps; nothing is ever changed or deleted: every table refuses
-- UPDATE and DELETE.
CREATE TABLE notices (
    id          TEXT NOT NULL PRIMARY KEY,  -- YEAR-SEQ, e.g. 2026-3 (通报〔2026〕3号)
    year        INTEGER NOT NULL,
    seq         INTEGER NOT NULL,           -- 1, 2, … within the year
    agency      TEXT NOT NULL,              -- the agency that must answer
    device      TEXT NOT NULL DEFAULT '',   -- the case's device ('' for a notice about the agency)
    case_id     TEXT NOT NULL DEFAULT '',
    finding     TEXT NOT NULL,              -- what supervision found
    basis       TEXT NOT NULL,              -- 法律依据
    actions     TEXT NOT NULL DEFAULT '',   -- what must be done, if said
    deadline    TEXT NOT NULL,              -- YYYY-MM-DD: the report is due by the end of it
    issued_at   TEXT NOT NULL,              -- RFC 3339 UTC
    issuer      TEXT NOT NULL,              -- the administrator (login) or token (name)
    issuer_role TEXT NOT NULL,
    UNIQUE (year, seq)
) STRICT;

CREATE INDEX notices_by_agency ON notices (agency, deadline);
CREATE INDEX notices_by_case ON notices (device, case_id);

CREATE TABLE notice_steps (
    notice  TEXT NOT NULL,              -- notices.id
    n       INTEGER NOT NULL,           -- 1, 2, … in the order written
    kind    TEXT NOT NULL,              -- report, pass, return, accountability
    at      TEXT NOT NULL,              -- RFC 3339 UTC
    actor   TEXT NOT NULL,
    role    TEXT NOT NULL,
    text    TEXT NOT NULL DEFAULT '',   -- the report, or the reasons for a return or a pass
    who     TEXT NOT NULL DEFAULT '',   -- accountability: who is held to account
    measure TEXT NOT NULL DEFAULT '',   -- accountability: the measure taken
    PRIMARY KEY (notice, n)
) STRICT;

-- A report's attachments, and the files themselves by content: a file
-- attached twice is kept once.
CREATE TABLE notice_attachments (
    notice TEXT NOT NULL,
    n      INTEGER NOT NULL,            -- the step (a report) it came with
    i      INTEGER NOT NULL,            -- its place among the step's files
    sha256 TEXT NOT NULL,
    name   TEXT NOT NULL,               -- the file's name as uploaded
    type   TEXT NOT NULL,               -- the media type its content was judged to be
    size   INTEGER NOT NULL,
    PRIMARY KEY (notice, n, i)
) STRICT;

CREATE TABLE notice_files (
    sha256 TEXT NOT NULL PRIMARY KEY,
    data   BLOB NOT NULL
) STRICT;

CREATE TRIGGER notices_no_update BEFORE UPDATE ON notices BEGIN SELECT RAISE(ABORT, 'notices are append-only'); END;
CREATE TRIGGER notices_no_delete BEFORE DELETE ON notices BEGIN SELECT RAISE(ABORT, 'notices are append-only'); END;
CREATE TRIGGER notice_steps_no_update BEFORE UPDATE ON notice_steps BEGIN SELECT RAISE(ABORT, 'notice steps are append-only'); END;
CREATE TRIGGER notice_steps_no_delete BEFORE DELETE ON notice_steps BEGIN SELECT RAISE(ABORT, 'notice steps are append-only'); END;
CREATE TRIGGER notice_attachments_no_update BEFORE UPDATE ON notice_attachments BEGIN SELECT RAISE(ABORT, 'notice attachments are append-only'); END;
CREATE TRIGGER notice_attachments_no_delete BEFORE DELETE ON notice_attachments BEGIN SELECT RAISE(ABORT, 'notice attachments are append-only'); END;
CREATE TRIGGER notice_files_no_update BEFORE UPDATE ON notice_files BEGIN SELECT RAISE(ABORT, 'notice files are append-only'); END;
CREATE TRIGGER notice_files_no_delete BEFORE DELETE ON notice_files BEGIN SELECT RAISE(ABORT, 'notice files are append-only'); END;

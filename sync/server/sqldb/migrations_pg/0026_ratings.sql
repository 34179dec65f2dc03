-- 好差评 (issue 23, part 4): each rating a citizen gave at a window (a
-- window.rating record of the window device's log, checked by hall.Check
-- as it arrived), indexed for the supervisors' console; and each bad
-- rating's follow-up (回访, 整改), written by an administrator. Both are
-- append-only: a rating can be answered, never changed or deleted.
CREATE TABLE ratings (
    device        TEXT NOT NULL,              -- the window device whose log holds the record
    seq           BIGINT NOT NULL,            -- its place there
    visit         TEXT NOT NULL UNIQUE,       -- the service's random number: a replayed rating is refused
    at            TEXT NOT NULL,              -- RFC 3339 UTC: when the citizen rated (the record's time)
    window_no     TEXT NOT NULL,              -- the window's number
    staff         TEXT NOT NULL,              -- who served (the record's author and signer)
    agency        TEXT NOT NULL DEFAULT '',   -- the staff member's agency when the rating arrived
    level         TEXT NOT NULL,              -- very_satisfied … very_dissatisfied, unrated
    reasons       TEXT NOT NULL DEFAULT '',   -- the reasons' codes, space-separated
    words         TEXT NOT NULL DEFAULT '',   -- the citizen's own words
    service       TEXT NOT NULL DEFAULT '',   -- kind/key of the guide or fee staff showed
    service_title TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (device, seq)
);

CREATE INDEX ratings_by_at ON ratings (at);
CREATE INDEX ratings_by_agency ON ratings (agency, at);

CREATE TABLE rating_followups (
    device TEXT NOT NULL,              -- the rating's device and place
    seq    BIGINT NOT NULL,
    n      INTEGER NOT NULL,           -- 1, 2, … in the order written
    kind   TEXT NOT NULL,              -- callback (回访) or fix (整改)
    at     TEXT NOT NULL,              -- RFC 3339 UTC: when it was written
    actor  TEXT NOT NULL,              -- the administrator who wrote it (login)
    role   TEXT NOT NULL,              -- their role (city, agency)
    who    TEXT NOT NULL,              -- who called back, or who is to fix it
    what   TEXT NOT NULL,              -- what was said, or what is to be fixed
    due    TEXT NOT NULL DEFAULT '',   -- by when (YYYY-MM-DD); a fix must have one
    result TEXT NOT NULL DEFAULT '',   -- what came of it
    PRIMARY KEY (device, seq, n)
);

CREATE TRIGGER ratings_append_only BEFORE UPDATE OR DELETE ON ratings
    FOR EACH ROW EXECUTE FUNCTION sanxiang_append_only();
CREATE TRIGGER rating_followups_append_only BEFORE UPDATE OR DELETE ON rating_followups
    FOR EACH ROW EXECUTE FUNCTION sanxiang_append_only();

-- Each time a legal reviewer opened a case from the review queue (its
-- parties' personal data unmasked): who, on which device, which case,
-- when. Appended, never changed.
CREATE TABLE review_openings (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    reviewer    TEXT NOT NULL,
    device      TEXT NOT NULL,   -- where the reviewer opened it
    case_device TEXT NOT NULL,
    case_id     TEXT NOT NULL
) STRICT;
CREATE INDEX review_openings_by_case ON review_openings (case_device, case_id);

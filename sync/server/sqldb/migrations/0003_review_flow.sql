-- Legal review across devices: cases whose device submitted them for
-- review (with the newest record the platform holds of each, so their state
-- can be read), and opinions reviewers signed on other devices, waiting for
-- the case's device to take them.
CREATE TABLE review_cases (
    device   TEXT NOT NULL,
    case_id  TEXT NOT NULL,
    agency   TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (device, case_id)
) STRICT;
CREATE INDEX review_cases_by_agency ON review_cases (agency);

CREATE TABLE review_opinions (
    reviewer_device TEXT NOT NULL,
    reviewer_seq    INTEGER NOT NULL,
    device          TEXT NOT NULL,
    case_id         TEXT NOT NULL,
    submission      INTEGER NOT NULL,
    opinion         TEXT NOT NULL,   -- review.Opinion as JSON
    PRIMARY KEY (reviewer_device, reviewer_seq)
) STRICT;
CREATE INDEX review_opinions_by_device ON review_opinions (device);

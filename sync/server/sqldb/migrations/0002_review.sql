-- What the platform checks arriving logs against: each agency's
-- major-decision list and review settings (review.Policy as JSON), and the
-- registry of legal reviewers.
CREATE TABLE policies (
    agency TEXT PRIMARY KEY,
    data   TEXT NOT NULL
) STRICT;

CREATE TABLE reviewers (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    qualification TEXT NOT NULL,
    agency        TEXT NOT NULL
) STRICT;

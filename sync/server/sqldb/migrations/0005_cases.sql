-- Every case the devices' logs hold: where it is (device, and its newest
-- record, from which the record chain rebuilds it) and what supervision
-- counts it by (agency, act, the time it was opened, RFC 3339 UTC).
CREATE TABLE cases (
    device   TEXT NOT NULL,
    case_id  TEXT NOT NULL,
    agency   TEXT NOT NULL,
    act      TEXT NOT NULL,
    opened   TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (device, case_id)
) STRICT;
CREATE INDEX cases_by_opened ON cases (opened);

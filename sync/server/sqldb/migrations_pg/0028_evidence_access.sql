-- Evidence access (issue 24, part 1): before an administrator views or
-- downloads a case's evidence on the console, they state why; each
-- statement is a purpose, and every view and download made under it is
-- an access. Both are append-only: who looked at which evidence, when and
-- why can be read, never changed or deleted.
CREATE TABLE evidence_purposes (
    id      TEXT PRIMARY KEY,          -- random; the case page's evidence links carry it
    at      TEXT NOT NULL,             -- RFC 3339 UTC: when it was stated
    login   TEXT NOT NULL,             -- the console account that stated it
    name    TEXT NOT NULL DEFAULT '',  -- the account's name then
    role    TEXT NOT NULL,             -- its role then (city, agency)
    agency  TEXT NOT NULL DEFAULT '',  -- its agency then ('' for the city)
    device  TEXT NOT NULL,             -- the case: its device and number
    case_id TEXT NOT NULL,
    purpose TEXT NOT NULL,             -- review, supervision, complaint, other
    words   TEXT NOT NULL DEFAULT ''   -- the viewer's own words
);

CREATE INDEX evidence_purposes_by_case ON evidence_purposes (device, case_id, at);

CREATE TABLE evidence_access (
    n          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- in the order written
    purpose_id TEXT NOT NULL REFERENCES evidence_purposes (id),
    sha256     TEXT NOT NULL,          -- the evidence file
    action     TEXT NOT NULL,          -- view or download
    at         TEXT NOT NULL           -- RFC 3339 UTC
);

-- One view per file per statement of purpose, however many range
-- requests its playing makes; every download is its own.
CREATE UNIQUE INDEX evidence_access_one_view ON evidence_access (purpose_id, sha256) WHERE action = 'view';
CREATE INDEX evidence_access_by_purpose ON evidence_access (purpose_id, n);

CREATE TRIGGER evidence_purposes_append_only BEFORE UPDATE OR DELETE ON evidence_purposes
    FOR EACH ROW EXECUTE FUNCTION sanxiang_append_only();
CREATE TRIGGER evidence_access_append_only BEFORE UPDATE OR DELETE ON evidence_access
    FOR EACH ROW EXECUTE FUNCTION sanxiang_append_only();

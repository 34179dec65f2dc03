-- Agencies' own versions of the procedures (issue 20): each row is one
-- casefile.Procedure as JSON, replacing the national default of the same
-- ID (or adding a variant) for its agency. Devices pull them in their sync
-- round; intake and supervision judge the agency's cases by them. Version
-- goes up each time an administrator changes a procedure, and a case
-- keeps the version it was opened under (Opening.ProcedureVersion).
CREATE TABLE procedures (
    agency  TEXT NOT NULL,
    id      TEXT NOT NULL,
    version INTEGER NOT NULL,
    data    TEXT NOT NULL,
    PRIMARY KEY (agency, id)
);

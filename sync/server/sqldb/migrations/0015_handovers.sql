-- Handover (移交, issue 16 item 6): a case moves from the device that
-- holds it to the officer its holder names, on whichever device that
-- officer takes it over. A case's row stays with each device that held
-- it, its records chained across them; handed_to says where it went, and
-- the row with handed_to '' is the case's holder. handovers keeps each
-- handover record as it arrived and, once answered, its takeover.
ALTER TABLE cases ADD COLUMN handed_to TEXT NOT NULL DEFAULT '';
CREATE TABLE handovers (
    case_id      TEXT NOT NULL,
    from_device  TEXT NOT NULL,            -- the device whose log holds the handover record
    from_seq     INTEGER NOT NULL,         -- and its place there
    to_person    TEXT NOT NULL,            -- the officer it names
    reason       TEXT NOT NULL,
    at           TEXT NOT NULL,            -- RFC 3339 UTC, the record's time
    hash         TEXT NOT NULL,            -- hex leaf hash of the handover record
    taken_device TEXT NOT NULL DEFAULT '', -- where it was taken over ('' while it waits)
    taken_seq    INTEGER NOT NULL DEFAULT -1,
    taken_at     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (from_device, from_seq)
) STRICT;
CREATE INDEX handovers_waiting ON handovers (to_person) WHERE taken_device = '';
CREATE INDEX handovers_by_case ON handovers (case_id);

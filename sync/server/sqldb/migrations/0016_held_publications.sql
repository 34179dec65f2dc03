-- Publications held on arrival (issue 18, item 3): the platform runs the
-- same redaction on a device's published decision and, if it would mask
-- anything more, keeps it here instead of the public lists until an
-- administrator decides. One row per case: the newest publication of it.
-- Only redacted texts are kept: the device's as it came, and the
-- platform's (the device's with what more it masks); extra lists those
-- spans (byte offsets into device_text, JSON).
CREATE TABLE held_publications (
    case_id        TEXT NOT NULL PRIMARY KEY,
    device         TEXT NOT NULL,              -- the device whose publish.decision record it is
    seq            INTEGER NOT NULL,           -- and its place in that device's log
    agency         TEXT NOT NULL,
    held_at        TEXT NOT NULL,              -- RFC 3339 UTC
    decision       TEXT NOT NULL,              -- JSON catalog.Decision as the device would publish it
    device_party   TEXT NOT NULL,
    platform_party TEXT NOT NULL,
    device_text    TEXT NOT NULL,
    platform_text  TEXT NOT NULL,
    extra          TEXT NOT NULL,              -- JSON: what more the platform masks
    state          TEXT NOT NULL DEFAULT 'held', -- held, platform (published the platform's text), device (the device's), rejected, withdrawn, superseded
    decided_at     TEXT NOT NULL DEFAULT '',
    decided_by     TEXT NOT NULL DEFAULT '',   -- the administrator's login
    decided_role   TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX held_publications_by_agency ON held_publications (agency, state);

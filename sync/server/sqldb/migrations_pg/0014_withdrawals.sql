-- How a published item was taken down (issue 16, item 6): a decision is
-- withdrawn by the device that published it (a publish.withdraw record in
-- its case's log) or by an administrator with a stated reason. The
-- public page of a withdrawn decision says when, by whom and why, instead
-- of answering "not found"; the change feed's deletion keeps it off the
-- kiosks. One row per item: a later withdrawal (after a republication)
-- replaces it.
CREATE TABLE withdrawals (
    kind   TEXT NOT NULL,              -- the catalog's kind: decision
    id     TEXT NOT NULL,
    at     TEXT NOT NULL,              -- RFC 3339 UTC: when it was withdrawn
    source TEXT NOT NULL,              -- admin, device
    actor  TEXT NOT NULL,              -- the administrator's login or token name, or the device's id
    role   TEXT NOT NULL DEFAULT '',   -- the administrator's role (city, agency, operator, token)
    agency TEXT NOT NULL DEFAULT '',   -- the item's agency
    cause  TEXT NOT NULL DEFAULT '',   -- a device's cause: revoked, changed, void
    reason TEXT NOT NULL DEFAULT '',   -- the stated reason (an administrator's), or the device's explanation
    PRIMARY KEY (kind, id)
);

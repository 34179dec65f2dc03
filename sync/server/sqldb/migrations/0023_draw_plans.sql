-- 双随机 plans and tasks (issue 27). A draw is now first a plan: made in
-- the console with its lists fixed and fingerprinted and the hash of a
-- secret seed published (commit); at the draw the seed is revealed and
-- targets and inspectors are drawn from it (app/draw, version 2). Rows of
-- version 1 (drawn at once from the command line) keep status 'drawn'.
--   plan   draw.Plan as JSON: item, share or count, when to draw, due,
--          who made it (the lists are in `lists`, draw.Lists as JSON)
--   seed   the secret seed (hex) until the draw; published only after it
--   status planned, drawn or cancelled
ALTER TABLE draws ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE draws ADD COLUMN status TEXT NOT NULL DEFAULT 'drawn';
ALTER TABLE draws ADD COLUMN plan TEXT NOT NULL DEFAULT '';
ALTER TABLE draws ADD COLUMN commit_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE draws ADD COLUMN draw_at TEXT NOT NULL DEFAULT '';
ALTER TABLE draws ADD COLUMN drawn_at TEXT NOT NULL DEFAULT '';

-- One task a drawn target: its two inspectors (certificate numbers and
-- people IDs), the device and case that took it up (claimed by the first
-- of the two desks to sync), and the result the case recorded.
CREATE TABLE draw_tasks (
    draw        INTEGER NOT NULL,
    n           INTEGER NOT NULL,     -- 1, 2, … in draw order
    target      TEXT NOT NULL,        -- draw.Target.ID
    cert_a      TEXT NOT NULL,
    cert_b      TEXT NOT NULL,
    person_a    TEXT NOT NULL,
    person_b    TEXT NOT NULL,
    due         TEXT NOT NULL,        -- YYYY-MM-DD, the day it is to be done by
    device      TEXT NOT NULL DEFAULT '',
    claimed_by  TEXT NOT NULL DEFAULT '', -- certificate number
    claimed_at  TEXT NOT NULL DEFAULT '',
    case_id     TEXT NOT NULL DEFAULT '',
    result      TEXT NOT NULL DEFAULT '', -- as published (redacted)
    result_at   TEXT NOT NULL DEFAULT '', -- the result record's time
    result_seq  INTEGER NOT NULL DEFAULT -1,
    PRIMARY KEY (draw, n)
) STRICT;
CREATE INDEX draw_tasks_cert_a ON draw_tasks (cert_a);
CREATE INDEX draw_tasks_cert_b ON draw_tasks (cert_b);

-- The agencies' register of declared conflicts (回避): an inspector is
-- never drawn for a target listed here with them.
CREATE TABLE draw_conflicts (
    agency  TEXT NOT NULL,
    cert_no TEXT NOT NULL,
    target  TEXT NOT NULL,
    reason  TEXT NOT NULL,
    at      TEXT NOT NULL,
    by_admin TEXT NOT NULL,
    PRIMARY KEY (agency, cert_no, target)
) STRICT;

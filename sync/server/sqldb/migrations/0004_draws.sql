-- Random inspection draws (双随机): what was drawn from, with which seed,
-- and the tasks, so anyone can draw again and compare; results are added
-- after the inspections and published with the draw.
CREATE TABLE draws (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    item    TEXT NOT NULL,
    agency  TEXT NOT NULL,
    seed    TEXT NOT NULL,      -- uint64, as text (PostgreSQL has no unsigned)
    lists   TEXT NOT NULL,      -- the targets and inspectors drawn from, JSON
    draw    TEXT NOT NULL       -- draw.Draw, JSON, with results
) STRICT;

-- PostgreSQL: as migrations/0027_halls.sql.
-- Service halls (issue 23, part 3): a hall, its windows (number, name, the
-- agency that staffs it) and the guides and fees each window handles. These
-- are settings administrators change, not records: a row is replaced when
-- the window's set changes. Devices read them through GET /api/v1/halls.
CREATE TABLE halls (
    code    TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    changed TEXT NOT NULL                   -- RFC 3339, UTC
);

CREATE TABLE hall_windows (
    hall   TEXT NOT NULL REFERENCES halls (code),
    number INTEGER NOT NULL,                -- 1…999, as the window's sign says
    name   TEXT NOT NULL,
    agency TEXT NOT NULL,                   -- the agency that staffs it
    PRIMARY KEY (hall, number)
);

CREATE TABLE hall_window_items (
    hall    TEXT NOT NULL,
    number  INTEGER NOT NULL,
    kind    TEXT NOT NULL,                  -- guide or fee
    item    TEXT NOT NULL,                  -- the item's id in the public lists
    ord     INTEGER NOT NULL,               -- the order the window shows them in
    PRIMARY KEY (hall, number, kind, item),
    FOREIGN KEY (hall, number) REFERENCES hall_windows (hall, number)
);

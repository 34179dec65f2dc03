-- The public lists, one row an item. The platform owns the content; a device
-- keeps a copy. data holds the item as JSON; the other columns exist to find it.
CREATE TABLE agencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    data TEXT NOT NULL
) STRICT;

CREATE TABLE items (
    kind     TEXT NOT NULL,
    id       TEXT NOT NULL,
    agency   TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    title    TEXT NOT NULL,
    sort     TEXT NOT NULL,  -- pinyin of the title, so lists read in pinyin order
    search   TEXT NOT NULL,  -- text, full pinyin and initials (catalog.SearchKey)
    data     TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) STRICT;

CREATE INDEX items_by_kind ON items (kind, sort, id);
CREATE INDEX items_by_agency ON items (kind, agency, category, sort, id);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The working-day calendar the platform sends devices: the bundled years
-- and those an administrator added (next year's holidays, once announced),
-- in assets/calendar/cn.json's form.
CREATE TABLE calendar (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    data TEXT NOT NULL
) STRICT;

-- People's photos (issue 23), kept so the kiosk and the window show them
-- offline: the bytes by their SHA-256, as the platform serves them, and
-- which photo each person of the people's standing shows (window staff
-- are no list items: the officers list names its officers' photos itself).
CREATE TABLE photos (
    sha  TEXT PRIMARY KEY,  -- hex SHA-256 of data
    data BLOB NOT NULL      -- a JPEG
) STRICT;

CREATE TABLE portraits (
    person TEXT PRIMARY KEY,
    sha    TEXT NOT NULL
) STRICT;

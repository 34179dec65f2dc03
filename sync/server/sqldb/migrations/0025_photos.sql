-- People's photos (issue 23): officers' and window staff's, shown on the
-- kiosk, the citizen display and the public pages. A photo is checked and
-- re-encoded as a plain JPEG (no EXIF, no GPS: it is public) when it comes
-- in, and kept by the SHA-256 of those bytes, so devices fetch it once and
-- a page may cache it for ever. A person names the photo they show now.
CREATE TABLE photos (
    sha     TEXT PRIMARY KEY,   -- hex SHA-256 of data
    data    BLOB NOT NULL,      -- the JPEG
    width   INTEGER NOT NULL,
    height  INTEGER NOT NULL,
    created TEXT NOT NULL       -- RFC 3339, UTC
) STRICT;

ALTER TABLE people ADD COLUMN photo TEXT NOT NULL DEFAULT ''; -- photos.sha, '' for none

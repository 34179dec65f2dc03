-- Uploads in progress (issue 19, item 4): which device began each, and
-- the length it declared, reserved against the device's quota from the
-- moment it is created until it completes, is terminated or expires.
-- The platform names every upload (32 hex digits); a request for an
-- upload from another device is refused and raised as an alert.
CREATE TABLE media_uploads (
    id      TEXT PRIMARY KEY,
    device  TEXT NOT NULL,
    size    BIGINT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX media_uploads_device ON media_uploads (device, created);
CREATE INDEX media_uploads_created ON media_uploads (created);

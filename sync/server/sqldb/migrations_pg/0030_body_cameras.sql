-- The body cameras (执法记录仪) of the equipment register (issue 24, part
-- 4). They are not enrolled devices: an administrator registers each by
-- hand. Every change is a new row, never an update: a camera stands as its
-- newest row, and its history says who set what when.
CREATE TABLE body_cameras (
    seq     BIGSERIAL PRIMARY KEY,
    serial  TEXT NOT NULL,
    agency  TEXT NOT NULL,
    make    TEXT NOT NULL,
    model   TEXT NOT NULL,
    officer TEXT NOT NULL DEFAULT '',   -- the assigned officer's certificate number
    status  TEXT NOT NULL,              -- in_use, repair, disabled, scrapped
    at      TEXT NOT NULL,              -- RFC 3339, UTC
    actor   TEXT NOT NULL               -- the administrator's login or the token's name
);
CREATE INDEX body_cameras_by_serial ON body_cameras (serial, seq);

CREATE FUNCTION body_cameras_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the body camera register is append-only'; END $$;
CREATE TRIGGER body_cameras_append_only BEFORE UPDATE OR DELETE ON body_cameras
    FOR EACH ROW EXECUTE FUNCTION body_cameras_append_only();

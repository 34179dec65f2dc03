-- Signed time (issue 19, item 2). Each record keeps when it arrived on
-- the platform, by the platform's clock ('' for records held from before):
-- a record's own time is the device's word, its arrival is the
-- platform's. A record dated before the device's last receipt, or too far
-- from its arrival, is flagged here (and raised as an alert), and
-- supervision judges it by its arrival instead of its own time.
ALTER TABLE log_records ADD COLUMN arrived TEXT NOT NULL DEFAULT '';

CREATE TABLE clock_flags (
    device  TEXT NOT NULL,
    seq     BIGINT NOT NULL,
    kind    TEXT NOT NULL,      -- clock_backdated, clock_future, clock_stale
    at      TEXT NOT NULL,      -- the record's own time (RFC 3339)
    arrived TEXT NOT NULL,      -- its arrival on the platform (RFC 3339)
    ref     TEXT NOT NULL,      -- what it was measured against: the last receipt's time, or the arrival
    PRIMARY KEY (device, seq)
);
CREATE TRIGGER clock_flags_append_only BEFORE UPDATE OR DELETE ON clock_flags
    FOR EACH ROW EXECUTE FUNCTION sanxiang_append_only();

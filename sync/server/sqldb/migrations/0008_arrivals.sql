-- Records a push added whose follow-up (the review checks, review
-- tracking, publication of decisions) is not done yet. Written in the
-- push's transaction and removed once all of it is done, so a platform that
-- fails or stops in between does it later (Server.settle). checked: the
-- review checks ran (their alerts are raised once); tracked: review
-- tracking ran; done_seq: the last record whose publication or withdrawal
-- is done, so a retry never publishes again what came after it.
CREATE TABLE arrivals (
    device    TEXT    NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    checked   INTEGER NOT NULL DEFAULT 0,
    tracked   INTEGER NOT NULL DEFAULT 0,
    done_seq  INTEGER NOT NULL DEFAULT -1,
    tries     INTEGER NOT NULL DEFAULT 0,
    error     TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (device, first_seq)
) STRICT;

-- Which platform instance settles a device's arrivals, until when: one at a
-- time across instances sharing a database.
CREATE TABLE settling (
    device      TEXT NOT NULL PRIMARY KEY,
    owner       TEXT NOT NULL,
    lease_until TEXT NOT NULL
) STRICT;

-- Records a push added whose follow-up work (the review checks, review
-- tracking, publication of decisions) is not done yet. Written in the
-- push's transaction and removed once the work is done, so a platform that
-- fails or stops in between does it later (Server.settle). checked: the
-- review checks ran (their alerts are raised once).
CREATE TABLE arrivals (
    device    TEXT    NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    checked   INTEGER NOT NULL DEFAULT 0,
    tries     INTEGER NOT NULL DEFAULT 0,
    error     TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (device, first_seq)
) STRICT;

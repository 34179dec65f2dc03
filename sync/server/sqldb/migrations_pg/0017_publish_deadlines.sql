-- Each agency's own deadline to publish its decisions of one act
-- (issue 18, item 4), in working days; an agency and act not listed keep
-- the national default (7 for licensing and penalty, 20 for the others,
-- 国办发〔2018〕118号). Devices pull the table in their sync round.
CREATE TABLE publish_deadlines (
    agency TEXT NOT NULL,
    act    TEXT NOT NULL,
    days   INTEGER NOT NULL,
    PRIMARY KEY (agency, act)
);

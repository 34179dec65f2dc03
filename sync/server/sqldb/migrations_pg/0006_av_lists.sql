-- Each agency's audio/video requirement list (音像记录事项清单), as
-- casefile.AVRequirement JSON; "*" is the list every agency keeps. Devices
-- check recordings against it offline; supervision scores cases by it.
CREATE TABLE av_lists (
    agency TEXT PRIMARY KEY,
    data   TEXT NOT NULL
);

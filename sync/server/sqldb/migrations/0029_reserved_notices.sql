-- Reserved for issue 24, part 3 (notices, the "notices" branch): migrations
-- are numbered without gaps, so the equipment register's 0030 needs a 0029
-- (and a 0028) to run on this branch. The notices branch's own 0029
-- replaces this file when the branches merge.
SELECT 1;

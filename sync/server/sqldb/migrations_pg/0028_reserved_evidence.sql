-- Reserved for issue 24, part 1 (evidence access log, the "evidence" branch):
-- migrations are numbered without gaps, so the notices' 0029 needs a 0028
-- to run on this branch. The evidence branch's own 0028 replaces this file
-- when the branches merge.
SELECT 1;

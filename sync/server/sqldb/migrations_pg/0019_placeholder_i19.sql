-- PLACEHOLDER on branch i19-keys only, so that 0020 applies here: the
-- real 0019 comes from another helper's branch; take theirs when merging.
SELECT 1;

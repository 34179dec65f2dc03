-- Cases submitted for legal review were indexed twice, in review_cases and
-- in cases. cases now says which were submitted (set in the push that
-- brings the submission); review_cases goes.
ALTER TABLE cases ADD COLUMN submitted INTEGER NOT NULL DEFAULT 0;
UPDATE cases SET submitted = 1
    WHERE EXISTS (SELECT 1 FROM review_cases r WHERE r.device = cases.device AND r.case_id = cases.case_id);
DROP TABLE review_cases;
CREATE INDEX cases_submitted ON cases (agency) WHERE submitted = 1;

-- A push is refused if it writes into a case another device opened: the
-- check looks a case up by its ID alone.
CREATE INDEX cases_by_id ON cases (case_id);

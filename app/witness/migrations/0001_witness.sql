-- A witness's state: the newest checkpoint it cosigned of each log, with
-- the log's key, learned on first sight or added by its keeper.
CREATE TABLE logs (
	origin  TEXT PRIMARY KEY,
	key     TEXT NOT NULL,
	size    INTEGER NOT NULL CHECK (size >= 0),
	root    TEXT NOT NULL, -- base64
	learned TEXT NOT NULL,
	updated TEXT NOT NULL
) STRICT;

-- Every refusal of an inconsistent checkpoint, kept: the witness's own
-- evidence of a split view. Append-only.
CREATE TABLE refusals (
	id         INTEGER PRIMARY KEY,
	at         TEXT NOT NULL,
	origin     TEXT NOT NULL,
	old_size   INTEGER NOT NULL,
	checkpoint TEXT NOT NULL,
	reason     TEXT NOT NULL
) STRICT;
CREATE TRIGGER refusals_no_update BEFORE UPDATE ON refusals BEGIN SELECT RAISE(ABORT, 'refusals are append-only'); END;
CREATE TRIGGER refusals_no_delete BEFORE DELETE ON refusals BEGIN SELECT RAISE(ABORT, 'refusals are append-only'); END;

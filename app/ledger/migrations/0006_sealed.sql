-- A sealed log (issue 21): records.data, received_records.data and
-- device_key.signer hold blobs sealed under the folder's data key
-- (app/store/seal), bound to their place: "rec/<seq>",
-- "recv/<device>/<seq>", "device_key". Leaf hashes stay over the
-- plaintext. The one row says the log is sealed and under which key since
-- when; a log without it is plaintext throughout. It is never changed or
-- removed: a log does not go back to plaintext.
CREATE TABLE sealing (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    key_id TEXT NOT NULL,   -- seal.KeyID in hex, of the key the log was sealed under
    since  TEXT NOT NULL    -- RFC 3339, UTC
) STRICT;
CREATE TRIGGER sealing_no_update BEFORE UPDATE ON sealing BEGIN SELECT RAISE(ABORT, 'the sealing is fixed'); END;
CREATE TRIGGER sealing_no_delete BEFORE DELETE ON sealing BEGIN SELECT RAISE(ABORT, 'the sealing is fixed'); END;

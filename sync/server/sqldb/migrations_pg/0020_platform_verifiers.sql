-- PostgreSQL: as migrations/0020_platform_verifiers.sql.
-- The platform's receipt key lives outside the database (a key file only
-- the service reads, or SANXIANG_PLATFORM_KEY); the database keeps only
-- public verifiers: every key the platform has signed with, so old receipts
-- still verify, and for each key after the first the rotation note that
-- names it, signed by the key before it (and by itself), which devices
-- follow from the key they pinned. The secret in platform_key.signer is
-- moved out to the key file by the program at its next start (server/
-- platformkey.go), which then empties the column.
CREATE TABLE platform_verifiers (
    verifier TEXT PRIMARY KEY,
    added    TEXT NOT NULL,             -- RFC 3339, UTC; '' for the key from before this table
    rotation TEXT NOT NULL DEFAULT ''   -- the signed rotation note; '' for the platform's first key
);

INSERT INTO platform_verifiers (verifier, added) SELECT verifier, '' FROM platform_key;

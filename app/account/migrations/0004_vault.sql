-- The data folder's vault (issue 21): its id, what kind of desk it is, the
-- keystore its machine secret M lives in ('none' where there is none) and
-- a check of M (hex(HKDF-SM3(M, "check"))[:16]), so that sign-in can tell a
-- folder copied to another machine from a wrong PIN. One row.
CREATE TABLE vault (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    folder_id     TEXT NOT NULL,          -- 16 random bytes, hex: M's name in the keystore
    kind          TEXT NOT NULL CHECK (kind IN ('officer', 'kiosk', 'window')),
    binding       TEXT NOT NULL,          -- keystore kind: dpapi, secret-service, dir, none
    binding_check TEXT NOT NULL,
    created       TEXT NOT NULL,
    upgraded_at   TEXT NOT NULL DEFAULT '' -- when the folder's data was last sealed; '' while an upgrade is due
) STRICT;

-- The data key wrapped for each holder: a person (holder = account id), a
-- city recovery key (holder = its fingerprint) or the machine (holder =
-- bootstrap, upgrade or desk). app/vault says the blob's format.
CREATE TABLE data_key_wraps (
    kind    TEXT NOT NULL CHECK (kind IN ('person', 'recovery', 'machine')),
    holder  TEXT NOT NULL,
    key_id  TEXT NOT NULL,               -- hex of the data key's id
    blob    BLOB NOT NULL,
    added   TEXT NOT NULL,
    PRIMARY KEY (kind, holder)
) STRICT;

-- The city's recovery keys this device holds, each with the platform's
-- signed note that vouched for it.
CREATE TABLE recovery_keys (
    public TEXT PRIMARY KEY,             -- "sm2:BASE64" or "x25519:BASE64"
    note   TEXT NOT NULL,
    added  TEXT NOT NULL
) STRICT;

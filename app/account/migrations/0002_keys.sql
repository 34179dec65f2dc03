-- Each person's Ed25519 key, made on this device when the person activated
-- (or was enrolled): the public half as the platform registered it, the
-- private half sealed under the person's PIN (keys.go says how). An account
-- with a sealed key is checked by unsealing it; pin_hash stays '' for it.
ALTER TABLE accounts ADD COLUMN public_key TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN sealed_key TEXT NOT NULL DEFAULT '';

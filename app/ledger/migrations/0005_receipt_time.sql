-- The platform's receive time, as it signed it in the receipt's note
-- (RFC 3339, seconds, UTC; NULL for a receipt signed before receipts
-- carried one): the device's clock may never be behind it (ErrClockBehind).
ALTER TABLE receipts ADD COLUMN platform_time TEXT;
-- And the platform's time in an evidence file's receipt.
ALTER TABLE media_receipts ADD COLUMN platform_time TEXT;

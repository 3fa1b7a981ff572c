-- Backfill in key-ordered batches of 1000 rows, 50 ms apart; resumable if interrupted.
-- ficus:phase backfill
-- ficus:up
-- ficus:batch key=id size=1000 sleep_ms=50
UPDATE users SET email_lower = lower(email) WHERE email_lower IS NULL;

-- ficus:down

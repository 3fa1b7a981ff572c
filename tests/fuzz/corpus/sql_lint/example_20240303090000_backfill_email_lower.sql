-- Backfill in key-ordered batches of 1000 rows, 50 ms apart; resumable if interrupted.
-- ficus:phase backfill
-- ficus:up
-- ficus:batch key=id size=1000 sleep_ms=50
UPDATE users SET email_lower = lower(email) WHERE email_lower IS NULL;

-- Must return no rows: the next migration sets email_lower NOT NULL.
-- ficus:verify
SELECT id FROM users WHERE email IS NOT NULL AND email_lower IS NULL LIMIT 5;

-- ficus:down

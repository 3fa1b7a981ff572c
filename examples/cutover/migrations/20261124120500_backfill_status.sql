-- Backfill in key-ordered batches of 1000 rows, 20 ms apart; resumable if interrupted.
-- ficus:phase backfill
-- ficus:up
-- ficus:batch key=id size=1000 sleep_ms=20
UPDATE users SET status = CASE WHEN active = 1 THEN 'active' ELSE 'inactive' END
WHERE status IS NULL;

-- Must return no rows: users-v2 expects every row to have a status.
-- ficus:verify
SELECT id FROM users WHERE status IS NULL LIMIT 5;

-- ficus:down

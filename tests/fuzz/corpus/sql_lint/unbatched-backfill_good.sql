-- ficus:phase backfill
-- ficus:up
-- ficus:batch key=id size=1000 sleep_ms=10
UPDATE users SET email_lower = lower(email) WHERE email_lower IS NULL;
SELECT 'UPDATE users SET x = 1 WHERE x IS NULL';

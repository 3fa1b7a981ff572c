-- ficus:phase backfill
-- ficus:up
UPDATE users SET active = true WHERE id = 42;
DELETE FROM sessions WHERE expires_at < now();
-- UPDATE users SET active = true;
-- ficus:batch key=id size=500
UPDATE users SET email_lower = lower(email);

-- ficus:up
UPDATE users SET email_lower = lower(email) WHERE email_lower IS NULL; -- expect
UPDATE users SET a = 1, b = 2 WHERE a IS NULL AND b IS NULL; -- expect

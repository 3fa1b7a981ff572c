-- ficus:up
UPDATE users SET active = true; -- expect
DELETE FROM sessions; -- expect

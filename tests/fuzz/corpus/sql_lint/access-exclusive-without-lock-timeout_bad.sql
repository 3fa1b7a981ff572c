-- ficus:up
SET lock_timeout = 0;
ALTER TABLE users ADD COLUMN note text; -- expect
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN note2 text;
RESET lock_timeout;
DROP TABLE IF EXISTS users_backup; -- expect

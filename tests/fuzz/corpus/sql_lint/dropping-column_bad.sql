-- ficus:phase expand
-- ficus:up
ALTER TABLE users DROP COLUMN legacy_flag; -- expect
ALTER TABLE users ADD COLUMN a int, DROP COLUMN b; -- expect

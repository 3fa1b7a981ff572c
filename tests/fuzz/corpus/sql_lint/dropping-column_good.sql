-- ficus:phase contract
-- ficus:up
ALTER TABLE users DROP COLUMN legacy_flag;

-- ficus:up
ALTER TABLE users ADD COLUMN full_name text;
ALTER INDEX users_name_idx RENAME TO users_full_name_idx;
SELECT 'ALTER TABLE users RENAME COLUMN name TO full_name';

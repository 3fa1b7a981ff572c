-- ficus:up
ALTER TABLE users RENAME COLUMN name TO full_name; -- expect
ALTER TABLE users RENAME login TO username; -- expect

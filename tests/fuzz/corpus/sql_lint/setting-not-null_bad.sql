-- ficus:up
ALTER TABLE users ALTER COLUMN email SET NOT NULL; -- expect

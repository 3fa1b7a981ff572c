-- ficus:up
ALTER TABLE users ADD COLUMN note text;
SET LOCAL lock_timeout = '3s';
ALTER TABLE users ADD COLUMN note2 text;
CREATE INDEX CONCURRENTLY IF NOT EXISTS x ON users (note);

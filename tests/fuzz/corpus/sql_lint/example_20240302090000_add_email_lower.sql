-- Expand: a nullable column and its index, built without blocking writes.
-- ficus:phase expand
-- ficus:no-transaction
-- ficus:up
ALTER TABLE users ADD COLUMN IF NOT EXISTS email_lower text;
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_lower_idx ON users (email_lower);

-- ficus:down
DROP INDEX CONCURRENTLY IF EXISTS users_email_lower_idx;
ALTER TABLE users DROP COLUMN IF EXISTS email_lower;

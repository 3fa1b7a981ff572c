-- ficus:no-transaction
-- ficus:up
CREATE INDEX CONCURRENTLY users_email_idx ON users (email);
DROP INDEX CONCURRENTLY old_idx;
REINDEX INDEX CONCURRENTLY users_email_idx;

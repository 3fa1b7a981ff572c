-- ficus:up
CREATE INDEX CONCURRENTLY users_email_idx ON users (email); -- expect
DROP INDEX CONCURRENTLY old_idx; -- expect
REINDEX INDEX CONCURRENTLY users_email_idx; -- expect

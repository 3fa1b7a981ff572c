-- ficus:no-transaction
-- ficus:up
REINDEX INDEX CONCURRENTLY users_email_idx;
-- REINDEX TABLE users;

-- ficus:no-transaction
-- ficus:up
DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;
-- DROP INDEX users_email_idx;
SELECT 'DROP INDEX users_email_idx';

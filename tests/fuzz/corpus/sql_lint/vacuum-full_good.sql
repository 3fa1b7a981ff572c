-- ficus:no-transaction
-- ficus:up
VACUUM ANALYZE users;
-- VACUUM FULL users;

-- ficus:no-transaction
-- ficus:up
VACUUM FULL users; -- expect
VACUUM (FULL, ANALYZE) orders; -- expect

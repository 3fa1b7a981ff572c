-- ficus:up
ALTER TABLE users SET (fillfactor = 90);
SELECT 'CLUSTER users';

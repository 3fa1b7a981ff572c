-- ficus:up
-- LOCK TABLE users;
SELECT 'LOCK TABLE users';

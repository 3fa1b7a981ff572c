-- ficus:phase contract
-- ficus:up
DROP TABLE legacy_sessions;
SELECT 'DROP TABLE legacy_sessions';

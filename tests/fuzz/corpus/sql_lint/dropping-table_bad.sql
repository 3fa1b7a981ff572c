-- ficus:up
DROP TABLE legacy_sessions; -- expect
DROP TABLE IF EXISTS old_audit; -- expect

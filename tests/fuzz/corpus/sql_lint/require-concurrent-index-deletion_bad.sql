-- ficus:up
DROP INDEX users_email_idx; -- expect
DROP INDEX IF EXISTS a_idx, b_idx; -- expect

-- ficus:up
REINDEX INDEX users_email_idx; -- expect
REINDEX TABLE users; -- expect

-- ficus:up
CREATE TABLE accounts (id bigint);
CREATE VIEW users_v AS SELECT * FROM accounts;
CREATE TABLE tmp_import (id int);
ALTER TABLE tmp_import RENAME TO import;
-- ALTER TABLE users RENAME TO accounts;

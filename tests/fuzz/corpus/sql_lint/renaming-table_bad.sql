-- ficus:up
ALTER TABLE users RENAME TO accounts; -- expect

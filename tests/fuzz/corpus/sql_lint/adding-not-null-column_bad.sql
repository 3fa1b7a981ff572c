-- ficus:up
ALTER TABLE users ADD COLUMN age int NOT NULL; -- expect
ALTER TABLE users -- expect
  ADD COLUMN nickname text,
  ADD COLUMN code text NOT NULL;

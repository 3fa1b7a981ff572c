-- ficus:up
-- ALTER TABLE users ADD COLUMN age int NOT NULL;  (a comment: must not trigger)
ALTER TABLE users ADD COLUMN age int NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN nickname text;
INSERT INTO notes (body) VALUES ('ALTER TABLE users ADD COLUMN x int NOT NULL');
CREATE TABLE pets (id bigint PRIMARY KEY);
ALTER TABLE pets ADD COLUMN name text NOT NULL;

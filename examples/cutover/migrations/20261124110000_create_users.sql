-- The starting point: users with the old `active` flag that users-v1 reads.
-- ficus:up
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
INSERT INTO users (id, name, active) SELECT i, 'user-' || i, i % 7 != 0 FROM n;

-- ficus:down
DROP TABLE users;

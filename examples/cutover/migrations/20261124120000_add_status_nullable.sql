-- Expand: the column users-v2 reads, nullable so users-v1's inserts keep working.
-- ficus:phase expand
-- ficus:up
ALTER TABLE users ADD COLUMN status TEXT;

-- ficus:down
ALTER TABLE users DROP COLUMN status;

-- ficus:up
ALTER TABLE users ADD COLUMN id_big bigint;
COMMENT ON COLUMN users.id IS 'ALTER COLUMN id TYPE bigint later';
CREATE TABLE pets (id int);
ALTER TABLE pets ALTER COLUMN id TYPE bigint;

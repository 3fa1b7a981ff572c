-- ficus:up
ALTER TABLE users ALTER COLUMN id TYPE bigint; -- expect
ALTER TABLE users ALTER COLUMN name SET DATA TYPE varchar(100) USING name::varchar; -- expect

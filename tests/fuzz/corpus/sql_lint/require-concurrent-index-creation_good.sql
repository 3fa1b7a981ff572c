-- ficus:no-transaction
-- ficus:up
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);
-- CREATE INDEX users_email_idx ON users (email);
SELECT 'CREATE INDEX users_email_idx ON users (email)';
CREATE TABLE pets (id bigint, name text);
CREATE INDEX pets_name_idx ON pets (name);

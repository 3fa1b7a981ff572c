-- ficus:up
CREATE INDEX users_email_idx ON users (email); -- expect
CREATE UNIQUE INDEX users_login_idx ON users (lower(login)); -- expect

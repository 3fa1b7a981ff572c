-- ficus:up
ALTER TABLE users ADD PRIMARY KEY (id); -- expect
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email); -- expect

-- ficus:phase expand
-- ficus:up
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  email text
);
CREATE INDEX users_name_idx ON users (name);

-- ficus:down
DROP TABLE users;

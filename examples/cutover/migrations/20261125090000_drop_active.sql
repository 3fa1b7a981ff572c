-- Contract: users-v1 read `active`; once every request has gone to users-v2 for the soak time,
-- the old column goes. `ficus migrate up` refuses this until then (route "users" lists it).
-- ficus:phase contract
-- ficus:allow dropping-column only users-v1 read it, and the cutover plan holds this until it gets no traffic
-- ficus:up
ALTER TABLE users DROP COLUMN active;

-- ficus:down
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;

-- Contract: only once every route reads email_lower (the cutover gate checks 100 % new).
-- ficus:phase contract
-- ficus:up
ALTER TABLE users DROP COLUMN email;

-- ficus:down
ALTER TABLE users ADD COLUMN email text;

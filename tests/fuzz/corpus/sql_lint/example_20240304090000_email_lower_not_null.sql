-- NOT NULL without a long ACCESS EXCLUSIVE scan: NOT VALID check, validate, then SET NOT NULL.
-- ficus:phase expand
-- ficus:allow setting-not-null the validated CHECK below lets SET NOT NULL skip the table scan
-- ficus:up
ALTER TABLE users ADD CONSTRAINT users_email_lower_not_null CHECK (email_lower IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_email_lower_not_null;
ALTER TABLE users ALTER COLUMN email_lower SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_email_lower_not_null;

-- ficus:down
ALTER TABLE users ALTER COLUMN email_lower DROP NOT NULL;

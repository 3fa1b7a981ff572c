-- ficus:up
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid(); -- expect
ALTER TABLE users ADD COLUMN seq bigserial; -- expect
ALTER TABLE users ADD COLUMN jitter float8 DEFAULT random() * 10; -- expect

-- ficus:up
ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();
ALTER TABLE users ADD COLUMN status text DEFAULT 'gen_random_uuid()';
/* ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid(); */
ALTER TABLE users ADD COLUMN score int DEFAULT 0;

-- ficus:up
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id); -- expect
ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0); -- expect

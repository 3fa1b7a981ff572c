-- ficus:up
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0) NOT VALID;
CREATE TABLE items (id int, qty int);
ALTER TABLE items ADD CONSTRAINT qty_positive CHECK (qty > 0);

-- The customer found by phone or e-mail (the oldest first) reads one index entry whatever the
-- planner's statistics: the lookup's order is in the index, so the shop-wide customers_by_created
-- is never a cheaper-looking choice (it read every customer of the shop per new phone).
DROP INDEX customers_by_phone;
DROP INDEX customers_by_email;
CREATE INDEX customers_by_phone ON customers (shop_id, phone, created_at);
CREATE INDEX customers_by_email ON customers (shop_id, email, created_at);

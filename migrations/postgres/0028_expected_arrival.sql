-- Shipping notices (docs/MANAGEMENT.md, "Shipping notices"): a parcel to the customer keeps the
-- window it should arrive in (from the shop's own delivery history per carrier and province,
-- or the carrier's estimate) and what that rests on; the history is read by delivery time.
ALTER TABLE shipments ADD COLUMN expected_from BIGINT;
ALTER TABLE shipments ADD COLUMN expected_to BIGINT;
ALTER TABLE shipments ADD COLUMN expected_basis TEXT;
CREATE INDEX shipments_delivered ON shipments (shop_id, direction, delivered_at);

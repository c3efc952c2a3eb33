-- Every verified webhook received from a sales platform, kept so the shop can see what came in,
-- why a payload was refused, and replay it.
CREATE TABLE inbound_deliveries (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    -- shopify, woocommerce
    source TEXT NOT NULL,
    topic TEXT NOT NULL,
    body TEXT NOT NULL,
    -- received, applied, unchanged, stale, ignored, failed
    status TEXT NOT NULL,
    detail TEXT,
    received_at BIGINT NOT NULL,
    processed_at BIGINT
);
CREATE INDEX inbound_deliveries_by_shop ON inbound_deliveries (shop_id, received_at);

-- The newest version of each platform order applied, so a late delivery of an older version
-- changes nothing.
CREATE TABLE inbound_orders (
    shop_id TEXT NOT NULL REFERENCES shops(id),
    source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    source_updated_at BIGINT NOT NULL,
    order_id TEXT,
    PRIMARY KEY (shop_id, source, external_id)
);

-- The newest scan a carrier reported for a parcel (a repeated push adds nothing).
ALTER TABLE shipments ADD COLUMN last_scan TEXT;

-- Stock per SKU (set or imported by the shop) and what open exchanges hold of it; an
-- exchange's replacement with its price and the difference to settle with the customer.
CREATE TABLE stock (
    shop_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    on_hand BIGINT NOT NULL,
    reserved BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, sku)
);

CREATE TABLE replacements (
    case_id TEXT PRIMARY KEY REFERENCES cases(id),
    shop_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    product_name TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    -- the replacement's price less what was paid for the goods sent back: above zero the
    -- customer pays it, below zero the shop pays it back
    difference_minor BIGINT NOT NULL,
    -- 1 while the stock is held for it
    reserved BIGINT NOT NULL DEFAULT 0,
    -- paid, refunded or waived once the difference is settled
    settled TEXT,
    settled_reference TEXT,
    updated_at BIGINT NOT NULL
);

-- The order's money as the platform computed it (issue 15).
-- Per order: how tax is counted, the discounts, the tax, the payment state, the shop-currency
-- equivalent when the buyer paid in another currency, and the lists (discounts with their codes,
-- payments per method, shipping lines) as JSON. Per line: the discount allocated to it and its tax.
ALTER TABLE orders ADD COLUMN tax_mode TEXT NOT NULL DEFAULT 'inclusive';
ALTER TABLE orders ADD COLUMN discount_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN tax_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN payment_status TEXT NOT NULL DEFAULT 'paid';
ALTER TABLE orders ADD COLUMN shop_currency TEXT;
ALTER TABLE orders ADD COLUMN shop_total_minor BIGINT;
ALTER TABLE orders ADD COLUMN money_detail TEXT NOT NULL DEFAULT '{}';
ALTER TABLE orders ADD COLUMN cancelled_at BIGINT;
ALTER TABLE orders ADD COLUMN do_not_ship BIGINT NOT NULL DEFAULT 0;

-- Units claimed per order line by open cases (opening a case checks them).
CREATE INDEX case_lines_by_order_line ON case_lines (order_line_id);

ALTER TABLE order_lines ADD COLUMN discount_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN tax_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN shop_paid_minor BIGINT;

-- Refunds: the shipping paid back with them, the units they cover, the shop-currency equivalent.
ALTER TABLE refunds ADD COLUMN shipping_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN shop_amount_minor BIGINT;
ALTER TABLE refund_lines ADD COLUMN quantity BIGINT NOT NULL DEFAULT 0;

-- Refunds made on the platform itself (Shopify refunds/create, WooCommerce refunds): recorded
-- once per platform refund id, against the order's lines; they lower every ceiling.
CREATE TABLE platform_refunds (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders(id),
    external_id TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    shipping_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    note TEXT,
    refunded_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (shop_id, external_id)
);
CREATE INDEX platform_refunds_by_order ON platform_refunds (order_id);

CREATE TABLE platform_refund_lines (
    platform_refund_id TEXT NOT NULL REFERENCES platform_refunds(id),
    order_line_id TEXT NOT NULL REFERENCES order_lines(id),
    quantity BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL,
    PRIMARY KEY (platform_refund_id, order_line_id)
);
CREATE INDEX platform_refund_lines_by_order_line ON platform_refund_lines (order_line_id);

-- Refunds that are paid, not just recorded: requested (to be paid by the shop, manual provider),
-- processing (sent to the shop's payment service), succeeded (money out, with the payment's
-- reference) or failed (with the reason; retried, or settled by hand).
ALTER TABLE refunds ADD COLUMN provider TEXT NOT NULL DEFAULT 'manual';
ALTER TABLE refunds ADD COLUMN reference TEXT;
ALTER TABLE refunds ADD COLUMN failure TEXT;
ALTER TABLE refunds ADD COLUMN settled_at BIGINT;
UPDATE refunds SET status = 'succeeded', settled_at = created_at WHERE status = 'executed';
ALTER TABLE shop_settings ADD COLUMN refunds TEXT NOT NULL DEFAULT '{}';

-- Compensation: what a coupon, points or gift offer gives (its code or description).
ALTER TABLE offers ADD COLUMN detail TEXT;

-- Units (docs/REPAIRS.md, "The unit"): a serial number sold on an order line is the line's own;
-- each unit sent in its place (an exchange's replacement) is kept here with the serial it
-- replaced and when the customer received it — its 三包 periods start again from then.
CREATE TABLE units (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    serial_number TEXT NOT NULL,
    order_line_id TEXT NOT NULL REFERENCES order_lines(id),
    -- the case that sent it, and the serial it replaced
    case_id TEXT NOT NULL REFERENCES cases(id),
    replaces TEXT NOT NULL,
    shipped_at BIGINT NOT NULL,
    delivered_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX units_by_serial ON units (shop_id, serial_number);
CREATE INDEX units_by_line ON units (order_line_id, shipped_at);
CREATE INDEX order_lines_by_serial ON order_lines (shop_id, serial_number) WHERE serial_number IS NOT NULL;

-- Parts (docs/REPAIRS.md, "Parts"): the shop's spare parts with their stock and reorder level,
-- and every part used on a case — from the shop's stock, or by a supplier on a send-out —
-- genuine or not, for the genuine-part rate per supplier and month.
CREATE TABLE parts (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    number TEXT NOT NULL,
    name TEXT NOT NULL,
    genuine BIGINT NOT NULL,
    cost_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    stock BIGINT NOT NULL,
    reorder_level BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX parts_by_number ON parts (shop_id, number);

CREATE TABLE part_uses (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    -- the shop's part taken from stock, or none (a supplier's own)
    part_id TEXT,
    -- the supplier that fitted it (a send-out's), or none (the shop's workshop)
    supplier_id TEXT,
    number TEXT NOT NULL,
    name TEXT,
    genuine BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    -- YYYY-MM in the shop's zone
    month TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX part_uses_by_month ON part_uses (shop_id, month);

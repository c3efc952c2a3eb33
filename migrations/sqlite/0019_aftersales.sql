-- The platforms' own after-sales records (退款单/售后单), mirrored: the newest state per record
-- (its stage in our words, the platform's status and version), linked to the order and to the
-- open case of the order; every message received is kept, with whether it changed the record.
CREATE TABLE aftersales (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    external_id TEXT NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders(id),
    case_id TEXT,
    stage TEXT NOT NULL,
    platform_status TEXT NOT NULL,
    version BIGINT NOT NULL,
    phase TEXT,
    amount_minor BIGINT,
    deadline_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (shop_id, platform, external_id)
);
CREATE INDEX aftersales_by_order ON aftersales (order_id);
CREATE INDEX aftersales_by_case ON aftersales (case_id);

CREATE TABLE aftersale_messages (
    id TEXT PRIMARY KEY,
    aftersale_id TEXT NOT NULL REFERENCES aftersales(id),
    received_at BIGINT NOT NULL,
    platform_status TEXT NOT NULL,
    version BIGINT NOT NULL,
    -- applied (it is the record's state now), older (a newer one came first) or duplicate
    outcome TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX aftersale_messages_by_record ON aftersale_messages (aftersale_id, received_at);

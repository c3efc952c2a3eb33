-- A platform's line ids in the order they were stored (line number = position + 1), so a
-- platform's return request can name the lines it concerns.
ALTER TABLE inbound_orders ADD COLUMN line_ids TEXT;

-- A platform's return request opened as one case, however often it is delivered.
CREATE TABLE inbound_cases (
    shop_id TEXT NOT NULL REFERENCES shops(id),
    source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, source, external_id)
);

-- When a parcel last moved (a scan, or its shipping), and when it was flagged as stalled or
-- late, so each parcel is followed up once.
ALTER TABLE shipments ADD COLUMN moved_at BIGINT;
ALTER TABLE shipments ADD COLUMN flagged_at BIGINT;
UPDATE shipments SET moved_at = COALESCE(shipped_at, created_at);
CREATE INDEX shipments_on_the_way ON shipments (shop_id, moved_at)
    WHERE delivered_at IS NULL AND flagged_at IS NULL;

-- Work a person should do by a time: call the carrier about a stalled parcel, visit a
-- customer after delivery. Open until someone marks it done.
CREATE TABLE follow_ups (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    -- parcel_stalled, parcel_late
    kind TEXT NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders(id),
    case_id TEXT,
    shipment_id TEXT,
    assignee_id TEXT,
    -- what to do, in the shop's words (data for the page)
    detail TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    -- open, done
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    done_at BIGINT,
    done_by TEXT,
    note TEXT
);
CREATE INDEX follow_ups_by_shop ON follow_ups (shop_id, status, due_at);
CREATE UNIQUE INDEX follow_ups_once ON follow_ups (shipment_id, kind);

-- How long a parcel may sit still, or be on the way, before someone follows it up.
ALTER TABLE shop_settings ADD COLUMN parcels TEXT NOT NULL DEFAULT '{}';

-- Repair appointments (docs/REPAIRS.md, "Appointments"): the shop's service points with their
-- services and daily slots, how many of each slot are booked, and the bookings.
CREATE TABLE repair_locations (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    name TEXT NOT NULL,
    address TEXT,
    -- JSON lists: services (drop_in, pickup, on_site), daily slots ({start, end, capacity}),
    -- blackout days (YYYY-MM-DD) besides the working calendar's days off
    services TEXT NOT NULL,
    slots TEXT NOT NULL,
    blackout TEXT NOT NULL,
    active BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX repair_locations_by_name ON repair_locations (shop_id, name);

CREATE TABLE appointment_slots (
    location_id TEXT NOT NULL REFERENCES repair_locations(id),
    day TEXT NOT NULL,
    slot TEXT NOT NULL,
    booked BIGINT NOT NULL,
    PRIMARY KEY (location_id, day, slot)
);

CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    location_id TEXT NOT NULL REFERENCES repair_locations(id),
    service TEXT NOT NULL,
    day TEXT NOT NULL,
    slot TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    -- booked or cancelled
    status TEXT NOT NULL,
    reminded_at BIGINT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX appointments_one_per_case ON appointments (case_id) WHERE status = 'booked';
CREATE INDEX appointments_by_day ON appointments (shop_id, day, starts_at);
CREATE INDEX appointments_to_remind ON appointments (starts_at) WHERE status = 'booked' AND reminded_at IS NULL;

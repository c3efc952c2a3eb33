-- Cases that never stall and never lie; settings that cannot be lost; changes that leave a trail.

-- The customer wrote and no one of the shop has answered since (cleared by a staff reply).
ALTER TABLE cases ADD COLUMN customer_waiting_since BIGINT;

-- What the carrier calls itself (e.g. Kuaidi100's `shunfeng`), kept beside what was typed, and
-- the time of the newest scan applied: an older scan arriving late never moves the state back.
ALTER TABLE shipments ADD COLUMN carrier_code TEXT;
ALTER TABLE shipments ADD COLUMN scanned_at BIGINT;

-- Every version of a shop's settings, to look back and restore.
CREATE TABLE settings_versions (
    shop_id TEXT NOT NULL REFERENCES shops(id),
    version BIGINT NOT NULL,
    document TEXT NOT NULL,
    changed_by TEXT,
    changed_at BIGINT NOT NULL,
    -- saved, patched, restored (from version n)
    how TEXT NOT NULL,
    PRIMARY KEY (shop_id, version)
);

-- Who changed the shop's setup, when and what: append-only, each entry carrying the hash of
-- the one before (per shop), so a changed or removed entry is found by `aftersale audit verify`.
CREATE TABLE audit_log (
    shop_id TEXT NOT NULL REFERENCES shops(id),
    sequence BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    changes TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (shop_id, sequence)
);

-- Parcels a person already received or confirmed stayed "in transit" and raised false alarms:
-- they are delivered as of that receipt or confirmation.
UPDATE shipments SET status = 'delivered', delivered_at = (
    SELECT MIN(e.at) FROM case_events e WHERE e.case_id = shipments.case_id AND e.action = 'receive')
WHERE direction = 'to_shop' AND delivered_at IS NULL AND case_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = shipments.case_id AND e.action = 'receive');
UPDATE shipments SET status = 'delivered', delivered_at = (
    SELECT MIN(e.at) FROM case_events e WHERE e.case_id = shipments.case_id AND e.action = 'confirm_delivery')
WHERE direction = 'to_customer' AND delivered_at IS NULL AND case_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = shipments.case_id AND e.action = 'confirm_delivery');

-- What after-sales costs (docs/MONEY.md, "The cost ledger"): entries appended per case, never
-- edited (a correction is a new entry naming the one it corrects). `source` names what made an
-- automatic entry (an action on the case, an accepted offer, a dispute's ruling), so that the
-- same cause never books twice; entries staff type have none.
CREATE TABLE costs (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    payer TEXT NOT NULL,
    -- minor units of the currency; a correction may be below zero
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    -- what the entry costs the shop (domain::costs::shop_cost), summed by reports
    shop_cost_minor BIGINT NOT NULL,
    -- the month it was booked in, in the shop's zone (YYYY-MM), for reports by month
    month TEXT NOT NULL,
    -- the product named, if any
    sku TEXT,
    -- the product it is counted under in reports: the one named, else the case's first line
    product_sku TEXT,
    product_category TEXT,
    source TEXT,
    note TEXT,
    corrects TEXT REFERENCES costs(id),
    actor_id TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (shop_id, source)
);
CREATE INDEX costs_by_case ON costs (case_id, created_at);
-- reports read a period's entries from this index alone
CREATE INDEX costs_by_shop ON costs (shop_id, created_at, currency, shop_cost_minor, case_id);

-- What one unit cost the shop (its cost price), for goods written off or recovered.
ALTER TABLE order_lines ADD COLUMN cost_minor BIGINT;

-- A shop's default costs (settings section `costs`).
ALTER TABLE shop_settings ADD COLUMN costs TEXT NOT NULL DEFAULT '{}';

-- Compensation above the shop's caps waits for a supervisor (state pending_approval, then
-- open, or accepted at once when it was given directly, or refused); a coupon's last day.
ALTER TABLE offers ADD COLUMN direct BIGINT NOT NULL DEFAULT 0;
ALTER TABLE offers ADD COLUMN approved_by TEXT;
ALTER TABLE offers ADD COLUMN valid_until TEXT;

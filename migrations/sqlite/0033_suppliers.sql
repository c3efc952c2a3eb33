-- Suppliers and repair centres, and the send-outs of faulty items to them (docs/REPAIRS.md):
-- each send-out carries one or more repair cases in one parcel, the supplier's finding and
-- result, its turnaround targets and when it was followed up for missing them.
CREATE TABLE suppliers (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    name TEXT NOT NULL,
    -- supplier, service_centre (a brand's authorised repair centre), workshop (the shop's own)
    kind TEXT NOT NULL,
    contact_name TEXT,
    phone TEXT,
    email TEXT,
    address TEXT,
    -- JSON list: the products, brands or categories it handles
    handles TEXT NOT NULL,
    -- turnaround targets, in days from the send-out
    confirm_days BIGINT NOT NULL,
    repair_days BIGINT NOT NULL,
    -- who pays the freight there and back: shop or supplier
    outbound_payer TEXT NOT NULL,
    return_payer TEXT NOT NULL,
    active BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX suppliers_by_name ON suppliers (shop_id, name);

CREATE TABLE send_outs (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    supplier_id TEXT NOT NULL REFERENCES suppliers(id),
    -- sent, confirmed, not_confirmed, not_reproducible, repaired, replaced, unrepairable,
    -- returned_unrepaired (the result given), back (received by the shop)
    stage TEXT NOT NULL,
    carrier TEXT,
    tracking_number TEXT,
    return_carrier TEXT,
    return_tracking_number TEXT,
    note TEXT,
    finding TEXT,
    report TEXT,
    -- JSON list of the cases' attachment ids the supplier's report shows
    photos TEXT NOT NULL,
    found_at BIGINT,
    result TEXT,
    result_note TEXT,
    -- JSON list of parts replaced: {number, name, genuine}
    parts TEXT NOT NULL,
    result_at BIGINT,
    back_at BIGINT,
    sent_at BIGINT NOT NULL,
    confirm_due_at BIGINT NOT NULL,
    repair_due_at BIGINT NOT NULL,
    -- set once when the follow-up for a missed target was raised
    confirm_overdue_at BIGINT,
    repair_overdue_at BIGINT,
    actor_id TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX send_outs_by_supplier ON send_outs (shop_id, supplier_id, sent_at);
CREATE INDEX send_outs_open ON send_outs (confirm_due_at) WHERE back_at IS NULL;

CREATE TABLE send_out_cases (
    send_out_id TEXT NOT NULL REFERENCES send_outs(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    shop_id TEXT NOT NULL,
    PRIMARY KEY (send_out_id, case_id)
);
CREATE INDEX send_out_cases_by_case ON send_out_cases (case_id);

-- Invoices and what each outcome does to them (docs/MONEY.md, "Invoices and credit notes").
-- An order's invoice as issued to the buyer; a re-issue (换开) is a new row replacing the old.
CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders(id),
    number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    buyer_title TEXT NOT NULL,
    buyer_tax_id TEXT,
    -- 1 when the buyer confirmed it for use or booked it (a reversal needs its confirmation)
    buyer_booked BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    lines TEXT NOT NULL,
    total_minor BIGINT NOT NULL,
    -- current, or replaced (by a re-issue)
    state TEXT NOT NULL,
    replaces TEXT REFERENCES invoices(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (shop_id, number)
);
CREATE INDEX invoices_by_order ON invoices (order_id, state);

-- What an exchange or a repair did with the invoice: endorsed (背书), re-issued (换开), or the
-- original to go back with the item.
CREATE TABLE invoice_changes (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases(id),
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    kind TEXT NOT NULL,
    new_invoice_id TEXT REFERENCES invoices(id),
    note TEXT,
    actor_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX invoice_changes_by_shop ON invoice_changes (shop_id, created_at);
CREATE INDEX invoice_changes_by_case ON invoice_changes (case_id);

-- A refund's red-letter credit note (红字发票 / credit note), numbered per shop without gaps.
CREATE TABLE credit_notes (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    number TEXT NOT NULL,
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    refund_id TEXT NOT NULL REFERENCES refunds(id),
    currency TEXT NOT NULL,
    lines TEXT NOT NULL,
    total_minor BIGINT NOT NULL,
    tax_minor BIGINT NOT NULL,
    -- refunded money on lines the invoice does not list
    unmatched_minor BIGINT NOT NULL,
    state TEXT NOT NULL,
    needs_confirmation BIGINT NOT NULL,
    requested_at BIGINT NOT NULL,
    confirmation_number TEXT,
    red_invoice_number TEXT,
    note TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (shop_id, sequence),
    UNIQUE (refund_id)
);
CREATE INDEX credit_notes_by_shop ON credit_notes (shop_id, created_at);
CREATE INDEX credit_notes_by_case ON credit_notes (case_id);

CREATE TABLE credit_note_counters (
    shop_id TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

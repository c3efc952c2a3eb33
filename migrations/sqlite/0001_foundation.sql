-- Foundation: shops, staff, tokens, customers, orders, cases and their timeline.
-- Ids are TEXT (uuid v7), times BIGINT unix microseconds, money BIGINT minor units.

CREATE TABLE shops (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    locale TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE memberships (
    shop_id TEXT NOT NULL REFERENCES shops(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    role TEXT NOT NULL,
    PRIMARY KEY (shop_id, staff_id)
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    staff_id TEXT REFERENCES staff(id),
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    name TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    address TEXT,
    tier TEXT NOT NULL DEFAULT 'normal',
    tags TEXT NOT NULL DEFAULT '[]',
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX customers_by_phone ON customers (shop_id, phone);
CREATE INDEX customers_by_email ON customers (shop_id, email);
CREATE INDEX customers_by_created ON customers (shop_id, created_at, id);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    order_number TEXT NOT NULL,
    platform TEXT NOT NULL,
    customer_id TEXT REFERENCES customers(id),
    currency TEXT NOT NULL,
    total_minor BIGINT NOT NULL,
    shipping_fee_minor BIGINT NOT NULL DEFAULT 0,
    placed_at BIGINT NOT NULL,
    paid_at BIGINT,
    shipped_at BIGINT,
    delivered_at BIGINT,
    invoice_number TEXT,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (shop_id, order_number)
);
CREATE INDEX orders_by_customer ON orders (customer_id);
CREATE INDEX orders_by_placed ON orders (shop_id, placed_at, id);

CREATE TABLE order_lines (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders(id),
    shop_id TEXT NOT NULL,
    line_number BIGINT NOT NULL,
    sku TEXT NOT NULL,
    product_name TEXT NOT NULL,
    category TEXT,
    quantity BIGINT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    paid_minor BIGINT NOT NULL,
    serial_number TEXT,
    UNIQUE (order_id, line_number)
);

CREATE TABLE shipments (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders(id),
    case_id TEXT,
    direction TEXT NOT NULL,
    carrier TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    status TEXT NOT NULL,
    shipped_at BIGINT,
    delivered_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX shipments_by_order ON shipments (order_id);
CREATE INDEX shipments_by_tracking ON shipments (shop_id, tracking_number);

CREATE TABLE reasons (
    shop_id TEXT NOT NULL REFERENCES shops(id),
    code TEXT NOT NULL,
    category TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    position BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, code)
);

CREATE TABLE case_counters (
    shop_id TEXT NOT NULL,
    day TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (shop_id, day)
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    number TEXT NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders(id),
    customer_id TEXT REFERENCES customers(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    is_open BIGINT NOT NULL,
    reason_code TEXT NOT NULL,
    description TEXT NOT NULL,
    priority TEXT NOT NULL,
    priority_rank BIGINT NOT NULL,
    assignee_id TEXT REFERENCES staff(id),
    tags TEXT NOT NULL DEFAULT '[]',
    channel TEXT NOT NULL,
    contact_name TEXT,
    contact_phone TEXT,
    contact_email TEXT,
    due_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    ended_at BIGINT,
    version BIGINT NOT NULL,
    search_text TEXT NOT NULL,
    UNIQUE (shop_id, number)
);
CREATE INDEX cases_queue ON cases (shop_id, is_open, due_at, id);
CREATE INDEX cases_by_status ON cases (shop_id, status, due_at, id);
CREATE INDEX cases_by_created ON cases (shop_id, created_at, id);
CREATE INDEX cases_by_due ON cases (shop_id, due_at, id);
CREATE INDEX cases_by_updated ON cases (shop_id, updated_at, id);
CREATE INDEX cases_by_assignee ON cases (shop_id, assignee_id, is_open, due_at, id);
CREATE INDEX cases_by_order ON cases (order_id);
CREATE INDEX cases_by_customer ON cases (customer_id);

-- Substring search: trigram full-text index over cases.search_text, rowid = cases.rowid.
CREATE VIRTUAL TABLE case_search USING fts5(search_text, tokenize = 'trigram', detail = 'none');

CREATE TABLE case_lines (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    shop_id TEXT NOT NULL,
    order_line_id TEXT NOT NULL REFERENCES order_lines(id),
    quantity BIGINT NOT NULL,
    UNIQUE (case_id, order_line_id)
);

CREATE TABLE case_events (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    shop_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_by_case ON case_events (case_id, at, id);

CREATE TABLE case_messages (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    shop_id TEXT NOT NULL,
    author_role TEXT NOT NULL,
    author_id TEXT,
    visibility TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX case_messages_by_case ON case_messages (case_id, created_at, id);

CREATE TABLE refunds (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases(id),
    idempotency_key TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    method TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    actor_id TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (shop_id, idempotency_key)
);
CREATE INDEX refunds_by_case ON refunds (case_id);

CREATE TABLE refund_lines (
    refund_id TEXT NOT NULL REFERENCES refunds(id),
    order_line_id TEXT NOT NULL REFERENCES order_lines(id),
    amount_minor BIGINT NOT NULL,
    PRIMARY KEY (refund_id, order_line_id)
);
CREATE INDEX refund_lines_by_order_line ON refund_lines (order_line_id);

CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT,
    response_body TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);

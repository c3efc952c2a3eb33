-- Photos and videos attached to a case (by the customer in the portal, or by staff). The bytes
-- live in the database so that every instance serves them; type and size were checked from the
-- content, and location metadata was stripped from photos before storing.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases(id),
    -- photo or video
    kind TEXT NOT NULL,
    content_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    author_role TEXT NOT NULL,
    author_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX attachments_by_case ON attachments (case_id, created_at);

-- What the shop offers the customer instead of (or before) the remedy asked for, e.g. a partial
-- refund to keep the goods. The customer accepts or declines it in the portal.
CREATE TABLE offers (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases(id),
    -- partial_refund
    kind TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    note TEXT,
    -- open, accepted, declined, withdrawn
    state TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    answered_at BIGINT,
    refund_id TEXT
);
CREATE INDEX offers_by_case ON offers (case_id, created_at);

-- Where a shop's events go: HTTP endpoints, each with its own signing secret.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    -- a JSON array of topics, or ["*"] for all
    topics TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_by_shop ON webhook_endpoints (shop_id);

-- One message to one recipient over one channel, made from an outbox row. The body is fixed
-- when it is made, so every retry sends the same bytes.
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    outbox_id TEXT NOT NULL REFERENCES outbox(id),
    -- webhook, email
    channel TEXT NOT NULL,
    -- the endpoint id, or the e-mail address
    target TEXT NOT NULL,
    topic TEXT NOT NULL,
    body TEXT NOT NULL,
    -- pending, sent, dead
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    UNIQUE (outbox_id, channel, target)
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_by_shop ON deliveries (shop_id, state, created_at);

-- The dispatcher leases outbox rows while it turns them into deliveries.
ALTER TABLE outbox ADD COLUMN lease_until BIGINT;

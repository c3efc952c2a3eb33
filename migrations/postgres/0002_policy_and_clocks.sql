-- Policy, clocks and SLA: the shop's settings, each case's policy decision, durable timers.

CREATE TABLE shop_settings (
    shop_id TEXT PRIMARY KEY REFERENCES shops(id),
    -- JSON documents; '{}' means the defaults (docs/POLICY.md).
    jurisdiction TEXT NOT NULL DEFAULT 'CN',
    policy TEXT NOT NULL DEFAULT '{}',
    clocks TEXT NOT NULL DEFAULT '{}',
    sla TEXT NOT NULL DEFAULT '{}',
    return_address TEXT,
    branding TEXT NOT NULL DEFAULT '{}',
    updated_at BIGINT NOT NULL
);

ALTER TABLE cases ADD COLUMN policy_decision TEXT;
-- SLA figures per case, so reports can trust them: targets, pauses, what was used, breaches.
ALTER TABLE cases ADD COLUMN first_response_at BIGINT;
ALTER TABLE cases ADD COLUMN resolved_at BIGINT;
ALTER TABLE cases ADD COLUMN sla_first_response_due BIGINT;
ALTER TABLE cases ADD COLUMN sla_resolution_due BIGINT;
ALTER TABLE cases ADD COLUMN sla_paused_at BIGINT;
ALTER TABLE cases ADD COLUMN sla_paused_minutes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN sla_business_minutes BIGINT;
ALTER TABLE cases ADD COLUMN sla_breached TEXT;

-- A timer fires once: claimed with a lease, fired in the same transaction as the change it makes.
CREATE TABLE timers (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases(id),
    clock TEXT NOT NULL,
    rule TEXT NOT NULL,
    -- The actions it takes when it fires, comma-separated, fixed when it starts.
    steps TEXT NOT NULL,
    -- The case status the timer was started in; it fires only if the case is still there.
    status TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    locked_by TEXT,
    locked_until BIGINT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT,
    outcome TEXT
);
CREATE INDEX timers_due ON timers (state, due_at);
CREATE INDEX timers_by_case ON timers (case_id, state);

-- Notifications to deliver, written in the same transaction as the change that causes them.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    case_id TEXT,
    -- supervisor, customer, webhook …
    audience TEXT NOT NULL,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbox_pending ON outbox (state, created_at);

-- Server secrets shared by every instance (e.g. the key that signs portal sessions).
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The customer's rating of the service, once per case.
CREATE TABLE ratings (
    case_id TEXT PRIMARY KEY REFERENCES cases(id),
    shop_id TEXT NOT NULL,
    stars BIGINT NOT NULL,
    comment TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

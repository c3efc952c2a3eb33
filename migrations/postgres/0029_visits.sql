-- Follow-up visits (docs/MANAGEMENT.md, "Follow-up visits"): made by the shop's rules, each once
-- per rule and what started it (delivered:{order}, case:{case}, cadence:{customer}:{period}),
-- with its script, due time and assignee; its outcome recorded once per version.
CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    rule TEXT NOT NULL,
    -- delivered, case_closed, cadence
    trigger_kind TEXT NOT NULL,
    source_key TEXT NOT NULL,
    customer_id TEXT,
    order_id TEXT,
    case_id TEXT,
    script TEXT NOT NULL,
    assignee_id TEXT,
    -- open, reached, not_reached, issue_found
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    due_at BIGINT NOT NULL,
    note TEXT,
    opened_case_id TEXT,
    done_by TEXT,
    done_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    UNIQUE (shop_id, rule, source_key)
);
CREATE INDEX visits_open ON visits (shop_id, state, due_at);
CREATE INDEX visits_done ON visits (shop_id, state, done_at);

ALTER TABLE shop_settings ADD COLUMN visits TEXT NOT NULL DEFAULT '{}';

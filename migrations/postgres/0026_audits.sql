-- Quality audits (docs/MANAGEMENT.md, "QA audits"): a round per shop and half-month, drawn once,
-- with each agent's sample; each audit scored once by an auditor, disputed once by its agent,
-- the dispute answered by a supervisor; a second auditor's scoring of the same case
-- (calibration) names the audit it calibrates.
CREATE TABLE audit_rounds (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    -- 2026-11-a (the 1st to the 15th) or 2026-11-b (the 16th to the month's end)
    period TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    seed BIGINT NOT NULL,
    drawn_by TEXT,
    drawn_at BIGINT NOT NULL,
    UNIQUE (shop_id, period)
);

CREATE TABLE audits (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    round_id TEXT NOT NULL REFERENCES audit_rounds(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    -- the audited agent (the case's assignee when drawn)
    agent_id TEXT NOT NULL,
    -- open, scored, disputed, settled
    state TEXT NOT NULL,
    auditor_id TEXT,
    -- JSON {criterion: 0-100} and the weighted total, 0-100
    scores TEXT NOT NULL DEFAULT '{}',
    total BIGINT,
    comment TEXT,
    scored_at BIGINT,
    dispute TEXT,
    disputed_at BIGINT,
    answer TEXT,
    answered_by TEXT,
    answered_at BIGINT,
    -- the total after the dispute was answered (the same, or changed)
    final_total BIGINT,
    -- a second auditor's scoring of the same case: the audit it calibrates
    calibrates TEXT REFERENCES audits(id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX audits_once ON audits (round_id, case_id, auditor_id);
CREATE UNIQUE INDEX audits_sampled_once ON audits (round_id, case_id) WHERE calibrates IS NULL;
CREATE INDEX audits_by_round ON audits (round_id, agent_id);
CREATE INDEX audits_by_scored ON audits (shop_id, scored_at);

ALTER TABLE shop_settings ADD COLUMN audits TEXT NOT NULL DEFAULT '{}';

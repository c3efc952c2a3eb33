-- Disputes (客服介入): the platform stepped into a case. One open dispute per case; its stage,
-- the deadline of the shop's next step and the rule that set it, the ruling and any penalty.
-- What happened, step by step, is on the case's timeline.
CREATE TABLE disputes (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases(id),
    platform TEXT NOT NULL,
    external_id TEXT,
    reason TEXT NOT NULL,
    stage TEXT NOT NULL,
    due_at BIGINT,
    due_rule TEXT,
    outcome TEXT,
    penalty_minor BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    outcome_note TEXT,
    opened_at BIGINT NOT NULL,
    decided_at BIGINT,
    closed_at BIGINT,
    appeal_until BIGINT,
    opened_by TEXT,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX disputes_by_case ON disputes (case_id, opened_at);
CREATE UNIQUE INDEX disputes_open_per_case ON disputes (case_id) WHERE stage <> 'closed';

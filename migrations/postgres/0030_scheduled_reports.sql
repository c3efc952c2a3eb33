-- Scheduled reports (docs/MANAGEMENT.md, "Scheduled reports"): the shop's schedule, and each
-- period's report recorded once when it is sent (so that several instances send it once).
ALTER TABLE shop_settings ADD COLUMN reports TEXT NOT NULL DEFAULT '{}';

CREATE TABLE report_runs (
    shop_id TEXT NOT NULL REFERENCES shops(id),
    -- week:2026-11-30 or month:2026-11
    period TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, period)
);

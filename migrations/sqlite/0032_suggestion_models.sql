-- Learned suggestions (docs/TRIAGE.md, "Learned suggestions"): each shop's classifiers of a
-- case's reason and kind, learned from its ended cases and retrained daily.
CREATE TABLE suggestion_models (
    shop_id TEXT PRIMARY KEY REFERENCES shops(id),
    -- JSON: the two classifiers' counts
    model TEXT NOT NULL,
    cases BIGINT NOT NULL,
    trained_at BIGINT NOT NULL
);

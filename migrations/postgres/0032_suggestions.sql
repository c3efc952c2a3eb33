-- Learned suggestions (docs/TRIAGE.md, "Learned suggestions"; docs/KNOWLEDGE.md, "Suggested
-- replies"): each shop's classifiers of a case's reason and kind, learned from its ended cases
-- and retrained daily; and its reply templates as its agents send them, per kind and reason.
CREATE TABLE suggestion_models (
    shop_id TEXT PRIMARY KEY REFERENCES shops(id),
    -- JSON: the two classifiers' counts
    model TEXT NOT NULL,
    cases BIGINT NOT NULL,
    trained_at BIGINT NOT NULL
);

CREATE TABLE reply_variants (
    shop_id TEXT NOT NULL REFERENCES shops(id),
    template TEXT NOT NULL,
    kind TEXT NOT NULL,
    reason_code TEXT NOT NULL,
    -- SHA-256 of the body, hex
    body_hash TEXT NOT NULL,
    -- the reply with the case's values as placeholders
    body TEXT NOT NULL,
    uses BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, template, kind, reason_code, body_hash)
);
CREATE INDEX reply_variants_by_kind ON reply_variants (shop_id, kind, uses);

-- The knowledge base (docs/KNOWLEDGE.md): a shop's articles with their counters, the words each
-- is found by (computed when saved), a generation per shop that every change raises (so that
-- each instance knows when to reload its search index), the questions that found nothing, and
-- the shop's synonyms (a settings section).
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    slug TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    -- JSON arrays of strings
    tags TEXT NOT NULL DEFAULT '[]',
    products TEXT NOT NULL DEFAULT '[]',
    -- draft | published | archived
    status TEXT NOT NULL,
    title_zh TEXT NOT NULL DEFAULT '',
    body_zh TEXT NOT NULL DEFAULT '',
    title_en TEXT NOT NULL DEFAULT '',
    body_en TEXT NOT NULL DEFAULT '',
    -- JSON object: index word -> weighted frequency
    terms TEXT NOT NULL,
    views BIGINT NOT NULL DEFAULT 0,
    helpful BIGINT NOT NULL DEFAULT 0,
    not_helpful BIGINT NOT NULL DEFAULT 0,
    deflections BIGINT NOT NULL DEFAULT 0,
    inserted BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL,
    reviewed_at BIGINT,
    reviewed_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (shop_id, slug)
);
CREATE INDEX articles_by_status ON articles (shop_id, status, updated_at);

CREATE TABLE knowledge_generations (
    shop_id TEXT PRIMARY KEY REFERENCES shops(id),
    generation BIGINT NOT NULL
);

CREATE TABLE knowledge_misses (
    shop_id TEXT NOT NULL REFERENCES shops(id),
    question TEXT NOT NULL,
    times BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, question)
);
CREATE INDEX knowledge_misses_by_times ON knowledge_misses (shop_id, times, last_at);

ALTER TABLE shop_settings ADD COLUMN knowledge TEXT NOT NULL DEFAULT '{}';

-- Reviews (docs/MANAGEMENT.md, "Reviews"): each platform review once per shop (its key: the
-- platform's id, else its order and product, else reviewer, product and day), matched to an
-- order and customer where it can be; a medium or negative one opens a `review` case. A
-- re-import that changes the grade, rating or text is a revision: the first grade and rating
-- are kept beside the current ones. The explanation reply (评价解释) is stored for posting.
CREATE TABLE reviews (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    platform TEXT NOT NULL,
    review_key TEXT NOT NULL,
    external_id TEXT,
    order_number TEXT,
    order_id TEXT,
    customer_id TEXT,
    -- the shop's SKU, or the product's title when the export has no code
    product TEXT NOT NULL,
    product_title TEXT,
    reviewer TEXT,
    email TEXT,
    -- 1-5 stars when the platform gives them (Taobao's 好评/中评/差评 has none)
    rating BIGINT,
    -- positive, medium, negative
    grade TEXT NOT NULL,
    first_rating BIGINT,
    first_grade TEXT NOT NULL,
    title TEXT,
    text TEXT NOT NULL,
    reply TEXT,
    reviewed_at BIGINT NOT NULL,
    revised_at BIGINT,
    case_id TEXT REFERENCES cases(id),
    -- what the agent recorded: revised, declined, unreachable
    outcome TEXT,
    outcome_at BIGINT,
    explanation TEXT,
    explained_by TEXT,
    explained_at BIGINT,
    -- the explanation was posted on the platform
    posted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (shop_id, platform, review_key)
);
CREATE INDEX reviews_by_time ON reviews (shop_id, reviewed_at);
CREATE INDEX reviews_by_case ON reviews (case_id);

ALTER TABLE shop_settings ADD COLUMN reviews TEXT NOT NULL DEFAULT '{}';

INSERT INTO reasons (shop_id, code, category, name_zh, name_en, active, position)
SELECT id, 'review', 'review', '中差评', 'Medium or negative review', 1, 100 FROM shops
WHERE NOT EXISTS (SELECT 1 FROM reasons WHERE reasons.shop_id = shops.id AND reasons.code = 'review');

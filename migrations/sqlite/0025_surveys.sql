-- Satisfaction surveys (docs/MANAGEMENT.md, "Satisfaction surveys"): a round per shop and
-- period, drawn once (the unique key settles a race between instances), and one survey per
-- sampled case.
CREATE TABLE survey_rounds (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    -- 2026-11 (a month) or 2026-W47 (an ISO week)
    period TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    -- cases that ended in the period, not cancelled, before the exclusions
    ended BIGINT NOT NULL,
    -- JSON [{stratum, population, sampled}] after the exclusions
    strata TEXT NOT NULL,
    seed BIGINT NOT NULL,
    drawn_by TEXT,
    drawn_at BIGINT NOT NULL,
    UNIQUE (shop_id, period)
);

CREATE TABLE surveys (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    -- none for a milestone survey
    round_id TEXT REFERENCES survey_rounds(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    -- the customer's id, else the contact's e-mail or phone: never twice within the quiet days
    customer_key TEXT NOT NULL,
    -- sample or milestone
    reason TEXT NOT NULL,
    -- the case's kind/channel
    stratum TEXT NOT NULL,
    -- link (e-mail or text message) or phone
    ask_by TEXT NOT NULL,
    -- waiting (to be sent or called), sent, answered, expired
    state TEXT NOT NULL,
    score BIGINT,
    comment TEXT,
    -- JSON {key: answer} for the shop's own questions
    answers TEXT NOT NULL DEFAULT '{}',
    -- link, or phone (then answered_by names the agent)
    answered_via TEXT,
    answered_by TEXT,
    created_at BIGINT NOT NULL,
    -- the milestone survey's day to be sent; the sample's drawing
    send_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    answered_at BIGINT,
    UNIQUE (case_id, reason)
);
CREATE INDEX surveys_by_shop ON surveys (shop_id, created_at);
CREATE INDEX surveys_by_round ON surveys (round_id);
CREATE INDEX surveys_by_customer ON surveys (shop_id, customer_key, created_at);
CREATE INDEX surveys_to_send ON surveys (state, send_at);

-- The cases that ended in a period, for the sample.
CREATE INDEX cases_by_ended ON cases (shop_id, ended_at);

ALTER TABLE shop_settings ADD COLUMN surveys TEXT NOT NULL DEFAULT '{}';

-- The KPIs of a period (docs/MANAGEMENT.md, "KPIs"): ratings and refunds by when they were made.
CREATE INDEX ratings_by_shop ON ratings (shop_id, created_at);
CREATE INDEX refunds_by_shop ON refunds (shop_id, created_at);

-- Security: idempotency keys held by a lease (a crashed request's key is recovered) and scoped
-- per shop, caller and endpoint; API tokens with an expiry and a last use; a case remembers the
-- key it was created under; rate limits shared by every instance (they replace the sign-in
-- failure log).
DROP TABLE idempotency_keys;
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT,
    response_body TEXT,
    lease_until BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_by_created ON idempotency_keys (created_at);

ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
CREATE INDEX api_tokens_by_shop ON api_tokens (shop_id, created_at);

ALTER TABLE cases ADD COLUMN creation_key TEXT;
CREATE UNIQUE INDEX cases_by_creation_key ON cases (shop_id, creation_key);

CREATE TABLE rate_limits (
    bucket TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);

DROP TABLE sign_in_failures;

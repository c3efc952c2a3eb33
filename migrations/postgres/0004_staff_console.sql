-- Staff console sign-in: a session per browser (the cookie holds a random token; only its
-- SHA-256 is stored), the CSRF token every form of that session carries, and the shop the
-- person is working in (a person may belong to several).
CREATE TABLE staff_sessions (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff(id),
    shop_id TEXT NOT NULL REFERENCES shops(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

-- Failed sign-ins per e-mail address; too many in a short time lock the address for a while.
CREATE TABLE sign_in_failures (
    email TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_by_email ON sign_in_failures (email, failed_at);

-- A person's own saved queue views: a name and the queue's query string.
CREATE TABLE saved_views (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX saved_views_by_staff ON saved_views (staff_id, shop_id);

-- Canned replies for the console's reply box (a JSON array of {name, body}).
ALTER TABLE shop_settings ADD COLUMN reply_templates TEXT NOT NULL DEFAULT '[]';

-- SOP checklists per reason category (a JSON array of {category, steps: [{code, text, before}]}).
ALTER TABLE shop_settings ADD COLUMN sop TEXT NOT NULL DEFAULT '[]';

-- The checklist steps done on a case: who ticked them and when.
CREATE TABLE case_checks (
    case_id TEXT NOT NULL REFERENCES cases(id),
    step_code TEXT NOT NULL,
    shop_id TEXT NOT NULL,
    done_by TEXT,
    done_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, step_code)
);

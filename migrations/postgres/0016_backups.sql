-- The nightly backups: one row a day, taken by the instance that inserts it first (so several
-- instances make one backup), with its file and size, or why it failed.
CREATE TABLE backups (
    day TEXT PRIMARY KEY,
    instance TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    file TEXT,
    bytes BIGINT,
    error TEXT
);

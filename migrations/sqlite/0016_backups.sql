-- The nightly backups: one row a day, taken by the instance that inserts it first (so several
-- instances make one backup), with its file and size, or why it failed.
CREATE TABLE backups (
    day TEXT PRIMARY KEY,
    instance TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    file TEXT,
    bytes INTEGER,
    error TEXT
);

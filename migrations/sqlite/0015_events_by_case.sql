-- A case's timeline is only ever read by case, in order. The events are now kept in that order
-- in one B-tree keyed (case_id, at, id) (WITHOUT ROWID), instead of a table, an index on the id
-- and an index on (case_id, at, id): each event stored once instead of three times (about 430
-- bytes less per case). Event ids stay unique: they are made unique (UUIDv7) when written.
CREATE TABLE case_events_in_order (
    id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases(id),
    shop_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    data TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (case_id, at, id)
) WITHOUT ROWID;
INSERT INTO case_events_in_order (id, case_id, shop_id, at, actor_role, actor_id, action, from_status, to_status, data)
    SELECT id, case_id, shop_id, at, actor_role, actor_id, action, from_status, to_status, data FROM case_events;
DROP TABLE case_events;
ALTER TABLE case_events_in_order RENAME TO case_events;

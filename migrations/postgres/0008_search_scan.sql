-- SQLite only: the search text joins the list's indexes there, for two-character searches.
-- PostgreSQL searches with pg_trgm, which covers them; nothing changes here.
SELECT 1;

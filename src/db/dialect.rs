//! The few places where SQLite and PostgreSQL differ: row locks and substring search.

use anyhow::bail;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a transaction runs on.
    pub fn of(transaction: &super::Transaction) -> Backend {
        if transaction
            .backend_name()
            .eq_ignore_ascii_case("postgresql")
        {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn from_url(url: &str) -> anyhow::Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            bail!("unsupported database URL '{url}': use sqlite://PATH or postgres://…")
        }
    }

    /// Appended to a SELECT that reads rows the transaction will change. SQLite has one
    /// writer at a time (our write pool holds one connection), so it needs no lock.
    pub fn for_update(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// The one claim-with-a-lease statement every queue (timers, outbox, deliveries) uses: sets
    /// `set` on up to `$limit` rows of `table` that `due` selects, first by `order`, and returns
    /// `returning` of them. On PostgreSQL rows another worker is claiming are skipped (SKIP
    /// LOCKED), so several instances share the queue; SQLite's single writer makes the
    /// statement atomic. RETURNING keeps no order: callers sort what they get.
    pub fn claim(
        self,
        table: &str,
        set: &str,
        due: &str,
        order: &str,
        limit: usize,
        returning: &str,
    ) -> String {
        let skip_locked = match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        format!(
            "UPDATE {table} SET {set} WHERE id IN (SELECT id FROM {table} WHERE {due} \
             ORDER BY {order} LIMIT ${limit}{skip_locked}) RETURNING {returning}"
        )
    }

    /// The texts of a JSON array bound as parameter `$n`, as a subquery (`column IN (…)` with
    /// any number of values under one parameter).
    pub fn json_texts(self, parameter: usize) -> String {
        match self {
            Backend::Sqlite => format!("SELECT value FROM json_each(${parameter})"),
            Backend::Postgres => format!("SELECT jsonb_array_elements_text(${parameter}::jsonb)"),
        }
    }

    /// A condition that `column` (lower-cased search text) contains the bound parameter
    /// `$n` (lower-cased query) as a substring, without an index.
    pub fn contains(self, column: &str, parameter: usize) -> String {
        match self {
            Backend::Sqlite => format!("instr({column}, ${parameter}) > 0"),
            Backend::Postgres => format!("strpos({column}, ${parameter}) > 0"),
        }
    }

    /// A condition for the cases' substring search, with the values to bind from `$first` on.
    /// `indexed` chooses the trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL), then an exact
    /// check; otherwise the rows are scanned in the list's order, which stops at the page size
    /// and is the faster plan for frequent terms (see [`Backend::search_plan`]). Queries shorter
    /// than three characters have no trigram: on SQLite they always scan; on PostgreSQL two
    /// characters use their own index of each case's two-character pieces.
    pub fn case_search(
        self,
        first: usize,
        query: &str,
        plan: &SearchPlan,
    ) -> (String, Vec<String>) {
        let exact = self.contains("c.search_text", first + 1);
        let SearchPlan::Index(expression) = plan else {
            return (
                self.contains("c.search_text", first),
                vec![query.to_string()],
            );
        };
        match self {
            Backend::Sqlite => (
                format!(
                    "c.rowid IN (SELECT rowid FROM case_search WHERE case_search MATCH ${first}) AND {exact}"
                ),
                vec![expression.clone(), query.to_string()],
            ),
            // Two characters have no trigram: their own index (migration 0015).
            Backend::Postgres if query.chars().count() == 2 => (
                format!("search_bigrams(c.search_text) @> ARRAY[${first}::TEXT] AND {exact}"),
                vec![query.to_string(), query.to_string()],
            ),
            Backend::Postgres => (
                format!("c.search_text LIKE ${first} ESCAPE '\\' AND {exact}"),
                vec![format!("%{}%", like_escape(query)), query.to_string()],
            ),
        }
    }
}

/// How many index matches make a term "frequent": above it, scanning in list order finds a
/// page sooner than fetching and sorting every match.
pub const FREQUENT_MATCHES: i64 = 5_000;

/// How a substring search runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchPlan {
    /// Scan the cases in the list's order and check each; stops when the page is full.
    Scan,
    /// Use the trigram index: on SQLite with this FTS5 expression (the query's rarest trigrams).
    Index(String),
}

/// The query's distinct trigrams.
fn trigrams(query: &str) -> Vec<String> {
    let characters: Vec<char> = query.chars().collect();
    let mut terms: Vec<String> = Vec::new();
    for window in characters.windows(3) {
        let term: String = window.iter().collect();
        if !terms.contains(&term) {
            terms.push(term);
        }
    }
    terms
}

impl Backend {
    /// Chooses how to search for `query` (lower-cased). On SQLite the index is asked how many
    /// cases hold all of the query's trigrams, counting no further than [`FREQUENT_MATCHES`]
    /// (cheap either way: a frequent term reaches the limit at once, a rare one has short
    /// lists); few matches use the index, many use the ordered scan, which then fills a page
    /// quickly. PostgreSQL's planner decides by itself.
    pub async fn search_plan(
        self,
        pool: &sqlx::AnyPool,
        query: &str,
    ) -> Result<SearchPlan, sqlx::Error> {
        if self == Backend::Postgres {
            // Trigrams, or for two characters their own index; the planner chooses.
            return Ok(if query.chars().count() >= 2 {
                SearchPlan::Index(String::new())
            } else {
                SearchPlan::Scan
            });
        }
        let terms = trigrams(query);
        if terms.is_empty() {
            return Ok(SearchPlan::Scan);
        }
        let expression = fts_terms(&terms);
        let candidates: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT rowid FROM case_search WHERE case_search MATCH $1 LIMIT $2) AS found",
        )
        .bind(&expression)
        .bind(FREQUENT_MATCHES)
        .fetch_one(pool)
        .await?;
        if candidates < FREQUENT_MATCHES {
            return Ok(SearchPlan::Index(expression));
        }
        // Many cases hold every trigram, but perhaps in different fields (a phone's digits
        // spread over a case number and a phone): check whether one in twenty of the first
        // candidates really contains the query, stopping as soon as enough do (a frequent term
        // reads a few hundred rows, not five thousand). Only a truly frequent term is faster to
        // find by scanning.
        let enough = FREQUENT_MATCHES / 20;
        let exact: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM (SELECT rowid FROM case_search WHERE case_search MATCH $1 LIMIT $2) AS found \
             JOIN cases c ON c.rowid = found.rowid WHERE instr(c.search_text, $3) > 0 LIMIT $4) AS exact",
        )
        .bind(&expression)
        .bind(FREQUENT_MATCHES)
        .bind(query)
        .bind(enough)
        .fetch_one(pool)
        .await?;
        Ok(if exact >= enough {
            SearchPlan::Scan
        } else {
            SearchPlan::Index(expression)
        })
    }
}

/// FTS5 terms joined by AND, each quoted.
fn fts_terms(terms: &[String]) -> String {
    terms
        .iter()
        .map(|term| format!("\"{}\"", term.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Escapes LIKE's wildcards with a backslash.
pub fn like_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if matches!(character, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}

/// The lower-cased text that substring search looks in.
pub fn search_text(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .map(|part| part.trim().to_lowercase())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" \u{1f} ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(like_escape("50%_a\\"), "50\\%\\_a\\\\");
        assert_eq!(trigrams("退款退款"), vec!["退款退", "款退款"]);
        assert!(trigrams("退款").is_empty());
        assert_eq!(
            fts_terms(&["a\"b".into(), "xyz".into()]),
            "\"a\"\"b\" AND \"xyz\""
        );
        assert_eq!(
            search_text(&[Some("AS-1"), None, Some(" 退款 ")]),
            "as-1 \u{1f} 退款"
        );
    }
}

//! The few places where SQLite and PostgreSQL differ: row locks and substring search.

use anyhow::bail;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
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

    /// A condition that `column` (lower-cased search text) contains the bound parameter
    /// `$n` (lower-cased query) as a substring, without an index.
    pub fn contains(self, column: &str, parameter: usize) -> String {
        match self {
            Backend::Sqlite => format!("instr({column}, ${parameter}) > 0"),
            Backend::Postgres => format!("strpos({column}, ${parameter}) > 0"),
        }
    }

    /// A condition for the cases' substring search, with the values to bind from `$first` on.
    /// Queries of three characters or more go through the trigram index (FTS5 on SQLite,
    /// pg_trgm on PostgreSQL) and are then checked exactly; shorter ones cannot use trigrams
    /// and scan in the order the list is sorted, stopping at the page size.
    pub fn case_search(self, first: usize, query: &str) -> (String, Vec<String>) {
        let exact = self.contains("c.search_text", first + 1);
        if query.chars().count() < 3 {
            return (
                self.contains("c.search_text", first),
                vec![query.to_string()],
            );
        }
        match self {
            Backend::Sqlite => (
                format!(
                    "c.rowid IN (SELECT rowid FROM case_search WHERE case_search MATCH ${first}) AND {exact}"
                ),
                vec![fts_phrase(query), query.to_string()],
            ),
            Backend::Postgres => (
                format!("c.search_text LIKE ${first} ESCAPE '\\' AND {exact}"),
                vec![format!("%{}%", like_escape(query)), query.to_string()],
            ),
        }
    }
}

/// A query as FTS5 trigram terms joined by AND: the index is built with `detail=none`, which
/// keeps it small but cannot match phrases, so every trigram of the query must be present and
/// the exact substring check that follows removes the rest.
fn fts_phrase(query: &str) -> String {
    let characters: Vec<char> = query.chars().collect();
    let mut terms: Vec<String> = characters
        .windows(3)
        .map(|window| {
            format!(
                "\"{}\"",
                window.iter().collect::<String>().replace('"', "\"\"")
            )
        })
        .collect();
    terms.dedup();
    terms.join(" AND ")
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
        assert_eq!(fts_phrase("a\"bc"), "\"a\"\"b\" AND \"\"\"bc\"");
        assert_eq!(fts_phrase("退款退"), "\"退款退\"");
        assert_eq!(
            search_text(&[Some("AS-1"), None, Some(" 退款 ")]),
            "as-1 \u{1f} 退款"
        );
    }
}

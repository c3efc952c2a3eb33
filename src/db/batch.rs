//! Several statements sent as one. On SQLite every statement costs a round trip to the
//! connection's worker thread, which dominates small writes, so a batch is joined into one
//! multi-statement query (placeholders renumbered); on PostgreSQL each statement runs in turn.
//! Either way the batch runs inside the caller's transaction.

use super::{Backend, Database, Transaction};
use crate::domain::identifiers::ShopId;

#[derive(Debug, Clone)]
pub enum Value {
    Text(Option<String>),
    Integer(Option<i64>),
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(Some(text.to_string()))
    }
}

impl From<&crate::domain::identifiers::ShopId> for Value {
    fn from(id: &crate::domain::identifiers::ShopId) -> Self {
        Value::Text(Some(id.to_string()))
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(Some(text))
    }
}

impl From<Option<&str>> for Value {
    fn from(text: Option<&str>) -> Self {
        Value::Text(text.map(str::to_string))
    }
}

impl From<i64> for Value {
    fn from(number: i64) -> Self {
        Value::Integer(Some(number))
    }
}

impl From<Option<i64>> for Value {
    fn from(number: Option<i64>) -> Self {
        Value::Integer(number)
    }
}

#[derive(Debug, Default)]
pub struct Batch {
    statements: Vec<(String, Vec<Value>)>,
}

/// Adds `offset` to every `$N` placeholder of `sql` (our SQL has no `$` in literals).
fn renumber(sql: &str, offset: usize) -> String {
    let mut result = String::with_capacity(sql.len() + 8);
    let mut characters = sql.chars().peekable();
    while let Some(character) = characters.next() {
        result.push(character);
        if character == '$' {
            let mut digits = String::new();
            while let Some(digit) = characters.peek().copied().filter(char::is_ascii_digit) {
                digits.push(digit);
                characters.next();
            }
            match digits.parse::<usize>() {
                Ok(number) => result.push_str(&(number + offset).to_string()),
                Err(_) => result.push_str(&digits),
            }
        }
    }
    result
}

/// `INSERT INTO t (columns) VALUES (expressions)[ rest]` in its three parts: the head up to
/// the columns' closing parenthesis, the expressions, and the rest. Other statements, and
/// expressions holding a quoted literal, have no such parts.
fn insert_parts(statement: &str) -> Option<(&str, &str, &str)> {
    let trimmed = statement.trim();
    if !trimmed.starts_with("INSERT INTO ") {
        return None;
    }
    let values_at = trimmed.find(") VALUES (")?;
    let head = &trimmed[..=values_at];
    let expressions_start = values_at + ") VALUES (".len();
    // The expressions end at the parenthesis that closes VALUES (.
    let mut depth = 1;
    let mut end = None;
    for (offset, character) in trimmed[expressions_start..].char_indices() {
        match character {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    end = Some(expressions_start + offset);
                    break;
                }
            }
            '\'' => return None,
            _ => {}
        }
    }
    let end = end?;
    Some((head, &trimmed[expressions_start..end], &trimmed[end + 1..]))
}

/// `INSERT INTO t (columns) VALUES (expressions)[ rest]` as `INSERT INTO t (columns) SELECT
/// expressions FROM jsonb_each($1) WHERE true[ rest]`, each `$N` read from the row's element
/// N - 1 (`jsonb_each` hands each row over as JSONB, so reading its elements parses nothing
/// again). Other statements have no such form.
fn set_form(statement: &str) -> Option<String> {
    let (head, expressions, rest) = insert_parts(statement)?;
    let mut read = String::with_capacity(expressions.len() * 2);
    let mut characters = expressions.chars().peekable();
    while let Some(character) = characters.next() {
        if character != '$' {
            read.push(character);
            continue;
        }
        let mut digits = String::new();
        while let Some(digit) = characters.peek().copied().filter(char::is_ascii_digit) {
            digits.push(digit);
            characters.next();
        }
        let number: usize = digits.parse().ok()?;
        read.push_str(&format!("(value ->> {})", number.checked_sub(1)?));
    }
    Some(format!(
        "{head} SELECT {read} FROM jsonb_each($1) WHERE true{rest}"
    ))
}

/// The rows' values as a JSON array of arrays.
fn json_rows(rows: &[Vec<Value>]) -> String {
    let array: Vec<serde_json::Value> = rows
        .iter()
        .map(|values| {
            serde_json::Value::Array(
                values
                    .iter()
                    .map(|value| match value {
                        Value::Text(text) => text.clone().into(),
                        Value::Integer(number) => (*number).into(),
                    })
                    .collect(),
            )
        })
        .collect();
    serde_json::Value::Array(array).to_string()
}

pub(super) fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    values: Vec<Value>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for value in values {
        query = match value {
            Value::Text(text) => query.bind(text),
            Value::Integer(number) => query.bind(number),
        };
    }
    query
}

impl Batch {
    pub fn new() -> Batch {
        Batch::default()
    }

    /// Adds a statement whose placeholders are numbered from `$1` for `values`.
    pub fn push(&mut self, sql: &str, values: Vec<Value>) {
        self.statements.push((sql.to_string(), values));
    }

    /// Adds all of `other`'s statements.
    pub fn append(&mut self, other: Batch) {
        self.statements.extend(other.statements);
    }

    /// The statements as one SQL text (each followed by `;`) with their values, renumbered.
    pub(super) fn joined(self) -> (String, Vec<Value>) {
        let mut sql = String::new();
        let mut all = Vec::new();
        for (statement, values) in self.statements {
            sql.push_str(&renumber(&statement, all.len()));
            sql.push_str(";\n");
            all.extend(values);
        }
        (sql, all)
    }

    /// Each distinct statement with the values of each of its repetitions, in the order each
    /// first appears.
    fn by_statement(self) -> Vec<(String, Vec<Vec<Value>>)> {
        let mut grouped: Vec<(String, Vec<Vec<Value>>)> = Vec::new();
        let mut index_of: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        for (statement, values) in self.statements {
            match index_of.get(&statement) {
                Some(&index) => grouped[index].1.push(values),
                None => {
                    index_of.insert(statement.clone(), grouped.len());
                    grouped.push((statement, vec![values]));
                }
            }
        }
        grouped
    }

    /// The statements as one SQL text for SQLite in which each statement repeated with other
    /// values (a group of case creations: one `INSERT … VALUES` per table per case) runs once
    /// for all its rows, read from a JSON array with `jsonb_each`. The text then depends only on
    /// which statements there are, not on how many rows: SQLite compiles it once and the
    /// statement cache keeps it. Statements run in the order each first appears.
    pub(super) fn set_based(self) -> (String, Vec<Value>) {
        let mut sql = String::new();
        let mut all = Vec::new();
        for (statement, rows) in self.by_statement() {
            match set_form(&statement) {
                Some(form) => {
                    sql.push_str(&renumber(&form, all.len()));
                    sql.push_str(";\n");
                    all.push(Value::Text(Some(json_rows(&rows))));
                }
                None => {
                    for values in rows {
                        sql.push_str(&renumber(&statement, all.len()));
                        sql.push_str(";\n");
                        all.extend(values);
                    }
                }
            }
        }
        (sql, all)
    }

    /// The statements for PostgreSQL, each repeated `INSERT … VALUES` (without an `ON
    /// CONFLICT … DO UPDATE`, which may not touch a row twice in one statement) made one
    /// statement with a row of values per repetition, up to PostgreSQL's 65,535 parameters.
    /// Statements run in the order each first appears.
    pub(super) fn multi_row(self) -> Vec<(String, Vec<Value>)> {
        const MOST_VALUES: usize = 60_000;
        let mut statements = Vec::new();
        for (statement, rows) in self.by_statement() {
            let parts = insert_parts(&statement).filter(|(_, _, rest)| !rest.contains("DO UPDATE"));
            let Some((head, expressions, rest)) = parts else {
                statements.extend(rows.into_iter().map(|values| (statement.clone(), values)));
                continue;
            };
            let width = rows.first().map_or(1, Vec::len).max(1);
            for chunk in rows.chunks((MOST_VALUES / width).max(1)) {
                let mut tuples = Vec::with_capacity(chunk.len());
                let mut all = Vec::with_capacity(chunk.len() * width);
                for values in chunk {
                    tuples.push(format!("({})", renumber(expressions, all.len())));
                    all.extend(values.iter().cloned());
                }
                statements.push((format!("{head} VALUES {}{rest}", tuples.join(", ")), all));
            }
        }
        statements
    }

    /// Runs the batch; on SQLite each repeated `INSERT` runs once for all its rows (see
    /// [`Batch::set_based`]).
    pub async fn execute_set_based(
        self,
        transaction: &mut Transaction,
        backend: Backend,
    ) -> Result<(), sqlx::Error> {
        if backend == Backend::Postgres {
            for (statement, values) in self.multi_row() {
                // As many placeholders as rows: a text not worth a place in the statement cache.
                bind_all(
                    sqlx::query(sqlx::AssertSqlSafe(statement)).persistent(false),
                    values,
                )
                .execute(&mut **transaction)
                .await?;
            }
            return Ok(());
        }
        let (sql, all) = self.set_based();
        bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), all)
            .execute(&mut **transaction)
            .await?;
        Ok(())
    }

    pub async fn execute(
        self,
        transaction: &mut Transaction,
        backend: Backend,
    ) -> Result<(), sqlx::Error> {
        match backend {
            Backend::Sqlite => {
                let (sql, all) = self.joined();
                bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), all)
                    .execute(&mut **transaction)
                    .await?;
            }
            Backend::Postgres => {
                for (statement, values) in self.statements {
                    bind_all(sqlx::query(sqlx::AssertSqlSafe(statement)), values)
                        .execute(&mut **transaction)
                        .await?;
                }
            }
        }
        Ok(())
    }
}

/// A write that first takes a number (a counter's next value) and then writes the batch built
/// from it, atomically. On SQLite it goes through the group committer (see `group.rs`); on
/// PostgreSQL it is an ordinary transaction, run on its own task. Either way a caller that goes
/// away (a closed HTTP connection) cannot leave it half done.
pub async fn numbered<F>(
    database: &Database,
    shop_id: &ShopId,
    day: &str,
    then: F,
) -> Result<i64, sqlx::Error>
where
    F: Fn(i64) -> Batch + Send + Sync + 'static,
{
    if let Some(group) = &database.group {
        return group.submit(shop_id, day, Box::new(then)).await;
    }
    let (database, shop_id, day) = (database.clone(), shop_id.to_string(), day.to_string());
    let task = tokio::spawn(async move {
        // The number is taken in a transaction of its own: the day's counter row is locked only
        // for that moment, not until the write commits (every creation of the shop's day would
        // otherwise wait for the one before it). A write that fails after it leaves a gap.
        let number: i64 = sqlx::query_scalar(super::cases::NEXT_SEQUENCE_SQL)
            .bind(shop_id)
            .bind(day)
            .fetch_one(&database.writer)
            .await?;
        let mut transaction = database.begin().await?;
        then(number)
            .execute(&mut transaction, database.backend)
            .await?;
        transaction.commit().await?;
        Ok(number)
    });
    task.await
        .map_err(|error| sqlx::Error::Protocol(format!("the write task failed: {error}")))?
}

#[cfg(test)]
mod tests {
    use super::{Batch, Value, renumber, set_form};

    #[test]
    fn repeated_inserts_become_one_over_json_rows() {
        assert_eq!(
            set_form(
                "INSERT INTO t (a, b, c) VALUES ($1, $2, coalesce($1, 0)) ON CONFLICT DO NOTHING"
            )
            .unwrap(),
            "INSERT INTO t (a, b, c) SELECT (value ->> 0), (value ->> 1), coalesce((value ->> 0), 0) FROM jsonb_each($1) WHERE true ON CONFLICT DO NOTHING"
        );
        assert_eq!(set_form("UPDATE t SET a = $1"), None);
        assert_eq!(set_form("INSERT INTO t (a) VALUES ('x', $1)"), None);
        let mut batch = Batch::new();
        batch.push("INSERT INTO t (a) VALUES ($1)", vec![Value::from("x")]);
        batch.push("UPDATE u SET b = $1", vec![Value::from(1)]);
        batch.push(
            "INSERT INTO t (a) VALUES ($1)",
            vec![Value::from(None::<&str>)],
        );
        let (sql, values) = batch.set_based();
        assert_eq!(
            sql,
            "INSERT INTO t (a) SELECT (value ->> 0) FROM jsonb_each($1) WHERE true;\nUPDATE u SET b = $2;\n"
        );
        assert!(matches!(&values[0], Value::Text(Some(rows)) if rows == "[[\"x\"],[null]]"));
    }

    #[test]
    fn repeated_inserts_become_one_multi_row_insert_on_postgres() {
        let mut batch = Batch::new();
        let insert = "INSERT INTO t (a, b) VALUES ($1, coalesce($2, $1)) ON CONFLICT DO NOTHING";
        let upsert = "INSERT INTO u (a) VALUES ($1) ON CONFLICT (a) DO UPDATE SET a = excluded.a";
        batch.push(insert, vec![Value::from("x"), Value::from(1)]);
        batch.push(upsert, vec![Value::from(2)]);
        batch.push(insert, vec![Value::from("y"), Value::from(3)]);
        batch.push(upsert, vec![Value::from(4)]);
        let statements = batch.multi_row();
        let texts: Vec<&str> = statements.iter().map(|(sql, _)| sql.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "INSERT INTO t (a, b) VALUES ($1, coalesce($2, $1)), ($3, coalesce($4, $3)) ON CONFLICT DO NOTHING",
                upsert,
                upsert,
            ],
            "an upsert may not touch one row twice in a statement: it stays one per row"
        );
        let first: Vec<String> = statements[0]
            .1
            .iter()
            .map(|value| format!("{value:?}"))
            .collect();
        assert_eq!(
            first,
            [
                "Text(Some(\"x\"))",
                "Integer(Some(1))",
                "Text(Some(\"y\"))",
                "Integer(Some(3))"
            ]
        );
    }

    #[test]
    fn placeholders_are_shifted() {
        assert_eq!(
            renumber("INSERT INTO t VALUES ($1, $2, $10)", 3),
            "INSERT INTO t VALUES ($4, $5, $13)"
        );
        assert_eq!(renumber("SELECT 1", 5), "SELECT 1");
    }
}

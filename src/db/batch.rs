//! Several statements sent as one. On SQLite every statement costs a round trip to the
//! connection's worker thread, which dominates small writes, so a batch is joined into one
//! multi-statement query (placeholders renumbered); on PostgreSQL each statement runs in turn.
//! Either way the batch runs inside the caller's transaction.

use super::{Backend, Database, Transaction};

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
    shop_id: &str,
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
        let mut transaction = database.begin().await?;
        let row = sqlx::query(super::cases::NEXT_SEQUENCE_SQL)
            .bind(shop_id)
            .bind(day)
            .fetch_one(&mut *transaction)
            .await?;
        let number: i64 = sqlx::Row::try_get(&row, 0)?;
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
    use super::renumber;

    #[test]
    fn placeholders_are_shifted() {
        assert_eq!(
            renumber("INSERT INTO t VALUES ($1, $2, $10)", 3),
            "INSERT INTO t VALUES ($4, $5, $13)"
        );
        assert_eq!(renumber("SELECT 1", 5), "SELECT 1");
    }
}

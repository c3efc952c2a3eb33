//! Stored responses of POST requests sent with an `Idempotency-Key`.

use super::Database;

/// What a key already holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Another request with this key is still running.
    InProgress { request_hash: String },
    /// The request finished; its response can be replayed.
    Done {
        request_hash: String,
        status: u16,
        body: String,
    },
}

/// Claims `key` for a new request. `Ok(None)` means the caller now owns it; otherwise what
/// the key already holds is returned.
pub async fn claim(
    database: &Database,
    scope: &str,
    key: &str,
    request_hash: &str,
) -> Result<Option<Stored>, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (scope, key) DO NOTHING",
    )
    .bind(scope)
    .bind(key)
    .bind(request_hash)
    .bind(database.clock.now())
    .execute(&database.writer)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(None);
    }
    let (request_hash, status, body): (String, Option<i64>, Option<String>) =
        sqlx::query_as("SELECT request_hash, status, response_body FROM idempotency_keys WHERE scope = $1 AND key = $2")
            .bind(scope)
            .bind(key)
            .fetch_one(&database.writer)
            .await?;
    Ok(Some(match status {
        Some(status) => Stored::Done {
            request_hash,
            status: status as u16,
            body: body.unwrap_or_default(),
        },
        None => Stored::InProgress { request_hash },
    }))
}

/// Stores the response of the request that owns `key`.
pub async fn complete(
    database: &Database,
    scope: &str,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $1, response_body = $2 WHERE scope = $3 AND key = $4",
    )
    .bind(i64::from(status))
    .bind(body)
    .bind(scope)
    .bind(key)
    .execute(&database.writer)
    .await?;
    Ok(())
}

/// Gives the key up (the request failed on our side), so a retry runs again.
pub async fn release(database: &Database, scope: &str, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status IS NULL")
        .bind(scope)
        .bind(key)
        .execute(&database.writer)
        .await?;
    Ok(())
}

//! Stored responses of POST requests sent with an `Idempotency-Key`, and the lease a running
//! request holds on its key: a request that dies (a crash, a kill) stops renewing it, and a
//! retry after the lease recovers the key instead of waiting forever.

use super::Database;

/// What claiming a key gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The caller holds the key now; `recovered` when a request that died held it before (its
    /// effects, if any, are found again by the operation's own key).
    Held { recovered: bool },
    /// Another request with this key is running (its lease is alive).
    InProgress { request_hash: String },
    /// The request finished; its response can be replayed.
    Done {
        request_hash: String,
        status: u16,
        body: String,
    },
}

/// Claims `key` in `scope` for a request, held for `lease_micros` unless renewed.
pub async fn claim(
    database: &Database,
    scope: &str,
    key: &str,
    request_hash: &str,
    lease_micros: i64,
) -> Result<Claim, sqlx::Error> {
    let now = database.clock.now();
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (scope, key, request_hash, lease_until, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, key) DO NOTHING",
    )
    .bind(scope)
    .bind(key)
    .bind(request_hash)
    .bind(now + lease_micros)
    .bind(now)
    .execute(&database.writer)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Claim::Held { recovered: false });
    }
    // The same request whose holder stopped renewing: take the key over (one retry wins).
    let recovered = sqlx::query(
        "UPDATE idempotency_keys SET lease_until = $1 WHERE scope = $2 AND key = $3 \
         AND status IS NULL AND lease_until < $4 AND request_hash = $5",
    )
    .bind(now + lease_micros)
    .bind(scope)
    .bind(key)
    .bind(now)
    .bind(request_hash)
    .execute(&database.writer)
    .await?;
    if recovered.rows_affected() == 1 {
        return Ok(Claim::Held { recovered: true });
    }
    let (request_hash, status, body): (String, Option<i64>, Option<String>) = sqlx::query_as(
        "SELECT request_hash, status, response_body FROM idempotency_keys WHERE scope = $1 AND key = $2",
    )
    .bind(scope)
    .bind(key)
    .fetch_one(&database.writer)
    .await?;
    Ok(match status {
        Some(status) => Claim::Done {
            request_hash,
            status: status as u16,
            body: body.unwrap_or_default(),
        },
        None => Claim::InProgress { request_hash },
    })
}

/// Extends the lease of a request still running.
pub async fn renew(
    database: &Database,
    scope: &str,
    key: &str,
    lease_micros: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE idempotency_keys SET lease_until = $1 WHERE scope = $2 AND key = $3 AND status IS NULL",
    )
    .bind(database.clock.now() + lease_micros)
    .bind(scope)
    .bind(key)
    .execute(&database.writer)
    .await?;
    Ok(())
}

/// Stores the response of the request that holds `key`.
pub async fn complete(
    database: &Database,
    scope: &str,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $1, response_body = $2, lease_until = NULL \
         WHERE scope = $3 AND key = $4",
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

/// Forgets keys created before `before` (the retention, docs/API.md), except those still held.
pub async fn expire(database: &Database, before: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "DELETE FROM idempotency_keys WHERE created_at < $1 AND (status IS NOT NULL OR lease_until < $2)",
    )
    .bind(before)
    .bind(database.clock.now())
    .execute(&database.writer)
    .await?
    .rows_affected())
}

//! Named secrets: the portal's signing key, each platform's webhook secret per shop.

use sqlx::AnyPool;

pub async fn get(pool: &AnyPool, name: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
        .bind(name)
        .fetch_optional(pool)
        .await
}

/// Sets the secret, replacing any earlier value.
pub async fn put(pool: &AnyPool, name: &str, value: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, created_at = excluded.created_at",
    )
    .bind(name)
    .bind(value)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// The secret as stored; `value` is stored first when there is none (the first writer wins).
pub async fn get_or_put(
    pool: &AnyPool,
    name: &str,
    value: &str,
    now: i64,
) -> Result<String, sqlx::Error> {
    sqlx::query("INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(value)
        .bind(now)
        .execute(pool)
        .await?;
    sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
}

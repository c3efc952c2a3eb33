//! Rate limits shared by every instance: a counter per bucket in a fixed window, counted in one
//! statement (no two requests can both read "4 of 5").

use super::Database;

/// Counts one hit on `bucket` and returns the hits in its current window, this one included.
/// A window older than `window_micros` starts again at one.
pub async fn hit(
    database: &Database,
    bucket: &str,
    window_micros: i64,
) -> Result<i64, sqlx::Error> {
    let now = database.clock.now();
    sqlx::query_scalar(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (bucket) DO UPDATE SET \
           hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END, \
           window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END \
         RETURNING hits",
    )
    .bind(bucket)
    .bind(now)
    .bind(now - window_micros)
    .fetch_one(&database.writer)
    .await
}

/// The hits on `bucket` in its current window, without counting one.
pub async fn hits(
    database: &Database,
    bucket: &str,
    window_micros: i64,
) -> Result<i64, sqlx::Error> {
    let now = database.clock.now();
    let hits: Option<i64> =
        sqlx::query_scalar("SELECT hits FROM rate_limits WHERE bucket = $1 AND window_start > $2")
            .bind(bucket)
            .bind(now - window_micros)
            .fetch_optional(&database.writer)
            .await?;
    Ok(hits.unwrap_or(0))
}

/// Forgets a bucket (a correct sign-in clears its own failures).
pub async fn clear(database: &Database, bucket: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM rate_limits WHERE bucket = $1")
        .bind(bucket)
        .execute(&database.writer)
        .await?;
    Ok(())
}

/// Removes windows that ended before `before` (the timers' round calls it).
pub async fn expire(database: &Database, before: i64) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(before)
            .execute(&database.writer)
            .await?
            .rows_affected(),
    )
}

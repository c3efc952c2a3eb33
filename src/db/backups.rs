//! The nightly backups' record: which instance took each day's, and how it ended.

use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BackupRecord {
    pub day: String,
    pub instance: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub file: Option<String>,
    pub bytes: Option<i64>,
    pub error: Option<String>,
}

/// Takes `day`'s backup for `instance`; false when another instance already took it.
pub async fn claim(
    pool: &AnyPool,
    day: &str,
    instance: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO backups (day, instance, started_at) VALUES ($1, $2, $3) ON CONFLICT (day) DO NOTHING",
    )
    .bind(day)
    .bind(instance)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// How `day`'s backup ended: its file and size, or the error.
pub async fn finish(
    pool: &AnyPool,
    day: &str,
    outcome: Result<(&str, i64), &str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (file, bytes, error) = match outcome {
        Ok((file, bytes)) => (Some(file), Some(bytes), None),
        Err(error) => (None, None, Some(error)),
    };
    sqlx::query(
        "UPDATE backups SET finished_at = $1, file = $2, bytes = $3, error = $4 WHERE day = $5",
    )
    .bind(now)
    .bind(file)
    .bind(bytes)
    .bind(error)
    .bind(day)
    .execute(pool)
    .await?;
    Ok(())
}

/// The most recent backup's record.
pub async fn latest(pool: &AnyPool) -> Result<Option<BackupRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT day, instance, started_at, finished_at, file, bytes, error FROM backups ORDER BY day DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await
}

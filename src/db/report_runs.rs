//! The scheduled reports sent: one row per shop and period, written with the report's outbox
//! row, so that a period's report goes out once.

use sqlx::AnyPool;

use super::Transaction;
use crate::domain::identifiers::ShopId;

/// Whether the period's report went out already.
pub async fn sent(pool: &AnyPool, shop_id: &ShopId, period: &str) -> Result<bool, sqlx::Error> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT created_at FROM report_runs WHERE shop_id = $1 AND period = $2")
            .bind(shop_id)
            .bind(period)
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some())
}

/// Records the period's report; false when another sweep recorded it first.
pub async fn insert(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    period: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO report_runs (shop_id, period, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (shop_id, period) DO NOTHING",
    )
    .bind(shop_id)
    .bind(period)
    .bind(now)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

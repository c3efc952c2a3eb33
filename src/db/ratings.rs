//! Customers' ratings of their cases: one per case.

use crate::domain::identifiers::ShopId;
use sqlx::AnyPool;

use super::Transaction;

/// The stars the customer gave the case, if they rated it.
pub async fn stars(pool: &AnyPool, case_id: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT stars FROM ratings WHERE case_id = $1")
        .bind(case_id)
        .fetch_optional(pool)
        .await
}

/// Records the rating; false when the case was rated already.
pub async fn insert(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    case_id: &str,
    stars: i64,
    comment: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO ratings (case_id, shop_id, stars, comment, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(case_id)
    .bind(shop_id)
    .bind(stars)
    .bind(comment)
    .bind(now)
    .execute(&mut **transaction)
    .await?;
    Ok(inserted.rows_affected() > 0)
}

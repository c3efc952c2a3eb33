//! Each shop's learned classifiers (reason, kind), and the ended cases they learn from.

use sqlx::AnyPool;

use crate::domain::identifiers::ShopId;

/// The shop's model's training time, if it has one.
pub async fn trained_at(pool: &AnyPool, shop_id: &ShopId) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT trained_at FROM suggestion_models WHERE shop_id = $1")
        .bind(shop_id)
        .fetch_optional(pool)
        .await
}

/// The shop's model (JSON) and its training time.
pub async fn get(pool: &AnyPool, shop_id: &ShopId) -> Result<Option<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT model, trained_at FROM suggestion_models WHERE shop_id = $1")
        .bind(shop_id)
        .fetch_optional(pool)
        .await
}

pub async fn store(
    pool: &AnyPool,
    shop_id: &ShopId,
    model: &str,
    cases: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO suggestion_models (shop_id, model, cases, trained_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (shop_id) DO UPDATE SET model = $2, cases = $3, trained_at = $4",
    )
    .bind(shop_id)
    .bind(model)
    .bind(cases)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// The shops with at least `least` ended cases with a description, whose model is missing or
/// older than `before`.
pub async fn due(pool: &AnyPool, least: i64, before: i64) -> Result<Vec<ShopId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT s.id FROM shops s LEFT JOIN suggestion_models m ON m.shop_id = s.id \
         WHERE (m.trained_at IS NULL OR m.trained_at < $1) \
         AND (SELECT COUNT(*) FROM (SELECT 1 FROM cases c WHERE c.shop_id = s.id \
              AND c.ended_at IS NOT NULL AND c.description <> '' LIMIT $2) enough) >= $2",
    )
    .bind(before)
    .bind(least)
    .fetch_all(pool)
    .await
}

/// The shop's last `limit` ended cases with a description: (description, reason code, kind) as
/// they ended, the agents' corrections included.
pub async fn ended(
    pool: &AnyPool,
    shop_id: &ShopId,
    limit: i64,
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT description, reason_code, kind FROM cases WHERE shop_id = $1 AND ended_at IS NOT NULL \
         AND description <> '' ORDER BY ended_at DESC LIMIT {limit}"
    )))
    .bind(shop_id)
    .fetch_all(pool)
    .await
}

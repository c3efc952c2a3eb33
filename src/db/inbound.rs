//! The inbound deliveries log: what the platforms and carriers sent, and what came of it.

use sqlx::{AnyPool, Row};

#[derive(Debug, Clone)]
pub struct InboundRecord {
    pub id: String,
    pub source: String,
    pub topic: String,
    /// received, applied, unchanged, stale, ignored or failed
    pub status: String,
    pub detail: Option<String>,
    /// Unix microseconds.
    pub received_at: i64,
    pub body: String,
}

const SELECT: &str =
    "SELECT id, source, topic, status, detail, received_at, body FROM inbound_deliveries";

fn read(row: &sqlx::any::AnyRow) -> Result<InboundRecord, sqlx::Error> {
    Ok(InboundRecord {
        id: row.try_get("id")?,
        source: row.try_get("source")?,
        topic: row.try_get("topic")?,
        status: row.try_get("status")?,
        detail: row.try_get("detail")?,
        received_at: row.try_get("received_at")?,
        body: row.try_get("body")?,
    })
}

/// The shop's deliveries, newest first, with this status if given.
pub async fn list(
    pool: &AnyPool,
    shop_id: &str,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<InboundRecord>, sqlx::Error> {
    let rows = match status {
        Some(status) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE shop_id = $1 AND status = $2 ORDER BY received_at DESC, id DESC LIMIT $3"
            )))
            .bind(shop_id)
            .bind(status)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
        None => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE shop_id = $1 ORDER BY received_at DESC, id DESC LIMIT $2"
            )))
            .bind(shop_id)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
    };
    rows.iter().map(read).collect()
}

pub async fn get(
    pool: &AnyPool,
    shop_id: &str,
    id: &str,
) -> Result<Option<InboundRecord>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE shop_id = $1 AND id = $2"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(read).transpose()
}

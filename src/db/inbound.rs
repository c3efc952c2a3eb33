//! The inbound deliveries log: what the platforms and carriers sent, and what came of it.

use crate::domain::identifiers::ShopId;
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
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

/// The shop's deliveries, newest first, with this status if given.
pub async fn list(
    pool: &AnyPool,
    shop_id: &ShopId,
    status: Option<&str>,
    before: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<InboundRecord>, sqlx::Error> {
    // Newest first, after the page before it (its last (received_at, id)).
    let (key, id) = before.unwrap_or((i64::MAX, String::new()));
    let older = "(received_at < $2 OR (received_at = $2 AND id < $3))";
    match status {
        Some(status) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE shop_id = $1 AND {older} AND status = $4 ORDER BY received_at DESC, id DESC LIMIT $5"
            )))
            .bind(shop_id)
            .bind(key)
            .bind(&id)
            .bind(status)
            .bind(limit)
            .fetch_all(pool)
            .await
        }
        None => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE shop_id = $1 AND {older} ORDER BY received_at DESC, id DESC LIMIT $4"
            )))
            .bind(shop_id)
            .bind(key)
            .bind(&id)
            .bind(limit)
            .fetch_all(pool)
            .await
        }
    }
}

pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<InboundRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE shop_id = $1 AND id = $2"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Logs a verified delivery as received.
pub async fn insert(
    pool: &AnyPool,
    id: &str,
    shop_id: &ShopId,
    source: &str,
    topic: &str,
    body: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO inbound_deliveries (id, shop_id, source, topic, body, status, received_at) VALUES ($1, $2, $3, $4, $5, 'received', $6)",
    )
    .bind(id)
    .bind(shop_id)
    .bind(source)
    .bind(topic)
    .bind(body)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// A verified delivery to log.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub id: String,
    pub shop_id: ShopId,
    pub source: String,
    pub topic: String,
    pub body: String,
    pub received_at: i64,
}

/// Logs a delivery with what applying it came to, in the batch that applies it.
pub fn push_applied(
    batch: &mut super::batch::Batch,
    delivery: &NewDelivery,
    status: &str,
    detail: &str,
    now: i64,
) {
    batch.push(
        "INSERT INTO inbound_deliveries (id, shop_id, source, topic, body, status, detail, received_at, processed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        vec![
            delivery.id.as_str().into(),
            (&delivery.shop_id).into(),
            delivery.source.as_str().into(),
            delivery.topic.as_str().into(),
            delivery.body.as_str().into(),
            status.into(),
            detail.into(),
            delivery.received_at.into(),
            now.into(),
        ],
    );
}

/// What applying a delivery came to.
pub async fn record_outcome(
    pool: &AnyPool,
    id: &str,
    status: &str,
    detail: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE inbound_deliveries SET status = $1, detail = $2, processed_at = $3 WHERE id = $4",
    )
    .bind(status)
    .bind(detail)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// A platform's order as it was last applied: the platform's id, our order and its line ids.
pub struct ExternalOrder {
    pub order_id: Option<String>,
    /// The platform's line ids, in the order's line order.
    pub line_ids: Vec<String>,
}

/// The platform order `external_id` from `source`, if it has come in.
pub async fn external_order(
    pool: &AnyPool,
    shop_id: &ShopId,
    source: &str,
    external_id: &str,
) -> Result<Option<ExternalOrder>, sqlx::Error> {
    let found: Option<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT order_id, line_ids FROM inbound_orders WHERE shop_id = $1 AND source = $2 AND external_id = $3",
    )
    .bind(shop_id)
    .bind(source)
    .bind(external_id)
    .fetch_optional(pool)
    .await?;
    Ok(found.map(|(order_id, line_ids)| ExternalOrder {
        order_id,
        line_ids: line_ids
            .and_then(|ids| serde_json::from_str(&ids).ok())
            .unwrap_or_default(),
    }))
}

/// Locks the platform orders' rows (shop, source, platform id) in `transaction`, made if new,
/// and returns each one's platform last-change time of the version applied (-1 for none yet),
/// in the order given. One statement: the update takes the lock until the commit.
pub async fn lock_external_orders(
    transaction: &mut super::Transaction,
    keys: &[(&ShopId, &str, &str)],
) -> Result<Vec<i64>, sqlx::Error> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<String> = (0..keys.len())
        .map(|index| {
            format!(
                "(${}, ${}, ${}, -1)",
                index * 3 + 1,
                index * 3 + 2,
                index * 3 + 3
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO inbound_orders (shop_id, source, external_id, source_updated_at) VALUES {} \
         ON CONFLICT (shop_id, source, external_id) DO UPDATE SET source_updated_at = inbound_orders.source_updated_at \
         RETURNING shop_id, source, external_id, source_updated_at",
        rows.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String, String, String, i64)>(sqlx::AssertSqlSafe(sql));
    if keys.len() > 1 {
        query = query.persistent(false);
    }
    for (shop_id, source, external_id) in keys {
        query = query.bind(*shop_id).bind(*source).bind(*external_id);
    }
    let locked = query.fetch_all(&mut **transaction).await?;
    // RETURNING keeps no order.
    keys.iter()
        .map(|(shop_id, source, external_id)| {
            locked
                .iter()
                .find(|(shop, from, id, _)| {
                    shop == shop_id.as_str() && from == source && id == external_id
                })
                .map(|row| row.3)
                .ok_or(sqlx::Error::RowNotFound)
        })
        .collect()
}

/// Records the version of the platform order just applied, in the batch that applies it.
pub fn push_mark(
    batch: &mut super::batch::Batch,
    key: (&ShopId, &str, &str),
    updated_at: i64,
    order_id: &str,
    line_ids: &[String],
) {
    let (shop_id, source, external_id) = key;
    batch.push(
        "UPDATE inbound_orders SET source_updated_at = $1, order_id = $2, line_ids = $3 \
         WHERE shop_id = $4 AND source = $5 AND external_id = $6",
        vec![
            updated_at.into(),
            order_id.into(),
            serde_json::to_string(line_ids)
                .unwrap_or_else(|_| "[]".into())
                .into(),
            shop_id.into(),
            source.into(),
            external_id.into(),
        ],
    );
}

/// Claims the platform's return `external_id` for one case; false when another delivery has.
pub async fn claim_return(
    pool: &AnyPool,
    shop_id: &ShopId,
    source: &str,
    external_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "INSERT INTO inbound_cases (shop_id, source, external_id, case_id, created_at) VALUES ($1, $2, $3, '', $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(shop_id)
    .bind(source)
    .bind(external_id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(claimed.rows_affected() > 0)
}

/// The case a claimed return opened, or (`case_id` None) the claim let go for a replay.
pub async fn settle_return(
    pool: &AnyPool,
    shop_id: &ShopId,
    source: &str,
    external_id: &str,
    case_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    let query = match case_id {
        Some(case_id) => sqlx::query(
            "UPDATE inbound_cases SET case_id = $4 WHERE shop_id = $1 AND source = $2 AND external_id = $3",
        )
        .bind(shop_id)
        .bind(source)
        .bind(external_id)
        .bind(case_id),
        None => sqlx::query(
            "DELETE FROM inbound_cases WHERE shop_id = $1 AND source = $2 AND external_id = $3",
        )
        .bind(shop_id)
        .bind(source)
        .bind(external_id),
    };
    query.execute(pool).await?;
    Ok(())
}

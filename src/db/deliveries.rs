//! Webhook endpoints, and deliveries: one message to one recipient over one channel, retried
//! with back-off until sent or given up on (dead), replayable by hand.

use crate::domain::identifiers::ShopId;
use sqlx::AnyPool;

use super::columns::{Flag, JsonText};
use super::{Backend, Transaction, new_id};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    pub secret: String,
    #[sqlx(try_from = "JsonText<Vec<String>>")]
    pub topics: Vec<String>,
    #[sqlx(try_from = "Flag")]
    pub active: bool,
    pub created_at: i64,
}

impl Endpoint {
    pub fn wants(&self, topic: &str) -> bool {
        self.active
            && self
                .topics
                .iter()
                .any(|wanted| wanted == "*" || wanted == topic)
    }
}

pub async fn endpoints(pool: &AnyPool, shop_id: &ShopId) -> Result<Vec<Endpoint>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, url, secret, topics, active, created_at FROM webhook_endpoints WHERE shop_id = $1 ORDER BY created_at",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await
}

pub async fn endpoint_by_id(pool: &AnyPool, id: &str) -> Result<Option<Endpoint>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, url, secret, topics, active, created_at FROM webhook_endpoints WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn insert_endpoint(
    pool: &AnyPool,
    shop_id: &ShopId,
    url: &str,
    secret: &str,
    topics: &[String],
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, shop_id, url, secret, topics, active, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6)",
    )
    .bind(&id)
    .bind(shop_id)
    .bind(url)
    .bind(secret)
    .bind(serde_json::to_string(topics).unwrap_or_else(|_| "[\"*\"]".into()))
    .bind(now)
    .execute(pool)
    .await?;
    Ok(id)
}

/// Deactivates an endpoint (its past deliveries stay for the record); false if there is none.
pub async fn deactivate_endpoint(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("UPDATE webhook_endpoints SET active = 0 WHERE shop_id = $1 AND id = $2")
            .bind(shop_id)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
            > 0,
    )
}

/// An outbox row to turn into deliveries.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: String,
    pub shop_id: ShopId,
    pub case_id: Option<String>,
    pub audience: String,
    pub topic: String,
    #[sqlx(try_from = "JsonText<serde_json::Value>")]
    pub payload: serde_json::Value,
    pub created_at: i64,
}

/// Leases up to `limit` pending outbox rows (or rows whose lease ran out).
pub async fn claim_outbox(
    pool: &AnyPool,
    backend: Backend,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let sql = backend.claim(
        "outbox",
        "lease_until = $1, attempts = attempts + 1",
        "state = 'pending' AND (lease_until IS NULL OR lease_until < $2)",
        "created_at, id",
        3,
        "id, shop_id, case_id, audience, topic, payload, created_at",
    );
    let mut claimed: Vec<OutboxRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    // RETURNING keeps no order: oldest first, as the events happened.
    claimed.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(claimed)
}

pub struct NewDelivery<'a> {
    pub shop_id: &'a ShopId,
    pub outbox_id: &'a str,
    pub channel: &'a str,
    pub target: &'a str,
    pub topic: &'a str,
    pub body: &'a str,
    pub now: i64,
}

/// Adds a delivery unless the same message already goes to the same target.
pub async fn insert(
    transaction: &mut Transaction,
    delivery: &NewDelivery<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO deliveries (id, shop_id, outbox_id, channel, target, topic, body, state, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8) ON CONFLICT (outbox_id, channel, target) DO NOTHING",
    )
    .bind(new_id())
    .bind(delivery.shop_id)
    .bind(delivery.outbox_id)
    .bind(delivery.channel)
    .bind(delivery.target)
    .bind(delivery.topic)
    .bind(delivery.body)
    .bind(delivery.now)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

pub async fn mark_dispatched(
    transaction: &mut Transaction,
    outbox_ids: &[&str],
    now: i64,
) -> Result<(), sqlx::Error> {
    if outbox_ids.is_empty() {
        return Ok(());
    }
    let placeholders: Vec<String> = (0..outbox_ids.len())
        .map(|index| format!("${}", index + 2))
        .collect();
    let sql = format!(
        "UPDATE outbox SET state = 'dispatched', sent_at = $1, lease_until = NULL WHERE id IN ({})",
        placeholders.join(", ")
    );
    // As many placeholders as rows: a text not worth a place in the statement cache.
    let mut statement = sqlx::query(sqlx::AssertSqlSafe(sql))
        .persistent(false)
        .bind(now);
    for id in outbox_ids {
        statement = statement.bind(*id);
    }
    statement.execute(&mut **transaction).await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRecord {
    pub id: String,
    pub shop_id: ShopId,
    /// The event's id: the same for every channel and every retry.
    pub outbox_id: String,
    pub channel: String,
    pub target: String,
    pub topic: String,
    pub body: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

const COLUMNS: &str = "id, shop_id, outbox_id, channel, target, topic, body, state, attempts, next_attempt_at, last_error, created_at, sent_at";

/// Leases up to `limit` deliveries that are due.
pub async fn claim_due(
    pool: &AnyPool,
    backend: Backend,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<DeliveryRecord>, sqlx::Error> {
    let sql = backend.claim(
        "deliveries",
        "lease_until = $1, attempts = attempts + 1",
        "state = 'pending' AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until < $2)",
        "next_attempt_at, id",
        3,
        COLUMNS,
    );
    let mut claimed: Vec<DeliveryRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    claimed.sort_by(|a, b| (a.next_attempt_at, &a.id).cmp(&(b.next_attempt_at, &b.id)));
    Ok(claimed)
}

pub async fn mark_sent(pool: &AnyPool, id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE deliveries SET state = 'sent', sent_at = $1, lease_until = NULL, last_error = NULL WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// A failed attempt: tried again at `retry_at`, or dead when `retry_at` is `None`.
pub async fn mark_failed(
    pool: &AnyPool,
    id: &str,
    error: &str,
    retry_at: Option<i64>,
) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(500).collect();
    match retry_at {
        Some(at) => sqlx::query(
            "UPDATE deliveries SET next_attempt_at = $1, lease_until = NULL, last_error = $2 WHERE id = $3",
        )
        .bind(at)
        .bind(error)
        .bind(id)
        .execute(pool)
        .await?,
        None => sqlx::query(
            "UPDATE deliveries SET state = 'dead', lease_until = NULL, last_error = $1 WHERE id = $2",
        )
        .bind(error)
        .bind(id)
        .execute(pool)
        .await?,
    };
    Ok(())
}

/// Sends a delivery again from now (a dead one, or a sent one the receiver lost).
pub async fn replay(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = $1, lease_until = NULL WHERE shop_id = $2 AND id = $3",
    )
    .bind(now)
    .bind(shop_id)
    .bind(id)
    .execute(pool)
    .await?
    .rows_affected()
        > 0)
}

pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<DeliveryRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM deliveries WHERE shop_id = $1 AND id = $2"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The shop's deliveries, newest first, optionally in one state.
pub async fn list(
    pool: &AnyPool,
    shop_id: &ShopId,
    state: Option<&str>,
    before: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<DeliveryRecord>, sqlx::Error> {
    // Newest first, after the page before it (its last (created_at, id)).
    let (key, id) = before.unwrap_or((i64::MAX, String::new()));
    let older = "(created_at < $2 OR (created_at = $2 AND id < $3))";
    match state {
        Some(state) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM deliveries WHERE shop_id = $1 AND {older} AND state = $4 ORDER BY created_at DESC, id DESC LIMIT $5"
            )))
            .bind(shop_id)
            .bind(key)
            .bind(&id)
            .bind(state)
            .bind(limit)
            .fetch_all(pool)
            .await
        }
        None => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM deliveries WHERE shop_id = $1 AND {older} ORDER BY created_at DESC, id DESC LIMIT $4"
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

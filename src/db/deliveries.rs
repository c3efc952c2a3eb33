//! Webhook endpoints, and deliveries: one message to one recipient over one channel, retried
//! with back-off until sent or given up on (dead), replayable by hand.

use sqlx::{AnyPool, Row};

use super::{Backend, Transaction, new_id};

#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    pub secret: String,
    pub topics: Vec<String>,
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

fn endpoint(row: &sqlx::any::AnyRow) -> Result<Endpoint, sqlx::Error> {
    let topics: String = row.try_get("topics")?;
    Ok(Endpoint {
        id: row.try_get("id")?,
        url: row.try_get("url")?,
        secret: row.try_get("secret")?,
        topics: serde_json::from_str(&topics).unwrap_or_default(),
        active: row.try_get::<i64, _>("active")? != 0,
        created_at: row.try_get("created_at")?,
    })
}

pub async fn endpoints(pool: &AnyPool, shop_id: &str) -> Result<Vec<Endpoint>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, url, secret, topics, active, created_at FROM webhook_endpoints WHERE shop_id = $1 ORDER BY created_at",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(endpoint).collect()
}

pub async fn endpoint_by_id(pool: &AnyPool, id: &str) -> Result<Option<Endpoint>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, url, secret, topics, active, created_at FROM webhook_endpoints WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(endpoint).transpose()
}

pub async fn insert_endpoint(
    pool: &AnyPool,
    shop_id: &str,
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
    shop_id: &str,
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
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: String,
    pub shop_id: String,
    pub case_id: Option<String>,
    pub audience: String,
    pub topic: String,
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
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    // RETURNING keeps no order: oldest first, as the events happened.
    let mut claimed: Vec<OutboxRow> = rows
        .iter()
        .map(|row| {
            let payload: String = row.try_get("payload")?;
            Ok(OutboxRow {
                id: row.try_get("id")?,
                shop_id: row.try_get("shop_id")?,
                case_id: row.try_get("case_id")?,
                audience: row.try_get("audience")?,
                topic: row.try_get("topic")?,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                created_at: row.try_get("created_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    claimed.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(claimed)
}

pub struct NewDelivery<'a> {
    pub shop_id: &'a str,
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

#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    pub id: String,
    pub shop_id: String,
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

fn record(row: &sqlx::any::AnyRow) -> Result<DeliveryRecord, sqlx::Error> {
    Ok(DeliveryRecord {
        id: row.try_get("id")?,
        shop_id: row.try_get("shop_id")?,
        outbox_id: row.try_get("outbox_id")?,
        channel: row.try_get("channel")?,
        target: row.try_get("target")?,
        topic: row.try_get("topic")?,
        body: row.try_get("body")?,
        state: row.try_get("state")?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
        sent_at: row.try_get("sent_at")?,
    })
}

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
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    let mut claimed: Vec<DeliveryRecord> = rows.iter().map(record).collect::<Result<_, _>>()?;
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
    shop_id: &str,
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
    shop_id: &str,
    id: &str,
) -> Result<Option<DeliveryRecord>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM deliveries WHERE shop_id = $1 AND id = $2"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(record).transpose()
}

/// The shop's deliveries, newest first, optionally in one state.
pub async fn list(
    pool: &AnyPool,
    shop_id: &str,
    state: Option<&str>,
    limit: i64,
) -> Result<Vec<DeliveryRecord>, sqlx::Error> {
    let rows = match state {
        Some(state) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM deliveries WHERE shop_id = $1 AND state = $2 ORDER BY created_at DESC, id DESC LIMIT $3"
            )))
            .bind(shop_id)
            .bind(state)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
        None => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM deliveries WHERE shop_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
            )))
            .bind(shop_id)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
    };
    rows.iter().map(record).collect()
}

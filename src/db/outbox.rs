//! The outbox: notifications written in the same transaction as the change that causes them,
//! for delivery workers to send (e-mail, webhooks, SMS).

use crate::domain::identifiers::ShopId;
use sqlx::AnyPool;

use super::columns::JsonText;
use super::{Transaction, new_id};

pub struct NewMessage<'a> {
    pub shop_id: &'a ShopId,
    pub case_id: Option<&'a str>,
    pub audience: &'a str,
    pub topic: &'a str,
    pub payload: &'a serde_json::Value,
    pub now: i64,
}

const INSERT: &str = "INSERT INTO outbox (id, shop_id, case_id, audience, topic, payload, state, attempts, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7)";

/// Adds the message to `batch` (written with the rest of a case's creation).
pub fn push_insert(batch: &mut super::batch::Batch, message: &NewMessage<'_>) {
    batch.push(
        INSERT,
        vec![
            new_id().into(),
            message.shop_id.into(),
            message.case_id.into(),
            message.audience.into(),
            message.topic.into(),
            message.payload.to_string().into(),
            message.now.into(),
        ],
    );
}

pub async fn insert(
    transaction: &mut Transaction,
    message: &NewMessage<'_>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(INSERT)
        .bind(&id)
        .bind(message.shop_id)
        .bind(message.case_id)
        .bind(message.audience)
        .bind(message.topic)
        .bind(message.payload.to_string())
        .bind(message.now)
        .execute(&mut **transaction)
        .await?;
    Ok(id)
}

/// The notices waiting for a case, oldest first: (audience, topic, payload).
pub async fn for_case(
    pool: &AnyPool,
    case_id: &str,
) -> Result<Vec<(String, String, serde_json::Value)>, sqlx::Error> {
    let notices: Vec<(String, String, JsonText<serde_json::Value>)> = sqlx::query_as(
        "SELECT audience, topic, payload FROM outbox WHERE case_id = $1 ORDER BY created_at, id",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    Ok(notices
        .into_iter()
        .map(|(audience, topic, payload)| (audience, topic, payload.0))
        .collect())
}

/// Forgets rows whose dispatch made no delivery (no one to tell): nothing is left to do with
/// them, so they are not kept.
pub async fn forget(
    transaction: &mut Transaction,
    backend: super::Backend,
    ids: &[&str],
) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!("DELETE FROM outbox WHERE id IN ({})", backend.json_texts(1));
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(serde_json::json!(ids).to_string())
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// Forgets what the outbox has done with, a batch at a time: deliveries sent before
/// `sent_before`, then dispatched rows made before `dispatched_before` that no delivery refers to
/// any more (dead and pending deliveries keep theirs). The number of rows forgotten.
pub async fn expire_dispatched(
    database: &super::Database,
    sent_before: i64,
    dispatched_before: i64,
) -> Result<u64, sqlx::Error> {
    let statements = [
        // deliveries_due (state, next_attempt_at): a sent delivery's last attempt is its sending.
        (
            "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries \
             WHERE state = 'sent' AND next_attempt_at < $1 LIMIT 5000)",
            sent_before,
        ),
        (
            "DELETE FROM outbox WHERE id IN (SELECT o.id FROM outbox o \
             WHERE o.state = 'dispatched' AND o.created_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id = o.id) LIMIT 5000)",
            dispatched_before,
        ),
    ];
    let mut forgotten = 0;
    for (sql, before) in statements {
        forgotten += super::delete_in_batches(database, sql, before).await?;
    }
    Ok(forgotten)
}
